#include "core/gateway/RuntimeConfig.h"

#include <algorithm>

namespace portico::gateway {

namespace {

bool hostMatches(const QString &pattern, QByteArrayView host)
{
    const QByteArray p = pattern.toLower().toUtf8();
    if (p.startsWith("*.")) {
        const QByteArrayView suffix = QByteArrayView(p).sliced(1); // ".api.local"
        return host.size() > suffix.size() && host.endsWith(suffix);
    }
    return host == QByteArrayView(p);
}

bool prefixMatches(QByteArrayView prefix, QByteArrayView path)
{
    if (!path.startsWith(prefix))
        return false;
    if (path.size() == prefix.size() || prefix.endsWith('/'))
        return true;
    const char next = path[prefix.size()];
    return next == '/' || next == '?';
}

// For path-versioned routes: "/v1/api/users" -> "/api/users" when the first segment is a version.
QByteArrayView withoutVersionSegment(const config::Route &route, QByteArrayView path)
{
    if (!route.versions || route.versions->by != config::Versions::By::Path || path.size() < 2)
        return path;
    qsizetype end = path.indexOf('/', 1);
    if (end < 0)
        end = path.size();
    const QByteArrayView seg = path.sliced(1, end - 1);
    bool known = false;
    for (const auto &[version, upstream] : route.versions->map) {
        Q_UNUSED(upstream);
        if (seg == QByteArrayView(version.toUtf8()))
            known = true;
    }
    // A "vN" segment that is not in the map is still a version (the filter answers 404 for it).
    const bool looksLikeVersion = seg.size() >= 2 && (seg[0] == 'v' || seg[0] == 'V')
        && std::all_of(seg.begin() + 1, seg.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    if (!known && !looksLikeVersion)
        return path;
    return end == path.size() ? QByteArrayView("/") : path.sliced(end);
}

} // namespace

std::shared_ptr<const RuntimeConfig> RuntimeConfig::compile(config::WorkspacePtr workspace,
                                                            const RuntimeConfig *previous,
                                                            filters::FilterServices &services,
                                                            QStringList *errors)
{
    auto rc = std::shared_ptr<RuntimeConfig>(new RuntimeConfig);
    rc->m_workspace = workspace;
    const config::Workspace &ws = *workspace;
    if (ws.proxy) {
        rc->m_forwardProxy
            = ForwardProxy::create(ws, previous ? previous->m_forwardProxy.get() : nullptr, errors);
        if (!rc->m_forwardProxy)
            return nullptr;
    }
    rc->m_pathOptions.mergeSlashes = ws.gateway.paths.mergeSlashes;
    switch (ws.gateway.paths.escapedSlashes) {
    case config::PathRules::EscapedSlashes::Keep:
        rc->m_pathOptions.escapedSlash = http::PathOptions::EscapedSlash::Keep;
        break;
    case config::PathRules::EscapedSlashes::Reject:
        rc->m_pathOptions.escapedSlash = http::PathOptions::EscapedSlash::Reject;
        break;
    case config::PathRules::EscapedSlashes::Decode:
        rc->m_pathOptions.escapedSlash = http::PathOptions::EscapedSlash::Decode;
        break;
    }

    for (const config::Upstream &u : ws.upstreams) {
        std::shared_ptr<Cluster> cluster;
        if (previous) {
            auto old = previous->cluster(u.name);
            if (old && old->config() == u)
                cluster = old;
        }
        if (!cluster) {
            QString error;
            cluster = Cluster::create(u, &error);
            if (!cluster) {
                errors->append(error);
                continue;
            }
        }
        rc->m_clusters[u.name] = cluster;
        rc->m_clusterList.push_back(cluster);
    }

    int index = 0;
    for (const config::Route &route : ws.routes) {
        auto cr = std::make_unique<CompiledRoute>();
        cr->route = &route;
        cr->index = index++;
        cr->nameBytes = route.name.toUtf8();
        cr->pathBytes = route.match.path.toUtf8();
        if (route.match.pathKind != config::RouteMatch::PathKind::Regex) {
            // Requests are matched after normalisation, so the route's own path is read the same way.
            const http::NormalizedPath normal = http::normalizePath(cr->pathBytes, rc->m_pathOptions);
            if (normal.ok())
                cr->pathBytes = normal.path;
        }
        for (const QString &m : route.match.methods)
            cr->methods.append(m.toUpper().toLatin1());
        if (route.match.pathKind == config::RouteMatch::PathKind::Regex) {
            cr->regex = QRegularExpression(route.match.path);
            cr->regex.optimize();
            if (!cr->regex.isValid())
                errors->append(QStringLiteral("route '%1': invalid regex").arg(route.name));
        }
        if (!route.upstream.isEmpty())
            cr->cluster = rc->cluster(route.upstream);
        if (route.versions) {
            for (const auto &[version, upstream] : route.versions->map)
                cr->versionClusters[version] = rc->cluster(upstream);
        }
        if (!route.aggregate.isEmpty()) {
            QString error;
            cr->aggregate = makeAggregatePlan(ws, route, &error);
            if (!error.isEmpty())
                errors->append(error);
        }
        if (route.grpc && route.grpc->transcode) {
            QString error;
            cr->transcoder = portico::grpc::Transcoder::build(ws.grpcSchema, route.grpc->services, route.grpc->ignoreUnknownFields, &error);
            if (!cr->transcoder)
                errors->append(QStringLiteral("route '%1': %2").arg(route.name, error));
        }
        cr->filters = buildFilterChain(ws, route, services, errors);
        rc->m_routes.push_back(std::move(cr));
    }
    if (!errors->isEmpty())
        return nullptr;

    for (const auto &r : rc->m_routes) {
        switch (r->route->match.pathKind) {
        case config::RouteMatch::PathKind::Exact:
            break; // checked in file order by match()
        case config::RouteMatch::PathKind::Prefix:
            rc->m_prefix.push_back(r.get());
            break;
        case config::RouteMatch::PathKind::Regex:
            rc->m_regex.push_back(r.get());
            break;
        }
    }
    std::stable_sort(rc->m_prefix.begin(), rc->m_prefix.end(), [](const CompiledRoute *a, const CompiledRoute *b) {
        return a->pathBytes.size() > b->pathBytes.size();
    });
    // The one revision counter: each config a gateway compiles numbers itself after the one it
    // replaces (1 for the first), so the gateway, its workers and the admin API read the same number.
    rc->m_revision = previous ? previous->revision() + 1 : 1;
    return rc;
}

std::shared_ptr<Cluster> RuntimeConfig::cluster(const QString &name) const
{
    const auto it = m_clusters.find(name);
    return it == m_clusters.end() ? nullptr : it->second;
}

bool RuntimeConfig::matchesConstraints(const CompiledRoute &r, const http::RequestHead &request,
                                       QByteArrayView host) const
{
    const config::RouteMatch &m = r.route->match;
    if (!r.methods.isEmpty() && !r.methods.contains(request.method))
        return false;
    if (!m.hosts.isEmpty()) {
        bool any = false;
        for (const QString &h : m.hosts)
            any = any || hostMatches(h, host);
        if (!any)
            return false;
    }
    for (const auto &[name, value] : m.headers) {
        if (request.headers.value(name.toLatin1()) != value.toUtf8())
            return false;
    }
    return true;
}

RouteMatchResult RuntimeConfig::match(const http::RequestHead &request, QByteArrayView host) const
{
    const QByteArrayView path = request.path;
    auto stripped = [&](const CompiledRoute *r, QByteArrayView routePath) -> QByteArray {
        // The version segment (if any) stays for the versioning filter; strip_prefix removes
        // the matched route path after it.
        const QByteArrayView versionPart = path.first(path.size() - routePath.size());
        if (!r->route->stripPrefix)
            return path.toByteArray();
        QByteArray rest;
        if (r->route->match.pathKind == config::RouteMatch::PathKind::Prefix)
            rest = routePath.sliced(r->pathBytes.endsWith('/') ? r->pathBytes.size() - 1 : r->pathBytes.size()).toByteArray();
        if (rest.isEmpty() || rest[0] != '/')
            rest.prepend('/');
        return versionPart.toByteArray() + rest;
    };

    // Exact routes (keyed by path; a versioned route may carry a version segment in front).
    for (const auto &r : m_routes) {
        if (r->route->match.pathKind != config::RouteMatch::PathKind::Exact)
            continue;
        const QByteArrayView routePath = withoutVersionSegment(*r->route, path);
        if (routePath == QByteArrayView(r->pathBytes) && matchesConstraints(*r, request, host))
            return { r.get(), stripped(r.get(), routePath) };
    }
    for (const CompiledRoute *r : m_prefix) {
        const QByteArrayView routePath = withoutVersionSegment(*r->route, path);
        if (prefixMatches(r->pathBytes, routePath) && matchesConstraints(*r, request, host))
            return { r, stripped(r, routePath) };
    }
    for (const CompiledRoute *r : m_regex) {
        const QByteArrayView routePath = withoutVersionSegment(*r->route, path);
        if (r->regex.match(QString::fromUtf8(routePath)).hasMatch() && matchesConstraints(*r, request, host))
            return { r, path.toByteArray() };
    }
    return {};
}

} // namespace portico::gateway
