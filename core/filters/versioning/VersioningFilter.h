#pragma once

#include "core/filters/Filter.h"
#include "core/filters/FilterServices.h"
#include "core/filters/versioning/VersionResolver.h"

#include <QHash>

namespace portico {
class Counter;
}

namespace portico::filters {

// A route's `versions` block at run time (see VersionResolver for the rules). onRequest():
// - Chosen:  sets ctx.apiVersion and ctx.upstreamName (the gateway forwards to that upstream),
//            rewrites ctx.request->path for by: path, adds the deprecation headers of a deprecated
//            version to ctx.extraResponseHeaders, counts
//            portico_api_version_requests_total{route,version};
// - Unknown or Missing: answers 404 (problem type "unknown-api-version") whose detail lists the
//            versions that exist.
// With by: header, every answer (404s included) carries "Vary: <header>".
// Runs after auth and rate limiting, so rejected requests are not counted as version traffic.
class VersioningFilter final : public HttpFilter
{
public:
    VersioningFilter(QString routeName, VersionResolver resolver, MetricsRegistry *metrics);

    const char *name() const override { return "versioning"; }
    FilterStatus onRequest(RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &callbacks) override;

    const VersionResolver &resolver() const { return m_resolver; }

private:
    LocalReply notFound(const VersionResolver::Result &result) const;

    const QString m_route;
    const VersionResolver m_resolver;
    QHash<QString, Counter *> m_counters; // filled in the constructor, read-only afterwards
};

} // namespace portico::filters
