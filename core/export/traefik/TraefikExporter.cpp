#include "core/export/traefik/TraefikExporter.h"

#include "core/export/DocNode.h"
#include "core/export/ExportSupport.h"
#include "core/export/GrpcExport.h"

#include <QDir>
#include <QFileInfo>

namespace portico::exporter {

using namespace portico::config;

namespace {

QString tick(const QString &s)
{
    return u'`' + s + u'`';
}

QString rule(const RouteMatch &m)
{
    QStringList parts;
    switch (m.pathKind) {
    case RouteMatch::PathKind::Prefix:
        parts << QStringLiteral("PathPrefix(%1)").arg(tick(m.path));
        break;
    case RouteMatch::PathKind::Exact:
        parts << QStringLiteral("Path(%1)").arg(tick(m.path));
        break;
    case RouteMatch::PathKind::Regex:
        parts << QStringLiteral("PathRegexp(%1)").arg(tick(m.path));
        break;
    }
    if (!m.hosts.isEmpty()) {
        QStringList hosts;
        for (const QString &h : m.hosts) {
            if (h.startsWith(QStringLiteral("*.")))
                hosts << QStringLiteral("HostRegexp(%1)")
                             .arg(tick(QStringLiteral("^.+") + regexEscape(h.mid(1)) + u'$'));
            else
                hosts << QStringLiteral("Host(%1)").arg(tick(h));
        }
        parts << (hosts.size() == 1 ? hosts.first() : u'(' + hosts.join(QStringLiteral(" || ")) + u')');
    }
    if (!m.methods.isEmpty()) {
        QStringList methods;
        for (const QString &method : m.methods)
            methods << QStringLiteral("Method(%1)").arg(tick(method));
        parts << (methods.size() == 1 ? methods.first() : u'(' + methods.join(QStringLiteral(" || ")) + u')');
    }
    for (const auto &[k, v] : m.headers)
        parts << QStringLiteral("Header(%1, %2)").arg(tick(k), tick(v));
    return parts.join(QStringLiteral(" && "));
}

class TraefikBuilder
{
public:
    explicit TraefikBuilder(const Workspace &ws)
        : m_ws(ws)
    {
    }
    ExportResult build();

private:
    DocNode service(const Upstream &u);
    QStringList middlewares(const FlatRoute &f);

