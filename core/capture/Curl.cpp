#include "core/capture/Curl.h"

#include <QStringList>

namespace portico::capture {

namespace {

QString shellQuote(const QByteArray &bytes)
{
    bool plain = true;
    for (char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            plain = false;
            break;
        }
    }
    if (plain) {
        QString s = QString::fromUtf8(bytes);
        s.replace(u'\'', QStringLiteral("'\\''"));
        return u'\'' + s + u'\'';
    }
    QString out = QStringLiteral("$'");
    for (char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\\' || c == '\'')
            out += u'\\', out += QLatin1Char(c);
        else if (u < 0x20 || u >= 0x7f)
            out += QStringLiteral("\\x%1").arg(u, 2, 16, QLatin1Char('0'));
        else
            out += QLatin1Char(c);
    }
    return out + u'\'';
}

bool curlSetsItself(const QByteArray &name)
{
    static const char *const names[] = { "host", "content-length", "connection", "transfer-encoding" };
    for (const char *n : names) {
        if (name.compare(n, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

QString toCurl(const Exchange &e)
{
    QStringList parts { QStringLiteral("curl") };
    const QString method = e.method.toUpper();
    if (method == u"HEAD")
        parts << QStringLiteral("--head");
    else if (method != u"GET" || !e.requestBody.isEmpty())
        parts << QStringLiteral("-X") << method;
    parts << shellQuote(e.url.toUtf8());
    for (const auto &h : e.requestHeaders) {
        if (curlSetsItself(h.first))
            continue;
        // "Name;" is curl's way to send a header with an empty value.
        parts << QStringLiteral("-H")
              << shellQuote(h.second.isEmpty() ? h.first + ';' : h.first + ": " + h.second);
    }
    if (!e.requestBody.isEmpty())
        parts << QStringLiteral("--data-binary") << shellQuote(e.requestBody);
    QString line = parts.join(u' ');
    if (e.requestTruncated)
        line += QStringLiteral("  # request body truncated: %1 of %2 bytes stored")
                    .arg(e.requestBody.size())
                    .arg(e.requestBodySize);
    return line;
}

} // namespace portico::capture
