#include "core/filters/versioning/VersioningFilter.h"

#include "core/common/Metrics.h"

namespace portico::filters {

VersioningFilter::VersioningFilter(QString routeName, VersionResolver resolver, MetricsRegistry *metrics)
    : m_route(std::move(routeName))
    , m_resolver(std::move(resolver))
{
    if (!metrics)
        return;
    // Series are created up front: the registry's lookup takes a lock, the hot path must not.
    for (const QString &version : m_resolver.versions()) {
        m_counters.insert(version,
            &metrics->counter("portico_api_version_requests_total",
                "Requests routed per route and API version",
                { { "route", m_route.toUtf8() }, { "version", version.toUtf8() } }));
    }
}

FilterStatus VersioningFilter::onRequest(
    RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &callbacks)
{
    if (!ctx.request)
        return FilterStatus::Continue;
    // The answer depends on the version header: shared caches must key on it (RFC 9110 12.5.5).
    if (m_resolver.by() == config::Versions::By::Header)
        ctx.extraResponseHeaders.add("Vary", m_resolver.header());
    const VersionResolver::Result result = m_resolver.resolve(ctx.request->path, ctx.request->headers);
    if (result.kind != VersionResolver::Result::Kind::Chosen) {
        if (callbacks)
            callbacks->sendLocalReply(notFound(result));
        return FilterStatus::Stop;
    }
    ctx.apiVersion = result.version;
    ctx.upstreamName = result.upstream;
    ctx.request->path = result.path;
    const http::HttpHeaders deprecation = m_resolver.deprecationHeaders(result.version);
    for (const auto &[name, value] : deprecation.entries()) {
        if (name == "Link")
            ctx.extraResponseHeaders.add(name, value);
        else
            ctx.extraResponseHeaders.set(name, value);
    }
    if (Counter *counter = m_counters.value(result.version))
        counter->inc();
    return FilterStatus::Continue;
}

LocalReply VersioningFilter::notFound(const VersionResolver::Result &result) const
{
    LocalReply reply;
    reply.status = 404;
    reply.typeSuffix = "unknown-api-version";
    const QString available = m_resolver.versions().join(QStringLiteral(", "));
    if (result.kind == VersionResolver::Result::Kind::Unknown) {
        reply.title = QStringLiteral("Unknown API version");
        reply.detail = QStringLiteral("API version '%1' does not exist. Available versions: %2.")
                           .arg(result.requested, available);
    } else {
        reply.title = QStringLiteral("API version required");
        reply.detail = m_resolver.by() == config::Versions::By::Path
            ? QStringLiteral(
                "Name a version as the first path segment (e.g. /%1/...). Available versions: %2.")
                  .arg(m_resolver.versions().constFirst(), available)
            : QStringLiteral("Name a version in the request header. Available versions: %1.").arg(available);
    }
    return reply;
}

} // namespace portico::filters
