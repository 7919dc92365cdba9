#include "core/export/envoy/EnvoyExporter.h"

#include "core/export/DocNode.h"
#include "core/export/ExportSupport.h"
#include "core/export/envoy/EnvoyGrpc.h"

#include <QDir>
#include <QFileInfo>
#include <QHostAddress>

namespace portico::exporter {

using namespace portico::config;

namespace {

const QString kApi = QStringLiteral("type.googleapis.com/envoy.extensions.");
const QString kJwtFilter = QStringLiteral("envoy.filters.http.jwt_authn");
const QString kRateFilter = QStringLiteral("envoy.filters.http.local_ratelimit");

DocNode socketAddress(const QString &host, int port)
{
    DocNode n;
    n["socket_address"]["address"] = host;
    n["socket_address"]["port_value"] = port;
    return n;
}

DocNode headerValues(const KeyValues &kv)
{
    DocNode list = DocNode::list();
    for (const auto &[k, v] : kv) {
        DocNode h;
        h["header"]["key"] = k;
        h["header"]["value"] = v;
        h["append_action"] = "OVERWRITE_IF_EXISTS_OR_ADD";
        list.append(h);
    }
    return list;
}

class EnvoyBuilder
{
public:
    explicit EnvoyBuilder(const Workspace &ws)
        : m_ws(ws)
    {
    }
    ExportResult build();

private:
    DocNode cluster(const Upstream &u);
    DocNode route(const FlatRoute &f);
    DocNode routeMatch(const RouteMatch &m);
    DocNode jwtFilter();
    ExportResult finish(const DocNode &hostlessRoutes);

