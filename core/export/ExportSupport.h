#pragma once

// Helpers shared by the exporters: routes flattened into one entry per upstream they reach,
// URL and duration conversions, and the warnings every target gives for Portico-only features.

#include "core/config/Workspace.h"
#include "core/filters/acl/AclConfig.h"
#include "core/filters/transform/TransformConfig.h"

#include <QStringList>

namespace portico::exporter {

// One route as production gateways see it. A versioned route becomes one FlatRoute per version
// (name "<route>-<version>") plus one for the default version (name "<route>").
struct FlatRoute
{
    QString name;
    const config::Route *route = nullptr;
    config::RouteMatch match; // with the version prefix (by path) or version header (by header)
    QString upstream; // empty for mock and aggregate routes
    // The path prefix removed before forwarding ("" = none): the match path for strip_prefix,
    // the version segment ("/v1") for path versions, or both.
    QString stripPrefix;
    config::KeyValues responseHeaders; // Deprecation / Sunset / Link for deprecated versions
    QString version; // the version this entry serves ("" when unversioned)
};

QList<FlatRoute> flattenRoutes(const config::Workspace &ws);

const config::Upstream *findUpstream(const config::Workspace &ws, const QString &name);
const config::Tier *findTier(const config::Workspace &ws, const QString &name);
const config::AuthScheme *findAuth(const config::Workspace &ws, const QString &name);

QString urlHost(const QUrl &url);
int urlPort(const QUrl &url); // explicit port, else 80/443 by scheme
QString hostPort(const QUrl &url);
QString schemeOf(const QUrl &url); // "http" or "https"

qint64 toSeconds(config::Duration d); // rounded up, at least 1 for a positive duration
QString goDuration(config::Duration d); // 250ms, 5s, 2m: Traefik and KrakenD
QString protoDuration(config::Duration d); // 0.250s, 5s: Envoy (protobuf Duration JSON)
QString durationText(config::Duration d); // for messages: 250ms, 5s, 1m
QString rateLimitText(const config::RateLimit &r);
QString authTypeText(config::AuthType t);

// What an export target is, for the warnings about Portico's own parts.
struct TargetTraits
{
    QString name; // "Kong", "OpenAPI"
    // A gateway serves traffic and has (or lacks) its own way of being managed; a description
    // format (OpenAPI) only documents the API, so capture and the admin API are out of its scope.
    bool isGateway = true;
    // Gateways: what takes the place of Portico's admin API there, as a clause after "; "
    // ("use Kong's Admin API", "KrakenD has no management API: ...").
    QString adminAdvice;
};

// The workspace's Portico-only parts (capture, admin API) and settings a target keeps outside
// its routing config; one warning each, so nothing is dropped silently.
void warnPorticoOnly(const config::Workspace &ws, const TargetTraits &target, QStringList &warnings);

// Text of a file named in the workspace (paths relative to the workspace file's folder).
QByteArray readWorkspaceFile(const config::Workspace &ws, const QString &path, bool *ok = nullptr);

QString regexEscape(const QString &literal);

} // namespace portico::exporter
