#pragma once

#include "core/config/Workspace.h"
#include "core/export/ExportSupport.h"

#include <QSet>

namespace portico::exporter {

// Builds the per-route `location` blocks and collects what they need at http level (maps for
// keys, groups, hosts and versions; limit_req zones) and in the server (internal auth_request
// locations). location() for every route first, then httpPreamble() and internalLocations().
class NginxContext
{
public:
    NginxContext(const config::Workspace &ws, QStringList &warnings);

    QString location(const FlatRoute &f);
    QString httpPreamble() const;
    QString internalLocations() const;
    static QString errorPages(); // problem+json answers for the statuses nginx itself produces
    bool hasRootLocation() const { return m_seen.contains(QStringLiteral("prefix:/")); }

private:
    QString authLines(const FlatRoute &f, bool *hasConsumer);
    QString rateLimitLines(const FlatRoute &f, bool hasConsumer);
    QString headerLines(const FlatRoute &f, bool hasConsumer);
    QString mockLines(const FlatRoute &f);
    QString rateSpec(const config::RateLimit &r, const QString &where);
    QString keyMaps(const config::AuthScheme &a) const;

    const config::Workspace &m_ws;
    QStringList &m_warnings;
    QSet<QString> m_seen; // "kind:path" of emitted locations
    QStringList m_keySchemes; // api_key schemes used, in first-use order
    QStringList m_introspectSchemes; // oauth2_introspection schemes used
    QString m_maps; // route-specific maps and zones, in route order
    QSet<QString> m_zones;
    bool m_consumerUsed = false;
    bool m_routeKeyUsed = false;
};

} // namespace portico::exporter