    const Workspace &m_ws;
    QList<std::pair<QStringList, DocNode>> m_hostRoutes; // routes of a host set, in route order
    QStringList m_requirements; // jwt requirement names routes use
    QStringList m_warnings;
    EnvoyGrpc m_grpc { m_ws, m_warnings };
    QList<const AuthScheme *> m_jwtSchemes;
    DocNode m_jwksClusters = DocNode::list();
};

DocNode EnvoyBuilder::cluster(const Upstream &u)
{
    DocNode c;
    c["name"] = u.name;
    bool allIps = true;
    for (const Target &t : u.targets)
        allIps = allIps && !QHostAddress(urlHost(t.url)).isNull();
    c["type"] = allIps ? "STATIC" : "STRICT_DNS";
    c["connect_timeout"] = protoDuration(u.connectTimeout);
    switch (u.balance) {
    case Balance::RoundRobin:
        c["lb_policy"] = "ROUND_ROBIN";
        break;
    case Balance::LeastConnections:
        c["lb_policy"] = "LEAST_REQUEST";
        break;
    case Balance::IpHash:
        c["lb_policy"] = "RING_HASH"; // with a source_ip hash_policy on the routes that use it
        break;
    }
    DocNode endpoints = DocNode::list();
    for (const Target &t : u.targets) {
        DocNode e;
        e["endpoint"]["address"] = socketAddress(urlHost(t.url), urlPort(t.url));
        e["load_balancing_weight"] = t.weight;
        endpoints.append(e);
    }
    c["load_assignment"]["cluster_name"] = u.name;
    DocNode locality;
    locality["lb_endpoints"] = endpoints;
    c["load_assignment"]["endpoints"].append(locality);
    if (u.healthCheck) {
        DocNode hc;
        hc["timeout"] = protoDuration(u.healthCheck->timeout);
        hc["interval"] = protoDuration(u.healthCheck->interval);
        hc["unhealthy_threshold"] = u.healthCheck->unhealthyAfter;
        hc["healthy_threshold"] = u.healthCheck->healthyAfter;
        hc["http_health_check"]["path"] = u.healthCheck->path;
        c["health_checks"].append(hc);
    }
    if (!u.targets.isEmpty() && schemeOf(u.targets.first().url) == u"https") {
        DocNode &ts = c["transport_socket"];
        ts["name"] = "envoy.transport_sockets.tls";
        ts["typed_config"]["@type"] = kApi + QStringLiteral("transport_sockets.tls.v3.UpstreamTlsContext");
        ts["typed_config"]["sni"] = urlHost(u.targets.first().url);
        if (u.protocol == UpstreamProtocol::H2)
            ts["typed_config"]["common_tls_context"]["alpn_protocols"] = QStringList { QStringLiteral("h2") };
    }
    if (u.protocol != UpstreamProtocol::Http1) {
        // h2c and h2: the cluster speaks HTTP/2 (prior knowledge in clear text, ALPN h2 over TLS).
        const QString type = QStringLiteral("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
        DocNode &options = c["typed_extension_protocol_options"][type];
        options["@type"] = QStringLiteral("type.googleapis.com/") + type;
        options["explicit_http_config"]["http2_protocol_options"] = DocNode::map();
    }
    return c;
}

DocNode EnvoyBuilder::routeMatch(const RouteMatch &m)
{
    DocNode match;
    switch (m.pathKind) {
    case RouteMatch::PathKind::Prefix:
        match["prefix"] = m.path;
        break;
    case RouteMatch::PathKind::Exact:
        match["path"] = m.path;
        break;
    case RouteMatch::PathKind::Regex:
        match["safe_regex"]["regex"] = m.path;
        break;
    }
    DocNode headers = DocNode::list();
    if (!m.methods.isEmpty()) {
        DocNode h;
        h["name"] = ":method";
        h["string_match"]["safe_regex"]["regex"] = QStringLiteral("^(%1)$").arg(m.methods.join(u'|'));
        headers.append(h);
    }
    for (const auto &[k, v] : m.headers) {
        DocNode h;
        h["name"] = k;
        h["string_match"]["exact"] = v;
        headers.append(h);
    }
    if (!headers.isEmpty())
        match["headers"] = headers;
    return match;
}

DocNode EnvoyBuilder::route(const FlatRoute &f)
{
    const Route &r = *f.route;
    const AuthConfig &routeAuth = r.filters.value<AuthConfig>();
    const AclConfig &routeAcl = r.filters.value<AclConfig>();
    const RateLimitConfig &routeLimit = r.filters.value<RateLimitConfig>();
    const TransformConfig &routeTransforms = r.filters.value<TransformConfig>();
    const QString where = QStringLiteral("route %1").arg(f.route->name);
    DocNode n;
    n["name"] = f.name;
    n["match"] = routeMatch(f.match);
    const Upstream *u = findUpstream(m_ws, f.upstream);
    if (r.mock) {
        n["direct_response"]["status"] = r.mock->status;
        QString body = r.mock->body;
        if (!r.mock->bodyFile.isEmpty())
            n["direct_response"]["body"]["filename"]
                = QFileInfo(r.mock->bodyFile).isRelative() && !m_ws.filePath.isEmpty()
                ? QFileInfo(m_ws.filePath).absoluteDir().filePath(r.mock->bodyFile)
                : r.mock->bodyFile;
        else
            n["direct_response"]["body"]["inline_string"] = body;
        if (!r.mock->headers.isEmpty())
            n["response_headers_to_add"] = headerValues(r.mock->headers);
        if (r.mock->delay.count() > 0)
            m_warnings
                << QStringLiteral("%1: mock delay %2 not exported").arg(where, durationText(r.mock->delay));
    } else {
        DocNode &rt = n["route"];
        rt["cluster"] = f.upstream;
        if (!f.stripPrefix.isEmpty()) {
            rt["regex_rewrite"]["pattern"]["regex"]
                = QStringLiteral("^%1/?(.*)").arg(regexEscape(f.stripPrefix));
            rt["regex_rewrite"]["substitution"] = "/\\1";
        }
        rt["timeout"] = protoDuration(r.timeout.value_or(u ? u->responseTimeout : Duration(30'000)));
        if (u && u->retries > 0) {
            rt["retry_policy"]["retry_on"] = "connect-failure,reset";
            rt["retry_policy"]["num_retries"] = u->retries;
        }
        if (u && u->balance == Balance::IpHash) {
            DocNode hp;
            hp["connection_properties"]["source_ip"] = true;
            rt["hash_policy"].append(hp);
        }
    }
    KeyValues requestSet = routeTransforms.request.headers.set;
    if (!requestSet.isEmpty())
        n["request_headers_to_add"] = headerValues(requestSet);
    QStringList requestRemove = routeTransforms.request.headers.remove;
    if (routeAuth.hideCredentials) {
        for (const QString &name : routeAuth.schemes) {
            if (const AuthScheme *a = findAuth(m_ws, name);
                a && a->type == AuthType::ApiKey && !a->header.isEmpty())
                requestRemove << a->header;
        }
    }
    if (!requestRemove.isEmpty())
        n["request_headers_to_remove"] = requestRemove;
    KeyValues responseSet = routeTransforms.response.headers.set;
    responseSet.append(f.responseHeaders);
    if (!responseSet.isEmpty() && !r.mock)
        n["response_headers_to_add"] = headerValues(responseSet);
    if (!routeTransforms.response.headers.remove.isEmpty())
        n["response_headers_to_remove"] = routeTransforms.response.headers.remove;
    if (!routeTransforms.request.headers.rename.isEmpty()
        || !routeTransforms.response.headers.rename.isEmpty())
        m_warnings << QStringLiteral("%1: header rename not exported").arg(where);
    if (!routeTransforms.request.query.empty())
        m_warnings << QStringLiteral("%1: request query set/remove not exported").arg(where);
    if (!routeTransforms.response.jsonRemove.isEmpty())
        m_warnings << QStringLiteral("%1: response json remove (%2) not exported")
                          .arg(where, routeTransforms.response.jsonRemove.join(u", "));

    QStringList jwtProviders;
    for (const QString &name : routeAuth.schemes) {
        const AuthScheme *a = findAuth(m_ws, name);
        if (!a)
            continue;
        if (a->type == AuthType::Jwt) {
            jwtProviders << a->name;
            if (!m_jwtSchemes.contains(a))
                m_jwtSchemes << a;
        } else {
            m_warnings << QStringLiteral(
                "%1: auth scheme %2 (%3) not exported: Envoy needs an ext_authz service "
                "for it")
                              .arg(where, name, authTypeText(a->type));
        }
    }
    if (!jwtProviders.isEmpty()) {
        DocNode &cfg = n["typed_per_filter_config"][kJwtFilter];
        cfg["@type"] = kApi + QStringLiteral("filters.http.jwt_authn.v3.PerRouteConfig");
        cfg["requirement_name"] = jwtProviders.join(u'|');
        if (!m_requirements.contains(jwtProviders.join(u'|')))
            m_requirements << jwtProviders.join(u'|');
    } else if (!routeAuth.schemes.isEmpty()) {
        m_warnings << QStringLiteral("%1: exported WITHOUT authentication").arg(where);
    }
    if (!routeAcl.allowGroups.isEmpty())
        m_warnings << QStringLiteral("%1: allow_groups not exported (needs an RBAC policy on JWT claims)")
                          .arg(where);
    if (routeLimit.limit) {
        const RateLimit &rl = *routeLimit.limit;
        DocNode &cfg = n["typed_per_filter_config"][kRateFilter];
        cfg["@type"] = kApi + QStringLiteral("filters.http.local_ratelimit.v3.LocalRateLimit");
        cfg["stat_prefix"] = QStringLiteral("route_") + f.name;
        cfg["token_bucket"]["max_tokens"] = rl.requests;
        cfg["token_bucket"]["tokens_per_fill"] = rl.requests;
        cfg["token_bucket"]["fill_interval"] = protoDuration(rl.per);
        for (const char *key : { "filter_enabled", "filter_enforced" }) {
            cfg[key]["runtime_key"] = QStringLiteral("%1_%2").arg(f.name, QString::fromLatin1(key));
            cfg[key]["default_value"]["numerator"] = 100;
            cfg[key]["default_value"]["denominator"] = "HUNDRED";
        }
        DocNode retry;
        retry["header"]["key"] = "Retry-After";
        retry["header"]["value"] = QString::number(toSeconds(rl.per));
        cfg["response_headers_to_add"].append(retry);
        if (rl.by != RateLimit::By::Route)
            m_warnings << QStringLiteral(
                "%1: local_ratelimit counts per route (per Envoy instance); by %2 not "
                "exported")
                              .arg(where, rateLimitText(rl).section(u' ', -1));
    }
    if (!m_grpc.route(f, n))
        return {};
    return n;
}

DocNode EnvoyBuilder::jwtFilter()
{
    DocNode cfg;
    cfg["@type"] = kApi + QStringLiteral("filters.http.jwt_authn.v3.JwtAuthentication");
    DocNode &providers = cfg["providers"];
    QStringList names;
    for (const AuthScheme *a : m_jwtSchemes) {
        DocNode &p = providers[a->name];
        if (!a->issuer.isEmpty())
            p["issuer"] = a->issuer;
        if (!a->audience.isEmpty())
            p["audiences"] = a->audience;
        if (!a->jwksUrl.isEmpty()) {
            const QString cluster = QStringLiteral("jwks_") + a->name;
            p["remote_jwks"]["http_uri"]["uri"] = a->jwksUrl.toString();
            p["remote_jwks"]["http_uri"]["cluster"] = cluster;
            p["remote_jwks"]["http_uri"]["timeout"] = "5s";
            p["remote_jwks"]["cache_duration"] = "300s";
            DocNode c;
            c["name"] = cluster;
            c["type"] = QHostAddress(a->jwksUrl.host()).isNull() ? "STRICT_DNS" : "STATIC";
            c["connect_timeout"] = "2s";
            c["load_assignment"]["cluster_name"] = cluster;
            DocNode e;
            e["endpoint"]["address"] = socketAddress(a->jwksUrl.host(), urlPort(a->jwksUrl));
            DocNode locality;
            locality["lb_endpoints"].append(e);
            c["load_assignment"]["endpoints"].append(locality);
            m_jwksClusters.append(c);
        } else if (!a->publicKey.isEmpty()) {
            p["local_jwks"]["filename"] = a->publicKey;
            m_warnings << QStringLiteral("auth %1: local_jwks wants a JWKS file; convert the PEM %2")
                              .arg(a->name, a->publicKey);
        } else {
            m_warnings << QStringLiteral(
                "auth %1: HS256 secrets must be given to Envoy as a JWKS (kty oct); not "
                "exported")
                              .arg(a->name);
        }
        p["forward"] = false;
        if (a->clockSkew.count() > 0)
            p["clock_skew_seconds"] = toSeconds(a->clockSkew);
        DocNode claim;
        claim["header_name"] = "X-Consumer-Name";
        claim["claim_name"] = a->consumerClaim;
        p["claim_to_headers"].append(claim);
        names << a->name;
    }
    // One requirement per combination routes use: "a|b" accepts any of the providers.
    DocNode &reqs = cfg["requirement_map"];
    for (const QString &req : m_requirements) {
        const QStringList parts = req.split(u'|');
        if (parts.size() == 1) {
            reqs[req]["provider_name"] = req;
            continue;
        }
        DocNode any = DocNode::list();
        for (const QString &part : parts) {
            DocNode one;
            one["provider_name"] = part;
            any.append(one);
        }
        reqs[req]["requires_any"]["requirements"] = any;
    }
    return cfg;
}

ExportResult EnvoyBuilder::build()
{
    DocNode routes = DocNode::list();
    for (const FlatRoute &f : flattenRoutes(m_ws)) {
        if (!f.route->aggregate.isEmpty()) {
            m_warnings
                << QStringLiteral("route %1: aggregate has no Envoy equivalent; not exported").arg(f.name);
            continue;
        }
        if (!f.route->mock && !findUpstream(m_ws, f.upstream)) {
            m_warnings << QStringLiteral("route %1: upstream %2 is not defined; not exported")
                              .arg(f.name, f.upstream);
            continue;
        }
        const DocNode entry = route(f);
        if (entry.isNull())
            continue;
        if (f.match.hosts.isEmpty()) {
            routes.append(entry);
            continue;
        }
        bool grouped = false;
        for (auto &[hosts, list] : m_hostRoutes) {
            if (hosts == f.match.hosts) {
                list.append(entry);
                grouped = true;
            }
        }
        if (!grouped) {
            DocNode list = DocNode::list();
            list.append(entry);
            m_hostRoutes.append({ f.match.hosts, list });
        }
    }
    return finish(routes);
}

ExportResult EnvoyBuilder::finish(const DocNode &hostlessRoutes)
{
    // Envoy picks a virtual host by Host first: each host set gets its routes plus every route
    // without hosts, and "*" serves the routes without hosts.
    DocNode vhosts = DocNode::list();
    QStringList seenDomains;
    for (const auto &[hosts, list] : m_hostRoutes) {
        QStringList domains;
        for (const QString &h : hosts) {
            if (seenDomains.contains(h))
                m_warnings << QStringLiteral(
                    "host %1: used by routes with different host lists; Envoy allows a "
                    "domain in one virtual host only")
                                  .arg(h);
            else
                domains << h;
            seenDomains << h;
        }
        if (domains.isEmpty())
            continue;
        DocNode vh;
        vh["name"] = domains.first();
        vh["domains"] = domains;
        DocNode all = list;
        for (const DocNode &r : hostlessRoutes.items())
            all.append(r);
        vh["routes"] = all;
        vhosts.append(vh);
    }
    DocNode def;
    def["name"] = "default";
    def["domains"] = QStringList { QStringLiteral("*") };
    def["routes"] = hostlessRoutes;
    vhosts.append(def);

    DocNode hcm;
    hcm["@type"] = kApi + QStringLiteral("filters.network.http_connection_manager.v3.HttpConnectionManager");
    hcm["stat_prefix"] = "portico";
    // gateway.http2: AUTO takes HTTP/2 by prior knowledge (clear text) or ALPN h2 (TLS, below)
    // besides HTTP/1.1; without it the listener speaks HTTP/1.1 only, as Portico's does.
    hcm["codec_type"] = m_ws.gateway.http2 ? "AUTO" : "HTTP1";
    hcm["generate_request_id"] = true;
    hcm["always_set_request_id_in_response"] = true;
    hcm["request_headers_timeout"] = protoDuration(m_ws.gateway.limits.headerTimeout);
    hcm["common_http_protocol_options"]["idle_timeout"] = protoDuration(m_ws.gateway.limits.idleTimeout);
    hcm["max_request_headers_kb"]
        = qBound(qint64(1), (m_ws.gateway.limits.maxHeaderBytes + 1023) / 1024, qint64(8192));
    // Paths are read as Portico reads them (README "How Portico reads a path").
    const config::PathRules &paths = m_ws.gateway.paths;
    hcm["normalize_path"] = true;
    hcm["merge_slashes"] = paths.mergeSlashes;
    hcm["path_with_escaped_slashes_action"]
        = paths.escapedSlashes == config::PathRules::EscapedSlashes::Reject ? "REJECT_REQUEST"
        : paths.escapedSlashes == config::PathRules::EscapedSlashes::Decode ? "UNESCAPE_AND_FORWARD"
                                                                            : "KEEP_UNCHANGED";
    hcm["route_config"]["name"] = "portico";
    hcm["route_config"]["virtual_hosts"] = vhosts;
    DocNode filters = DocNode::list();
    if (!m_jwtSchemes.isEmpty()) {
        DocNode jwt;
        jwt["name"] = kJwtFilter;
        jwt["typed_config"] = jwtFilter();
        filters.append(jwt);
    }
    DocNode rl;
    rl["name"] = kRateFilter;
    rl["typed_config"]["@type"] = kApi + QStringLiteral("filters.http.local_ratelimit.v3.LocalRateLimit");
    rl["typed_config"]["stat_prefix"] = "http_local_rate_limiter"; // limits are set per route
    filters.append(rl);
    m_grpc.filters(filters);
    DocNode router;
    router["name"] = "envoy.filters.http.router";
    router["typed_config"]["@type"] = kApi + QStringLiteral("filters.http.router.v3.Router");
    filters.append(router);
    hcm["http_filters"] = filters;

    DocNode listeners = DocNode::list();
    int i = 0;
    for (const HostPort &hp : m_ws.gateway.listen) {
        DocNode l;
        l["name"] = QStringLiteral("listener_%1").arg(i++);
        l["address"] = socketAddress(hp.host, hp.port);
        DocNode chain;
        DocNode f;
        f["name"] = "envoy.filters.network.http_connection_manager";
        f["typed_config"] = hcm;
        chain["filters"].append(f);
        if (m_ws.gateway.tls) {
            auto abs = [&](const QString &p) {
                return QFileInfo(p).isRelative() && !m_ws.filePath.isEmpty()
                    ? QFileInfo(m_ws.filePath).absoluteDir().filePath(p)
                    : p;
            };
            DocNode &ts = chain["transport_socket"];
            ts["name"] = "envoy.transport_sockets.tls";
            ts["typed_config"]["@type"]
                = kApi + QStringLiteral("transport_sockets.tls.v3.DownstreamTlsContext");
            DocNode cert;
            cert["certificate_chain"]["filename"] = abs(m_ws.gateway.tls->cert);
            cert["private_key"]["filename"] = abs(m_ws.gateway.tls->key);
            ts["typed_config"]["common_tls_context"]["tls_certificates"].append(cert);
            if (m_ws.gateway.http2)
                ts["typed_config"]["common_tls_context"]["alpn_protocols"]
                    = QStringList { QStringLiteral("h2"), QStringLiteral("http/1.1") };
        }
        l["filter_chains"].append(chain);
        listeners.append(l);
    }
    DocNode clusters = DocNode::list();
    for (const Upstream &u : m_ws.upstreams)
        clusters.append(cluster(u));
    for (const DocNode &c : m_jwksClusters.items())
        clusters.append(c);

    DocNode doc;
    doc["static_resources"]["listeners"] = listeners;
    doc["static_resources"]["clusters"] = clusters;
    if (m_ws.gateway.limits.maxBodyBytes != Limits().maxBodyBytes)
        m_warnings << QStringLiteral(
            "gateway.limits.max_body_bytes: add a buffer filter to enforce it; not exported");
    for (const Tier &t : m_ws.tiers) {
        if (t.rateLimit)
            m_warnings << QStringLiteral(
                "tier %1: per-consumer limits need a rate limit service; not exported")
                              .arg(t.name);
    }
    for (const Consumer &c : m_ws.consumers) {
        if (!c.apiKeys.isEmpty())
            m_warnings << QStringLiteral("consumer %1: API keys not exported (no key auth without ext_authz)")
                              .arg(c.name);
        if (!c.jwtSubject.isEmpty())
            m_warnings << QStringLiteral(
                "consumer %1: jwt_subject not exported; X-Consumer-Name carries the claim "
                "value")
                              .arg(c.name);
    }
    if (m_ws.tracing.b3())
        m_warnings << QStringLiteral("tracing: b3 propagation needs a tracing provider; not exported");
    warnPorticoOnly(m_ws,
        { QStringLiteral("Envoy"), true,
            QStringLiteral("use Envoy's admin interface (the bootstrap's admin block)") },
        m_warnings);

    ExportResult result;
    result.text = doc.toYaml();
    result.warnings = m_warnings;
    result.suggestedFileName = QStringLiteral("envoy.yaml");
    m_grpc.files(result);
    return result;
}

} // namespace

ExportResult exportEnvoy(const Workspace &ws)
{
    return EnvoyBuilder(ws).build();
}

} // namespace portico::exporter
