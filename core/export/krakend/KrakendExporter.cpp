#include "core/export/krakend/KrakendExporter.h"

#include "core/export/DocNode.h"
#include "core/export/ExportSupport.h"

namespace portico::exporter {

using namespace portico::config;

namespace {

const QStringList kAnyMethods { QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"),
    QStringLiteral("PATCH"), QStringLiteral("DELETE") };

class KrakendBuilder
{
public:
    explicit KrakendBuilder(const Workspace &ws)
        : m_ws(ws)
    {
    }
    ExportResult build();

private:
    DocNode backend(const Upstream &u, const QString &path, const QString &method, const QString &group = {});
    DocNode extraConfig(const FlatRoute &f);
    void warnUpstreams();

    const Workspace &m_ws;
    QStringList m_warnings;
};

DocNode KrakendBuilder::backend(
    const Upstream &u, const QString &path, const QString &method, const QString &group)
{
    DocNode b;
    b["url_pattern"] = path.isEmpty() ? QStringLiteral("/") : path;
    b["method"] = method;
    QStringList hosts;
    for (const Target &t : u.targets)
        hosts << QStringLiteral("%1://%2").arg(schemeOf(t.url), hostPort(t.url));
    b["host"] = hosts;
    b["encoding"] = group.isEmpty() ? "no-op" : "json";
    if (!group.isEmpty())
        b["group"] = group;
    return b;
}

DocNode KrakendBuilder::extraConfig(const FlatRoute &f)
{
    const Route &r = *f.route;
    const AuthConfig &routeAuth = r.filters.value<AuthConfig>();
    const AclConfig &routeAcl = r.filters.value<AclConfig>();
    const RateLimitConfig &routeLimit = r.filters.value<RateLimitConfig>();
    const TransformConfig &routeTransforms = r.filters.value<TransformConfig>();
    const QString where = QStringLiteral("route %1").arg(f.route->name);
    DocNode extra = DocNode::map();
    bool authDone = false;
    for (const QString &name : routeAuth.schemes) {
        const AuthScheme *a = findAuth(m_ws, name);
        if (!a)
            continue;
        if (a->type != AuthType::Jwt) {
            m_warnings << QStringLiteral(
                "%1: auth scheme %2 (%3) not exported: KrakenD CE validates JWT only")
                              .arg(where, name, authTypeText(a->type));
            continue;
        }
        if (authDone) {
            m_warnings << QStringLiteral("%1: auth scheme %2 not exported: one auth/validator per endpoint")
                              .arg(where, name);
            continue;
        }
        DocNode &v = extra["auth/validator"];
        v["alg"] = a->algorithms.isEmpty() ? QStringLiteral("RS256") : a->algorithms.first();
        if (a->algorithms.size() > 1)
            m_warnings << QStringLiteral("%1: auth/validator takes one algorithm; %2 exported")
                              .arg(where, a->algorithms.first());
        if (!a->jwksUrl.isEmpty()) {
            v["jwk_url"] = a->jwksUrl.toString();
            v["cache"] = true;
            if (a->jwksUrl.scheme() == u"http")
                v["disable_jwk_security"] = true;
        } else {
            m_warnings << QStringLiteral("%1: auth %2 without jwks_url: give auth/validator a jwk_local_path")
                              .arg(where, name);
        }
        if (!a->issuer.isEmpty())
            v["issuer"] = a->issuer;
        if (!a->audience.isEmpty())
            v["audience"] = a->audience;
        if (!routeAcl.allowGroups.isEmpty()) {
            v["roles_key"] = "groups";
            v["roles"] = routeAcl.allowGroups;
        }
        DocNode claim = DocNode::list();
        claim.append(a->consumerClaim);
        claim.append("X-Consumer-Name");
        v["propagate_claims"].append(claim);
        authDone = true;
    }
    if (!routeAcl.allowGroups.isEmpty() && !authDone)
        m_warnings << QStringLiteral(
            "%1: allow_groups not exported (KrakenD checks roles from JWT claims only)")
                          .arg(where);
    if (!routeAuth.schemes.isEmpty() && !authDone)
        m_warnings << QStringLiteral("%1: exported WITHOUT authentication").arg(where);
    if (routeLimit.limit) {
        const RateLimit &rl = *routeLimit.limit;
        DocNode &q = extra["qos/ratelimit/router"];
        q["every"] = goDuration(rl.per);
        switch (rl.by) {
        case RateLimit::By::Route:
            q["max_rate"] = rl.requests;
            break;
        case RateLimit::By::Ip:
            q["client_max_rate"] = rl.requests;
            q["strategy"] = "ip";
            break;
        case RateLimit::By::Header:
            q["client_max_rate"] = rl.requests;
            q["strategy"] = "header";
            q["key"] = rl.header;
            break;
        case RateLimit::By::Consumer:
            q["client_max_rate"] = rl.requests;
            q["strategy"] = "header";
            q["key"] = "X-Consumer-Name";
            m_warnings << QStringLiteral(
                "%1: rate limit by consumer counted per X-Consumer-Name header (set from "
                "the JWT claim)")
                              .arg(where);
            break;
        }
    }
    if (!routeTransforms.request.headers.empty() || !routeTransforms.request.query.empty())
        m_warnings << QStringLiteral(
            "%1: request header/query transforms not exported (needs modifier/martian)")
                          .arg(where);
    if (!routeTransforms.response.headers.empty() || !f.responseHeaders.isEmpty())
        m_warnings << QStringLiteral("%1: response header changes not exported").arg(where);
    return extra;
}

void KrakendBuilder::warnUpstreams()
{
    for (const Upstream &u : m_ws.upstreams) {
        if (u.healthCheck)
            m_warnings << QStringLiteral(
                "upstream %1: health check not exported (KrakenD has none for backends)")
                              .arg(u.name);
        if (u.balance != Balance::RoundRobin)
            m_warnings << QStringLiteral("upstream %1: balance %2 not exported; KrakenD balances round robin")
                              .arg(u.name,
                                  u.balance == Balance::IpHash ? QStringLiteral("ip_hash")
                                                               : QStringLiteral("least_connections"));
        if (u.retries > 0)
            m_warnings << QStringLiteral("upstream %1: retries not exported").arg(u.name);
        if (u.protocol == UpstreamProtocol::H2c)
            m_warnings << QStringLiteral(
                "upstream %1: protocol h2c not exported: KrakenD has no setting for "
                "HTTP/2 without TLS to a backend; exported as an http backend (HTTP/1.1)")
                              .arg(u.name);
        else if (u.protocol == UpstreamProtocol::H2)
            m_warnings << QStringLiteral(
                "upstream %1: protocol h2 not exported: KrakenD has no per-backend HTTP/2 "
                "setting; exported as an https backend")
                              .arg(u.name);
        for (const Target &t : u.targets) {
            if (t.weight != u.targets.first().weight) {
                m_warnings << QStringLiteral("upstream %1: target weights not exported").arg(u.name);
                break;
            }
        }
    }
}

ExportResult KrakendBuilder::build()
{
    DocNode endpoints = DocNode::list();
    bool prefixNoted = false;
    for (const FlatRoute &f : flattenRoutes(m_ws)) {
        const Route &r = *f.route;
        if (r.mock) {
            m_warnings << QStringLiteral("route %1: mock not exported (KrakenD CE has no static endpoint)")
                              .arg(f.name);
            continue;
        }
        if (f.match.pathKind == RouteMatch::PathKind::Regex) {
            m_warnings << QStringLiteral(
                "route %1: path_regex not exported (KrakenD endpoints are fixed paths)")
                              .arg(f.name);
            continue;
        }
        if (f.match.pathKind == RouteMatch::PathKind::Prefix && !prefixNoted) {
            m_warnings << QStringLiteral(
                "prefix routes become endpoints for their exact path; KrakenD CE has no "
                "prefix (wildcard) endpoints");
            prefixNoted = true;
        }
        if (!f.match.hosts.isEmpty() || !f.match.headers.isEmpty())
            m_warnings << QStringLiteral("route %1: host/header matching not exported").arg(f.name);
        const QString forwarded
            = f.stripPrefix.isEmpty() ? f.match.path : f.match.path.mid(f.stripPrefix.size());
        const Upstream *u = findUpstream(m_ws, f.upstream);
        if (r.aggregate.isEmpty() && !u) {
            m_warnings << QStringLiteral("route %1: upstream %2 is not defined; not exported")
                              .arg(f.name, f.upstream);
            continue;
        }
        const QStringList methods = f.match.methods.isEmpty() ? kAnyMethods : f.match.methods;
        const DocNode extra = extraConfig(f);
        for (const QString &method : methods) {
            DocNode e;
            e["endpoint"] = f.match.path;
            e["method"] = method;
            e["timeout"] = goDuration(r.timeout.value_or(u ? u->responseTimeout : Duration(30'000)));
            e["input_headers"] = QStringList { QStringLiteral("*") };
            e["input_query_strings"] = QStringList { QStringLiteral("*") };
            DocNode backends = DocNode::list();
            if (!r.aggregate.isEmpty()) {
                // KrakenD merges the backends' JSON answers, each under its group: Portico's aggregate.
                e["output_encoding"] = "json";
                for (const AggregatePart &p : r.aggregate) {
                    if (const Upstream *pu = findUpstream(m_ws, p.upstream))
                        backends.append(backend(*pu, p.path, method, p.key));
                }
            } else {
                e["output_encoding"] = "no-op";
                backends.append(backend(*u, forwarded, method));
            }
            e["backend"] = backends;
            if (!extra.isEmpty())
                e["extra_config"] = extra;
            endpoints.append(e);
        }
    }
    warnUpstreams();
    for (const Tier &t : m_ws.tiers) {
        if (t.rateLimit)
            m_warnings << QStringLiteral("tier %1: per-consumer plans not exported (KrakenD CE)").arg(t.name);
    }
    for (const Consumer &c : m_ws.consumers) {
        if (!c.apiKeys.isEmpty())
            m_warnings << QStringLiteral(
                "consumer %1: API keys not exported (auth/api-keys is KrakenD Enterprise)")
                              .arg(c.name);
    }

    DocNode doc;
    doc["$schema"] = "https://www.krakend.io/schema/v2.7/krakend.json";
    doc["version"] = 3;
    doc["name"] = "Portico export";
    const HostPort listen = m_ws.gateway.listen.isEmpty() ? HostPort { QStringLiteral("0.0.0.0"), 8080 }
                                                          : m_ws.gateway.listen.first();
    doc["port"] = int(listen.port);
    if (listen.host != u"0.0.0.0")
        doc["listen_ip"] = listen.host;
    if (m_ws.gateway.listen.size() > 1)
        m_warnings << QStringLiteral("gateway.listen: KrakenD listens on one port; %1 exported")
                          .arg(listen.toString());
    doc["timeout"] = "30s";
    doc["read_header_timeout"] = goDuration(m_ws.gateway.limits.headerTimeout);
    doc["idle_timeout"] = goDuration(m_ws.gateway.limits.idleTimeout);
    if (m_ws.gateway.tls) {
        doc["tls"]["public_key"] = m_ws.gateway.tls->cert;
        doc["tls"]["private_key"] = m_ws.gateway.tls->key;
    }
    doc["endpoints"] = endpoints;
    m_warnings << QStringLiteral("gateway.limits: body and header size limits not exported");
    if (m_ws.gateway.http2)
        m_warnings << QStringLiteral("gateway.http2: not exported; HTTP/2 from clients is KrakenD's service "
                                     "setting, outside the endpoints");
    for (const Consumer &c : m_ws.consumers) {
        if (!c.jwtSubject.isEmpty())
            m_warnings << QStringLiteral(
                "consumer %1: jwt_subject not exported; X-Consumer-Name carries the claim "
                "value")
                              .arg(c.name);
    }
    m_warnings << QStringLiteral(
        "tracing: propagation %1 needs KrakenD's telemetry/opentelemetry; not exported")
                      .arg(m_ws.tracing.propagation.join(u", "));
    warnPorticoOnly(m_ws,
        { QStringLiteral("KrakenD"), true,
            QStringLiteral("KrakenD has no management API: change krakend.json and redeploy") },
        m_warnings);

    ExportResult result;
    result.text = doc.toJson();
    result.warnings = m_warnings;
    result.suggestedFileName = QStringLiteral("krakend.json");
    return result;
}

} // namespace

ExportResult exportKrakend(const Workspace &ws)
{
    return KrakendBuilder(ws).build();
}

} // namespace portico::exporter
