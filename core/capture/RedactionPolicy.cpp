#include "core/capture/RedactionPolicy.h"

#include "core/capture/Schema.h"

namespace portico::capture {

RedactionPolicy::RedactionPolicy(const QStringList &headers, const QStringList &queryParameters)
{
    // A proxy's credentials, whatever the list says.
    m_headers.append(QByteArrayLiteral("proxy-authorization"));
    for (const QString &name : headers) {
        const QByteArray n = name.trimmed().toLower().toLatin1();
        if (!n.isEmpty() && !m_headers.contains(n))
            m_headers.append(n);
    }
    for (const QString &name : queryParameters) {
        if (!name.isEmpty() && !m_query.contains(name))
            m_query.append(name);
    }
}

bool RedactionPolicy::redactsHeader(QByteArrayView name) const
{
    for (const QByteArray &r : m_headers) {
        if (r.size() == name.size() && QByteArrayView(r).compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QByteArrayView RedactionPolicy::head(QByteArrayView head, std::string &scratch) const
{
    bool any = false;
    schema::forEachHeadLine(head, [&](QByteArrayView name, QByteArrayView) { any = any || redactsHeader(name); });
    if (!any)
        return head;
    scratch.clear();
    scratch += '\n';
    schema::forEachHeadLine(head, [&](QByteArrayView name, QByteArrayView value) {
        scratch.append(name.data(), size_t(name.size()));
        scratch += ": ";
        if (redactsHeader(name))
            scratch.append(kMarker.data(), size_t(kMarker.size()));
        else
            scratch.append(value.data(), size_t(value.size()));
        scratch += '\n';
    });
    return { scratch.data(), qsizetype(scratch.size()) };
}

bool RedactionPolicy::query(QByteArrayView query, QByteArray *out) const
{
    if (m_query.isEmpty())
        return false;
    QByteArrayList parts = query.toByteArray().split('&');
    bool changed = false;
    for (QByteArray &part : parts) {
        const qsizetype eq = part.indexOf('=');
        // A bare "apikey" (no '=') has no value to hide.
        if (eq < 0 || QByteArrayView(part).sliced(eq + 1) == kMarker)
            continue;
        QByteArray name = part.left(eq);
        name.replace('+', ' ');
        if (!m_query.contains(QString::fromUtf8(QByteArray::fromPercentEncoding(name))))
            continue;
        part = part.left(eq + 1) + kMarker.toByteArray();
        changed = true;
    }
    if (changed)
        *out = parts.join('&');
    return changed;
}

void RedactionPolicy::apply(CaptureRecord &r) const
{
    if (m_query.isEmpty())
        return;
    QByteArray redacted;
    if (query(r.view(CaptureRecord::Query), &redacted))
        r.set(CaptureRecord::Query, redacted);
    const QByteArray url = r.view(CaptureRecord::Url).toByteArray();
    const qsizetype mark = url.indexOf('?');
    if (mark >= 0 && query(QByteArrayView(url).sliced(mark + 1), &redacted))
        r.setJoined(CaptureRecord::Url, { QByteArrayView(url).first(mark + 1), redacted });
}

} // namespace portico::capture
