#include "core/gateway/pipeline/Router.h"

namespace portico::gateway::Router {

http::NormalizedPath normalize(const RuntimeConfig &config, http::RequestHead &request)
{
    http::NormalizedPath normal = http::normalizePath(request.path, config.pathOptions());
    if (normal.ok())
        request.path = normal.path;
    return normal;
}

namespace {

QByteArray hostOnly(const QByteArray &hostHeader)
{
    QByteArray host = hostHeader.toLower();
    if (host.startsWith('['))
        return host.mid(1, host.indexOf(']') - 1);
    if (const qsizetype colon = host.lastIndexOf(':'); colon >= 0)
        host.truncate(colon);
    return host;
}

} // namespace

Decision route(const RuntimeConfig &config, const http::RequestHead &request, const http::NormalizedPath &normal,
               const QByteArray &hostHeader)
{
    Decision d;
    if (request.method == "CONNECT") {
        d.refusal = filters::LocalReply { 405, QStringLiteral("Method Not Allowed"),
            QStringLiteral("Portico is a reverse proxy; CONNECT tunnels are not supported"), {},
            "method-not-allowed" };
        return d;
    }
    if (!normal.ok() && request.target != "*") {
        d.refusal = filters::LocalReply { 400, QStringLiteral("Bad Request"),
            QStringLiteral("%1: %2").arg(QString::fromLatin1(normal.error), QString::fromUtf8(request.path.left(200))),
            {}, "bad-path" };
        return d;
    }
    const QByteArray host = hostOnly(hostHeader);
    d.match = config.match(request, host);
    if (!d.match.route) {
        d.refusal = filters::LocalReply { 404, QStringLiteral("No Route"),
            QStringLiteral("no route matches %1 %2 on host %3")
                .arg(QString::fromLatin1(request.method), QString::fromUtf8(request.path), QString::fromUtf8(host)),
            {}, "no-route" };
    }
    return d;
}

std::shared_ptr<Cluster> backend(const RuntimeConfig &config, const CompiledRoute &route,
                                 const filters::RequestContext &ctx)
{
    // A versions route: the versioning filter chose the version (or answered 404 itself).
    if (!ctx.apiVersion.isEmpty()) {
        const auto it = route.versionClusters.find(ctx.apiVersion);
        if (it != route.versionClusters.end())
            return it->second;
    }
    if (ctx.upstreamName.isEmpty())
        return nullptr;
    return ctx.upstreamName == route.route->upstream ? route.cluster : config.cluster(ctx.upstreamName);
}

} // namespace portico::gateway::Router
