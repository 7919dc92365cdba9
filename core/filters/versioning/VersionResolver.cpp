#include "core/filters/versioning/VersionResolver.h"

#include "core/config/ValueFormats.h"
#include "core/http/HttpSyntax.h"

#include <QTimeZone>
#include <QUrl>

namespace portico::filters {

namespace {

bool isDigits(QStringView s)
{
    if (s.isEmpty())
        return false;
    for (const QChar c : s) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return true;
}

// digits ("." digits)*
bool isDottedNumber(QStringView s)
{
    if (s.isEmpty())
        return false;
    for (const QStringView part : s.split(u'.')) {
        if (!isDigits(part))
            return false;
    }
    return true;
}

} // namespace

QString VersionResolver::normalize(QStringView version)
{
    const QStringView v = version.trimmed();
    if (isDottedNumber(v))
        return u'v' + v.toString();
    if (v.size() > 1 && (v.front() == u'v' || v.front() == u'V') && isDottedNumber(v.mid(1)))
        return u'v' + v.mid(1).toString();
    return v.toString().toLower();
}

bool VersionResolver::looksLikeVersion(QStringView segment)
{
    return segment.size() > 1 && (segment.front() == u'v' || segment.front() == u'V')
        && isDottedNumber(segment.mid(1));
}

std::pair<QByteArray, QByteArray> VersionResolver::splitFirstSegment(const QByteArray &path)
{
    if (!path.startsWith('/'))
        return { QByteArray(), path };
    const qsizetype slash = path.indexOf('/', 1);
    if (slash < 0)
        return { path.mid(1), QByteArray("/") };
    return { path.mid(1, slash - 1), path.mid(slash) };
}

std::optional<VersionResolver> VersionResolver::compile(const config::Versions &versions, QString *error)
{
    const auto fail = [&](const QString &message) {
        if (error)
            *error = QStringLiteral("versions: ") + message;
        return std::nullopt;
    };
    VersionResolver r;
    r.m_by = versions.by;
    if (versions.by == config::Versions::By::Header) {
        r.m_header = versions.header.trimmed().toLatin1();
        if (!http::isToken(r.m_header))
            return fail(QStringLiteral("'%1' is not a valid header name").arg(versions.header));
    }
    if (versions.map.isEmpty())
        return fail(QStringLiteral("map names no version"));
    for (const auto &[key, upstream] : versions.map) {
        const QString k = key.trimmed();
        if (k.isEmpty() || k.contains(u'/'))
            return fail(QStringLiteral("'%1' is not a usable version name").arg(key));
        if (upstream.trimmed().isEmpty())
            return fail(QStringLiteral("version '%1' names no upstream").arg(key));
        const QString n = normalize(k);
        if (r.m_byNormalized.contains(n))
            return fail(QStringLiteral("versions '%1' and '%2' are the same version")
                            .arg(r.m_map.at(r.m_byNormalized.value(n)).first, k));
        r.m_byNormalized.insert(n, r.m_map.size());
        r.m_map.append({ k, upstream.trimmed() });
    }
    const auto keyOf = [&](const QString &version) -> QString {
        const auto it = r.m_byNormalized.constFind(normalize(version));
        return it == r.m_byNormalized.cend() ? QString() : r.m_map.at(*it).first;
    };
    if (!versions.defaultVersion.trimmed().isEmpty()) {
        r.m_default = keyOf(versions.defaultVersion);
        if (r.m_default.isEmpty())
            return fail(QStringLiteral("default '%1' is not in the map").arg(versions.defaultVersion));
    }
    for (const auto &[version, deprecation] : versions.deprecated) {
        const QString key = keyOf(version);
        if (key.isEmpty())
            return fail(QStringLiteral("deprecated version '%1' is not in the map").arg(version));
        if (!deprecation.link.trimmed().isEmpty()) {
            const QUrl url(deprecation.link.trimmed(), QUrl::StrictMode);
            if (!url.isValid() || url.isRelative())
                return fail(QStringLiteral("the link of deprecated version '%1' is not an absolute URL")
                                .arg(version));
        }
        http::HttpHeaders headers;
        for (const auto &[name, value] : config::deprecationFields(deprecation))
            headers.add(name, value);
        r.m_deprecation.insert(key, headers);
    }
    return r;
}

QStringList VersionResolver::versions() const
{
    QStringList out;
    for (const auto &entry : m_map)
        out.append(entry.first);
    return out;
}

VersionResolver::Result VersionResolver::resolve(
    const QByteArray &path, const http::HttpHeaders &headers) const
{
    Result result;
    result.path = path;
    QString requested;
    if (m_by == config::Versions::By::Path) {
        const auto [segment, rest] = splitFirstSegment(path);
        const QString s = QString::fromUtf8(segment);
        const auto it = m_byNormalized.constFind(normalize(s));
        const bool namesKey = it != m_byNormalized.cend()
            && (looksLikeVersion(s) || s.compare(m_map.at(*it).first, Qt::CaseInsensitive) == 0);
        if (namesKey) {
            result.kind = Result::Kind::Chosen;
            result.version = m_map.at(*it).first;
            result.upstream = m_map.at(*it).second;
            result.path = rest;
            return result;
        }
        if (looksLikeVersion(s)) {
            result.kind = Result::Kind::Unknown;
            result.requested = s;
            return result;
        }
    } else {
        requested = QString::fromUtf8(headers.value(m_header)).trimmed();
        if (!requested.isEmpty()) {
            const auto it = m_byNormalized.constFind(normalize(requested));
            if (it == m_byNormalized.cend()) {
                result.kind = Result::Kind::Unknown;
                result.requested = requested;
                return result;
            }
            result.kind = Result::Kind::Chosen;
            result.version = m_map.at(*it).first;
            result.upstream = m_map.at(*it).second;
            return result;
        }
    }
    if (m_default.isEmpty())
        return result; // Missing
    result.kind = Result::Kind::Chosen;
    result.usedDefault = true;
    result.version = m_default;
    result.upstream = m_map.at(m_byNormalized.value(normalize(m_default))).second;
    return result;
}

} // namespace portico::filters
