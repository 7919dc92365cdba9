#include "core/filters/transform/HeaderTransform.h"

#include "core/http/HttpSyntax.h"

namespace portico::filters {

std::optional<HeaderTransform> HeaderTransform::compile(const config::HeaderOps &ops, QString *error)
{
    const auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const auto name = [&](const QString &n, QByteArray *out) {
        *out = n.trimmed().toLatin1();
        return http::isToken(*out) && n.trimmed() == QString::fromLatin1(*out);
    };

    HeaderTransform t;
    for (const QString &n : ops.remove) {
        QByteArray b;
        if (!name(n, &b))
            return fail(QStringLiteral("headers.remove: '%1' is not a valid header name").arg(n));
        t.m_remove.append(b);
    }
    for (const auto &[from, to] : ops.rename) {
        QByteArray f, tt;
        if (!name(from, &f))
            return fail(QStringLiteral("headers.rename: '%1' is not a valid header name").arg(from));
        if (!name(to, &tt))
            return fail(QStringLiteral("headers.rename: '%1' is not a valid header name").arg(to));
        t.m_rename.append({ f, tt });
    }
    for (const auto &[n, v] : ops.set) {
        QByteArray b;
        if (!name(n, &b))
            return fail(QStringLiteral("headers.set: '%1' is not a valid header name").arg(n));
        const QByteArray value = v.trimmed().toUtf8();
        if (!http::isFieldValue(value))
            return fail(QStringLiteral("headers.set: the value of '%1' contains a line break or NUL").arg(n));
        t.m_set.append({ b, value });
    }
    return t;
}

void HeaderTransform::apply(http::HttpHeaders &headers) const
{
    for (const QByteArray &name : m_remove)
        headers.remove(name);
    for (const auto &[from, to] : m_rename) {
        if (!headers.contains(from))
            continue;
        if (!http::HttpHeaders::nameEquals(from, to))
            headers.remove(to);
        headers.rename(from, to);
    }
    for (const auto &[name, value] : m_set)
        headers.set(name, value);
}

} // namespace portico::filters
