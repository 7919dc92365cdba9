#include "core/config/ValidationSink.h"

#include "core/config/ValueFormats.h"

#include <QFileInfo>

namespace portico::config {

void ValidationSink::add(const QString &path, const QString &message, bool atKey, const char *refersTo)
{
    m_issues.append(ValidationIssue { path, message, atKey, QString::fromLatin1(refersTo) });
}

void ValidationSink::checkChoice(
    const QString &path, const QString &what, const QString &value, const QStringList &options)
{
    if (options.contains(value))
        return;
    const QString hint = closestMatch(value, options);
    add(path,
        hint.isEmpty() ? QStringLiteral("unknown %1 '%2' (use %3)").arg(what, value, options.join(u", "))
                       : QStringLiteral("unknown %1 '%2' (did you mean '%3'?)").arg(what, value, hint));
}

void ValidationSink::checkPositive(const QString &path, qint64 value)
{
    if (value <= 0)
        add(path, QStringLiteral("'%1' must be more than 0").arg(path.section(u'.', -1)));
}

void ValidationSink::checkFile(const QString &path, const QString &file)
{
    if (!file.isEmpty() && !QFileInfo(m_ws.resolvePath(file)).isFile())
        add(path, QStringLiteral("file '%1' not found (%2)").arg(file, m_ws.resolvePath(file)));
}

void ValidationSink::checkHttpUrl(const QString &path, const QUrl &url)
{
    if (!url.isValid() || url.host().isEmpty())
        add(path, QStringLiteral("invalid URL '%1'").arg(url.toString()));
    else if (url.scheme() != u"http" && url.scheme() != u"https")
        add(path, QStringLiteral("URL '%1' must start with http:// or https://").arg(url.toString()));
}

void ValidationSink::checkHeaderName(const QString &path, const QString &name, bool atKey)
{
    if (!isHttpToken(name))
        add(path, QStringLiteral("invalid header name '%1'").arg(name), atKey);
}

void ValidationSink::checkHeaderValue(const QString &path, const QString &value)
{
    if (!isSafeHeaderValue(value))
        add(path, QStringLiteral("a header value must not contain control characters (CR, LF, NUL)"));
}

void ValidationSink::checkHeaders(const QString &path, const KeyValues &headers)
{
    for (const auto &[name, value] : headers) {
        checkHeaderName(path + u'.' + name, name, true);
        checkHeaderValue(path + u'.' + name, value);
    }
}

} // namespace portico::config
