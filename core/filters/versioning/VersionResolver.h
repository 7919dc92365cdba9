#pragma once

#include "core/config/Workspace.h"
#include "core/http/HttpHeaders.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace portico::filters {

// Picks the API version of a request from a route's `versions` block. Pure: compiled once from the
// config, then resolve() only reads the path and headers it is given (thread-safe).
//
// by: path    The first path segment is the version when it names one in the map (compared
//             case-insensitively, "/V1" = "/v1"; "/v1" also matches a key written "1"). It is
//             stripped: /v1/api/users/7 -> /api/users/7, /v1 -> /. A segment that looks like a
//             version ("v" + digits, dots allowed: v3, v1.2) but is not in the map is Unknown. Any
//             other first segment is not a version: the default applies and the path is unchanged
//             (so /1/... or /users/... never lose a segment).
// by: header  The named header's first value, trimmed; "1", "v1" and "V1" all name the key "v1"
//             (and the key "1"). Absent or empty = default. Any other value is Unknown.
// No version and no default configured = Missing. The gateway answers Unknown and Missing with 404.
//
// Deprecated versions carry response headers, computed once:
//   Deprecation: @0   (RFC 9745 structured date). The config gives no deprecation date, only a
//                     sunset; "@0" (the epoch) says "deprecated since a date in the past", which is
//                     the truth for a version listed as deprecated. Using the sunset date instead
//                     would announce a FUTURE deprecation, i.e. tell clients it is not deprecated yet.
//   Sunset: <HTTP-date> (RFC 8594) of 00:00:00 UTC on the sunset day, when a sunset is configured.
//   Link: <link>; rel="deprecation"  and  Link: <link>; rel="sunset" (the latter only with a sunset),
//                     when a link is configured.
class VersionResolver
{
public:
    struct Result
    {
        enum class Kind { Chosen, Unknown, Missing };
        Kind kind = Kind::Missing;
        QString version; // the map key as configured ("v1"), when Chosen
        QString upstream; // the upstream serving it, when Chosen
        QByteArray path; // the path to send upstream (version segment stripped for by: path)
        QString requested; // what the client asked for, when Unknown
        bool usedDefault = false;
    };

    // Checks the block (non-empty map, default and deprecated entries in the map, a valid header
    // name, absolute deprecation links); on a problem returns nothing and sets *error.
    static std::optional<VersionResolver> compile(const config::Versions &versions, QString *error = nullptr);

    Result resolve(const QByteArray &path, const http::HttpHeaders &headers) const;

    QStringList versions() const; // map keys in file order
    QString defaultVersion() const { return m_default; }
    config::Versions::By by() const { return m_by; }
    QByteArray header() const { return m_header; } // by: header only
    // Response headers for a deprecated version (empty for any other).
    http::HttpHeaders deprecationHeaders(const QString &version) const
    {
        return m_deprecation.value(version);
    }

    // "v1", "V1", "1" -> "v1"; "1.2" -> "v1.2"; anything else lower-cased as is.
    static QString normalize(QStringView version);
    // "v" or "V" followed by digits, with optional ".digits" groups.
    static bool looksLikeVersion(QStringView segment);
    // "/v1/api/x" -> {"v1", "/api/x"}; "/v1" -> {"v1", "/"}; a path not starting with '/' -> {"", path}.
    static std::pair<QByteArray, QByteArray> splitFirstSegment(const QByteArray &path);

private:
    config::Versions::By m_by = config::Versions::By::Path;
    QByteArray m_header;
    QList<std::pair<QString, QString>> m_map; // key -> upstream, file order
    QHash<QString, qsizetype> m_byNormalized; // normalize(key) -> index in m_map
    QString m_default;
    QHash<QString, http::HttpHeaders> m_deprecation;
};

} // namespace portico::filters