    const Workspace &m_ws;
    QStringList m_warnings;
    DocNode m_middlewares = DocNode::map();
};

DocNode TraefikBuilder::service(const Upstream &u)
{
    DocNode lb;
    DocNode servers = DocNode::list();
    bool uneven = false;
    for (const Target &t : u.targets) {
        DocNode s;
        // h2c: Traefik's scheme for HTTP/2 without TLS; h2 is https, where Traefik offers h2 by ALPN.
        const QString scheme
            = u.protocol == config::UpstreamProtocol::H2c ? QStringLiteral("h2c") : schemeOf(t.url);
        s["url"] = QStringLiteral("%1://%2").arg(scheme, hostPort(t.url));
        servers.append(s);
        uneven = uneven || t.weight != u.targets.first().weight;
    }
    lb["servers"] = servers;
    if (uneven)
        m_warnings << QStringLiteral(
            "upstream %1: target weights not exported; Traefik balances the servers of "
            "one load balancer evenly")
                          .arg(u.name);
    if (u.balance == Balance::LeastConnections)
        m_warnings << QStringLiteral("upstream %1: least_connections not available; Traefik uses round robin")
                          .arg(u.name);
    else if (u.balance == Balance::IpHash)
        m_warnings << QStringLiteral(
            "upstream %1: ip_hash not available; Traefik offers cookie stickiness only")
                          .arg(u.name);
    if (u.healthCheck) {
        DocNode &hc = lb["healthCheck"];
        hc["path"] = u.healthCheck->path;
        hc["interval"] = goDuration(u.healthCheck->interval);
        hc["timeout"] = goDuration(u.healthCheck->timeout);
        if (u.healthCheck->unhealthyAfter != 1 || u.healthCheck->healthyAfter != 1)
            m_warnings << QStringLiteral("upstream %1: unhealthy_after/healthy_after not exported; Traefik "
                                         "switches a server on one check")
                              .arg(u.name);
    }
    lb["passHostHeader"] = false;
    lb["serversTransport"] = u.name;
    DocNode n;
    n["loadBalancer"] = lb;
    return n;
}

QStringList TraefikBuilder::middlewares(const FlatRoute &f)
{
    const Route &r = *f.route;
    const AuthConfig &routeAuth = r.filters.value<AuthConfig>();
    const AclConfig &routeAcl = r.filters.value<AclConfig>();
    const RateLimitConfig &routeLimit = r.filters.value<RateLimitConfig>();
    const TransformConfig &routeTransforms = r.filters.value<TransformConfig>();
    const QString where = QStringLiteral("route %1").arg(f.route->name);
    QStringList names;
    const AuthScheme *keyScheme = nullptr;
    bool authDone = false;
    for (const QString &name : routeAuth.schemes) {
        const AuthScheme *a = findAuth(m_ws, name);
        if (!a)
            continue;
        if (a->type == AuthType::ApiKey && !keyScheme)
            keyScheme = a;
        if (a->type != AuthType::OAuth2Introspection) {
            m_warnings << QStringLiteral(
                "%1: auth scheme %2 (%3): Traefik has no built-in %3 check; not exported")
                              .arg(where, name, authTypeText(a->type));
            continue;
        }
        if (authDone) {
            m_warnings << QStringLiteral("%1: auth scheme %2 not exported: one forwardAuth per route")
                              .arg(where, name);
            continue;
        }
        const QString mw = QStringLiteral("auth-%1").arg(a->name);
        if (!m_middlewares.contains(mw)) {
            DocNode &fa = m_middlewares[mw]["forwardAuth"];
            fa["address"] = a->url.toString();
            fa["authResponseHeaders"]
                = QStringList { QStringLiteral("X-Consumer-Name"), QStringLiteral("X-Consumer-Groups") };
            m_warnings << QStringLiteral(
                "auth %1: forwardAuth sends each request's headers to %2, which must "
                "answer 2xx for an active token (RFC 7662 needs an adapter)")
                              .arg(a->name, a->url.toString());
        }
        names << mw;
        authDone = true;
    }
    if (!routeAuth.schemes.isEmpty() && !authDone)
        m_warnings << QStringLiteral(
            "%1: exported WITHOUT authentication; add a forwardAuth service or plugin "
            "for %2")
                          .arg(where, routeAuth.schemes.join(u", "));
    if (!routeAcl.allowGroups.isEmpty())
        m_warnings << QStringLiteral("%1: allow_groups (%2) not exported; Traefik has no consumer groups")
                          .arg(where, routeAcl.allowGroups.join(u", "));
    if (routeAuth.hideCredentials && keyScheme)
        m_warnings << QStringLiteral("%1: hide_credentials not exported").arg(where);

    if (routeLimit.limit) {
        const RateLimit &rl = *routeLimit.limit;
        const QString mw = f.name + QStringLiteral("-ratelimit");
        DocNode &m = m_middlewares[mw]["rateLimit"];
        m["average"] = rl.requests;
        m["period"] = goDuration(rl.per);
        m["burst"] = rl.requests;
        DocNode &sc = m["sourceCriterion"];
        switch (rl.by) {
        case RateLimit::By::Consumer:
            if (keyScheme && !keyScheme->header.isEmpty()) {
                sc["requestHeaderName"] = keyScheme->header;
                m_warnings << QStringLiteral(
                    "%1: rate limit by consumer counted per %2 value (per key, not per "
                    "consumer)")
                                  .arg(where, keyScheme->header);
            } else {
                sc["ipStrategy"] = DocNode::map();
                m_warnings << QStringLiteral("%1: rate limit by consumer counted per client IP").arg(where);
            }
            break;
        case RateLimit::By::Ip:
            sc["ipStrategy"] = DocNode::map();
            break;
        case RateLimit::By::Route:
            sc["requestHost"] = true;
            m_warnings << QStringLiteral("%1: rate limit by route counted per request host").arg(where);
            break;
        case RateLimit::By::Header:
            sc["requestHeaderName"] = rl.header;
            break;
        }
        names << mw;
    }
    for (const Consumer &c : m_ws.consumers) {
        if (!c.tier.isEmpty() && !routeAuth.schemes.isEmpty()) {
            m_warnings << QStringLiteral("%1: tier rate limits not exported; Traefik does not know consumers")
                              .arg(where);
            break;
        }
    }
    if (!f.stripPrefix.isEmpty()) {
        const QString mw = f.name + QStringLiteral("-strip");
        m_middlewares[mw]["stripPrefix"]["prefixes"] = QStringList { f.stripPrefix };
        names << mw;
    }
    KeyValues responseSet = routeTransforms.response.headers.set;
    responseSet.append(f.responseHeaders);
    if (!routeTransforms.request.headers.set.isEmpty() || !routeTransforms.request.headers.remove.isEmpty()
        || !responseSet.isEmpty() || !routeTransforms.response.headers.remove.isEmpty()) {
        const QString mw = f.name + QStringLiteral("-headers");
        DocNode &h = m_middlewares[mw]["headers"];
        for (const auto &[k, v] : routeTransforms.request.headers.set)
            h["customRequestHeaders"][k] = v;
        for (const QString &k : routeTransforms.request.headers.remove)
            h["customRequestHeaders"][k] = ""; // an empty value removes the header
        for (const auto &[k, v] : responseSet)
            h["customResponseHeaders"][k] = v;
        for (const QString &k : routeTransforms.response.headers.remove)
            h["customResponseHeaders"][k] = "";
        names << mw;
    }
    if (!routeTransforms.request.headers.rename.isEmpty()
        || !routeTransforms.response.headers.rename.isEmpty())
        m_warnings
            << QStringLiteral("%1: header rename not exported (Traefik sets and removes only)").arg(where);
    if (!routeTransforms.request.query.empty())
        m_warnings << QStringLiteral("%1: request query set/remove not exported").arg(where);
    if (!routeTransforms.response.jsonRemove.isEmpty())
        m_warnings << QStringLiteral("%1: response json remove (%2) not exported")
                          .arg(where, routeTransforms.response.jsonRemove.join(u", "));
    const Upstream *u = findUpstream(m_ws, f.upstream);
    if (u && u->retries > 0) {
        const QString mw = f.name + QStringLiteral("-retry");
        m_middlewares[mw]["retry"]["attempts"] = u->retries + 1;
        names << mw;
    }
    return names;
}

ExportResult TraefikBuilder::build()
{
    DocNode routers = DocNode::map();
    for (const FlatRoute &f : flattenRoutes(m_ws)) {
        if (!f.route->aggregate.isEmpty() || f.route->mock) {
            m_warnings << QStringLiteral("route %1: %2 has no Traefik equivalent; not exported")
                              .arg(f.name,
                                  f.route->mock ? QStringLiteral("mock") : QStringLiteral("aggregate"));
            continue;
        }
        if (!findUpstream(m_ws, f.upstream)) {
            m_warnings << QStringLiteral("route %1: upstream %2 is not defined; not exported")
                              .arg(f.name, f.upstream);
            continue;
        }
        if (transcodes(m_ws, f)) {
            m_warnings << QStringLiteral(
                "route %1: Traefik cannot transcode REST to gRPC (grpc.transcode); not exported")
                              .arg(f.name);
            continue;
        }
        DocNode r;
        r["rule"] = rule(f.match);
        QStringList mws = middlewares(f);
        if (isGrpcRoute(m_ws, f)) {
            // gRPC-Web to native gRPC, as Portico translates it; CORS stays the route's business.
            const QString mw = f.name + QStringLiteral("-grpc-web");
            m_middlewares[mw]["grpcWeb"] = DocNode::map();
            mws.prepend(mw);
        }
        if (!mws.isEmpty())
            r["middlewares"] = mws;
        r["service"] = f.upstream;
        if (m_ws.gateway.tls)
            r["tls"] = DocNode::map();
        routers[f.name] = r;
    }
    DocNode services = DocNode::map();
    DocNode transports = DocNode::map();
    for (const Upstream &u : m_ws.upstreams) {
        services[u.name] = service(u);
        DocNode &t = transports[u.name]["forwardingTimeouts"];
        t["dialTimeout"] = goDuration(u.connectTimeout);
        t["responseHeaderTimeout"] = goDuration(u.responseTimeout);
        // Traefik would negotiate HTTP/2 with https servers; Portico's http1 upstreams get HTTP/1.1.
        const bool tls = !u.targets.isEmpty() && schemeOf(u.targets.first().url) == u"https";
        if (u.protocol == config::UpstreamProtocol::Http1 && tls)
            transports[u.name]["disableHTTP2"] = true;
    }
    for (const Route &r : m_ws.routes) {
        if (r.timeout)
            m_warnings << QStringLiteral(
                "route %1: timeout %2 not exported; Traefik sets timeouts per upstream "
                "(serversTransport)")
                              .arg(r.name, durationText(*r.timeout));
    }
    DocNode doc;
    DocNode &http = doc["http"];
    http["routers"] = routers;
    http["services"] = services;
    if (!m_middlewares.isEmpty())
        http["middlewares"] = m_middlewares;
    http["serversTransports"] = transports;
    if (m_ws.gateway.tls) {
        DocNode cert;
        auto abs = [&](const QString &p) {
            return QFileInfo(p).isRelative() && !m_ws.filePath.isEmpty()
                ? QFileInfo(m_ws.filePath).absoluteDir().filePath(p)
                : p;
        };
        cert["certFile"] = abs(m_ws.gateway.tls->cert);
        cert["keyFile"] = abs(m_ws.gateway.tls->key);
        doc["tls"]["certificates"].append(cert);
    }
    QStringList listen;
    for (const HostPort &hp : m_ws.gateway.listen)
        listen << hp.toString();
    m_warnings << QStringLiteral("gateway.listen: entry points are Traefik static configuration; add "
                                 "entryPoints with address %1")
                      .arg(listen.join(u", "));
    m_warnings << QStringLiteral("gateway.limits: body/header limits and timeouts belong to Traefik's entry "
                                 "points (static configuration); not exported");
    m_warnings << QStringLiteral("tracing: propagation %1 is set in Traefik's static tracing configuration; "
                                 "not exported")
                      .arg(m_ws.tracing.propagation.join(u", "));
    warnPorticoOnly(m_ws,
        { QStringLiteral("Traefik"), true,
            QStringLiteral("Traefik's API and dashboard (api in the static configuration) show its state; "
                           "changes go through its providers") },
        m_warnings);

    ExportResult result;
    result.text = doc.toYaml();
    result.warnings = m_warnings;
    result.suggestedFileName = QStringLiteral("traefik-dynamic.yaml");
    return result;
}

} // namespace

ExportResult exportTraefik(const Workspace &ws)
{
    return TraefikBuilder(ws).build();
}

} // namespace portico::exporter
