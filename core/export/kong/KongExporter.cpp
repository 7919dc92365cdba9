#include "core/export/kong/KongExporter.h"

#include "core/export/DocNode.h"
#include "core/export/ExportSupport.h"
#include "core/export/GrpcExport.h"
#include "core/export/kong/KongGrpc.h"

namespace portico::exporter {

using namespace portico::config;

namespace {

QString kongAlgorithm(Balance b)
{
    switch (b) {
    case Balance::RoundRobin:
        return QStringLiteral("round-robin");
    case Balance::LeastConnections:
        return QStringLiteral("least-connections");
    case Balance::IpHash:
        return QStringLiteral("consistent-hashing");
    }
    return {};
}

DocNode headerPairs(const KeyValues &kv)
{
    DocNode list = DocNode::list();
    for (const auto &[k, v] : kv)
        list.append(k + u':' + v);
    return list;
}

class KongBuilder
{
public:
    explicit KongBuilder(const Workspace &ws)
        : m_ws(ws)
    {
    }

    ExportResult build();

private:
    DocNode upstream(const Upstream &u);
    DocNode service(const FlatRoute &f, const Upstream &u);
    DocNode route(const FlatRoute &f);
    DocNode plugins(const FlatRoute &f);
    DocNode rateLimiting(const RateLimit &r, const QString &where);
    void sharedStore(DocNode &config);
    DocNode consumer(const Consumer &c);
    void globalSettings(DocNode &doc);

    const Workspace &m_ws;
    QStringList m_warnings;
    QList<const AuthScheme *> m_jwtSchemes; // jwt schemes used by a route: one issuer consumer each
};

DocNode KongBuilder::upstream(const Upstream &u)
{
    DocNode n;
    n["name"] = u.name;
    n["algorithm"] = kongAlgorithm(u.balance);
    if (u.balance == Balance::IpHash)
        n["hash_on"] = "ip";
    if (u.healthCheck) {
        const HealthCheck &h = *u.healthCheck;
        const bool https = !u.targets.isEmpty() && schemeOf(u.targets.first().url) == u"https";
        DocNode &active = n["healthchecks"]["active"];
        active["type"] = https ? "https" : "http";
        active["http_path"] = h.path;
        active["timeout"] = toSeconds(h.timeout);
        active["healthy"]["interval"] = toSeconds(h.interval);
        active["healthy"]["successes"] = h.healthyAfter;
        active["unhealthy"]["interval"] = toSeconds(h.interval);
        active["unhealthy"]["http_failures"] = h.unhealthyAfter;
        active["unhealthy"]["tcp_failures"] = h.unhealthyAfter;
        active["unhealthy"]["timeouts"] = h.unhealthyAfter;
        if (h.interval.count() % 1000 || h.timeout.count() % 1000)
            m_warnings << QStringLiteral(
                "upstream %1: Kong health check intervals and timeouts are whole seconds; "
                "rounded up")
                              .arg(u.name);
    }
    DocNode targets = DocNode::list();
    QString scheme;
    for (const Target &t : u.targets) {
        DocNode tn;
        tn["target"] = hostPort(t.url);
        tn["weight"] = t.weight;
        targets.append(tn);
        if (!scheme.isEmpty() && scheme != schemeOf(t.url))
            m_warnings << QStringLiteral("upstream %1: mixes http and https targets; Kong uses the service "
                                         "protocol (%2) for all")
                              .arg(u.name, scheme);
        if (scheme.isEmpty())
            scheme = schemeOf(t.url);
    }
    n["targets"] = targets;
    // Kong proxies http/https services over HTTP/1.1; it speaks HTTP/2 to an upstream only for gRPC
    // services (grpc: h2c, grpcs: h2), whose routes then take gRPC requests only.
    if (u.protocol != UpstreamProtocol::Http1 && !servesOnlyGrpc(m_ws, u.name)) {
        const bool h2c = u.protocol == UpstreamProtocol::H2c;
        m_warnings << QStringLiteral("upstream %1: protocol %2 not exported: Kong speaks HTTP/1.1 to "
                                     "http/https services and HTTP/2 only to gRPC services; exported as %3. "
                                     "For a gRPC upstream set its services' protocol to %4 (and their "
                                     "routes' protocols to grpc, grpcs)")
                          .arg(u.name, upstreamProtocolName(u.protocol),
                              h2c ? QStringLiteral("http") : QStringLiteral("https"),
                              h2c ? QStringLiteral("grpc") : QStringLiteral("grpcs"));
    }
    return n;
}

DocNode KongBuilder::service(const FlatRoute &f, const Upstream &u)
{
    const QString scheme = u.targets.isEmpty() ? QStringLiteral("http") : schemeOf(u.targets.first().url);
    DocNode n;
    n["name"] = f.name;
    n["protocol"] = scheme;
    n["host"] = u.name; // names the Kong upstream of the same name
    n["port"] = scheme == u"https" ? 443 : 80;
    const QString rest = f.stripPrefix.isEmpty() ? QString() : f.match.path.mid(f.stripPrefix.size());
    if (!rest.isEmpty())
        n["path"] = rest;
    const Duration response = f.route->timeout.value_or(u.responseTimeout);
    n["connect_timeout"] = qint64(u.connectTimeout.count());
    n["read_timeout"] = qint64(response.count());
    n["write_timeout"] = qint64(response.count());
    n["retries"] = u.retries;
    DocNode routes = DocNode::list();
    routes.append(route(f));
    n["routes"] = routes;
    return n;
}

DocNode KongBuilder::route(const FlatRoute &f)
{
    DocNode n;
    n["name"] = f.name;
    switch (f.match.pathKind) {
    case RouteMatch::PathKind::Prefix:
        n["paths"] = QStringList { f.match.path };
        break;
    case RouteMatch::PathKind::Exact:
        n["paths"] = QStringList { u'~' + regexEscape(f.match.path) + u'$' };
        break;
    case RouteMatch::PathKind::Regex: {
        QString re = f.match.path;
        if (re.startsWith(u'^'))
            re.remove(0, 1); // Kong anchors regex paths at the start itself
        n["paths"] = QStringList { u'~' + re };
        break;
    }
    }
    if (!f.match.methods.isEmpty())
        n["methods"] = f.match.methods;
    if (!f.match.hosts.isEmpty())
        n["hosts"] = f.match.hosts;
    if (!f.match.headers.isEmpty()) {
        DocNode &headers = n["headers"];
        for (const auto &[k, v] : f.match.headers)
            headers[k] = QStringList { v };
    }
    n["strip_path"] = !f.stripPrefix.isEmpty();
    n["preserve_host"] = false;
    const DocNode p = plugins(f);
    if (!p.isEmpty())
        n["plugins"] = p;
    if (f.route->versions) {
        QStringList tags { QStringLiteral("portico-route:") + f.route->name };
        tags << QStringLiteral("portico-version:") + f.version;
        n["tags"] = tags;
    }
    return n;
}

DocNode KongBuilder::rateLimiting(const RateLimit &r, const QString &where)
{
    DocNode n;
    n["name"] = "rate-limiting";
    DocNode &c = n["config"];
    static const std::pair<qint64, const char *> units[]
        = { { 1000, "second" }, { 60'000, "minute" }, { 3'600'000, "hour" }, { 86'400'000, "day" } };
    bool exact = false;
    for (const auto &[ms, unit] : units) {
        if (r.per.count() == ms) {
            c[unit] = r.requests;
            exact = true;
        }
    }
    if (!exact) {
        // Kong counts per fixed second/minute/hour/day: scale to the nearest unit not shorter than per.
        qint64 unitMs = 86'400'000;
        const char *unit = "day";
        for (const auto &[ms, name] : units) {
            if (ms >= r.per.count()) {
                unitMs = ms;
                unit = name;
                break;
            }
        }
        const qint64 scaled = qMax<qint64>(1, qint64(r.requests) * unitMs / qMax<qint64>(1, r.per.count()));
        c[unit] = scaled;
        m_warnings << QStringLiteral("%1: rate limit %2 has no Kong window; exported as %3 per %4")
                          .arg(where, rateLimitText(r))
                          .arg(scaled)
                          .arg(QString::fromLatin1(unit));
    }
    switch (r.by) {
    case RateLimit::By::Consumer:
        c["limit_by"] = "consumer";
        break;
    case RateLimit::By::Ip:
        c["limit_by"] = "ip";
        break;
    case RateLimit::By::Route:
        c["limit_by"] = "service"; // one Kong service per route, so per service is per route
        break;
    case RateLimit::By::Header:
        c["limit_by"] = "header";
        c["header_name"] = r.header;
        break;
    }
    sharedStore(c);
    return n;
}

// rate_limit_store.redis: Kong's own Redis policy, so the exported limits are shared by every Kong
// node as Portico's are by every instance. Kong counts fixed windows, not GCRA (as with "local").
void KongBuilder::sharedStore(DocNode &c)
{
    const RateLimitStoreSettings &store = m_ws.rateLimitStore;
    QString error;
    const std::optional<RedisAddress> address
        = store.shared() ? parseRedisUrl(store.redis, &error) : std::nullopt;
    if (!address) {
        c["policy"] = "local";
        return;
    }
    c["policy"] = "redis";
    DocNode &redis = c["redis"];
    redis["host"] = address->host;
    redis["port"] = int(address->port);
    redis["database"] = address->db;
    redis["timeout"] = int(store.timeout.count());
    if (!address->user.isEmpty())
        redis["username"] = address->user;
    if (!address->password.isEmpty()) {
        if (m_ws.envTemplates.contains(QStringLiteral("rate_limit_store.redis")))
            m_warnings << QStringLiteral(
                "rate_limit_store.redis comes from the environment: set the Redis "
                "password of the rate-limiting plugins (config.redis.password) yourself");
        else
            redis["password"] = address->password;
    }
    c["fault_tolerant"] = store.onError == RateLimitStoreSettings::OnError::Allow;
}

DocNode KongBuilder::plugins(const FlatRoute &f)
{
    const Route &r = *f.route;
    const AuthConfig &routeAuth = r.filters.value<AuthConfig>();
    const AclConfig &routeAcl = r.filters.value<AclConfig>();
    const RateLimitConfig &routeLimit = r.filters.value<RateLimitConfig>();
    const TransformConfig &routeTransforms = r.filters.value<TransformConfig>();
    const QString where = QStringLiteral("route %1").arg(f.route->name);
    DocNode list = DocNode::list();
    bool authDone = false;
    for (const QString &name : routeAuth.schemes) {
        const AuthScheme *a = findAuth(m_ws, name);
        if (!a)
            continue;
        if (authDone) {
            m_warnings << QStringLiteral(
                "%1: auth scheme %2 not exported: Kong requires every auth plugin on a "
                "route (AND), Portico accepts any one (OR)")
                              .arg(where, name);
            continue;
        }
        if (a->type == AuthType::ApiKey) {
            DocNode p;
            p["name"] = "key-auth";
            DocNode &c = p["config"];
            QStringList names;
            if (!a->header.isEmpty())
                names << a->header;
            if (!a->query.isEmpty() && !names.contains(a->query))
                names << a->query;
            c["key_names"] = names;
            c["key_in_header"] = !a->header.isEmpty();
            c["key_in_query"] = !a->query.isEmpty();
            c["key_in_body"] = false;
            c["hide_credentials"] = routeAuth.hideCredentials;
            list.append(p);
            authDone = true;
        } else if (a->type == AuthType::Jwt) {
            DocNode p;
            p["name"] = "jwt";
            DocNode &c = p["config"];
            c["key_claim_name"] = "iss";
            c["claims_to_verify"] = QStringList { QStringLiteral("exp") };
            c["header_names"] = QStringList { QStringLiteral("authorization") };
            list.append(p);
            authDone = true;
            if (!m_jwtSchemes.contains(a))
                m_jwtSchemes.append(a);
            if (routeAuth.hideCredentials)
                m_warnings << QStringLiteral(
                    "%1: hide_credentials: Kong's jwt plugin always forwards the token")
                                  .arg(where);
        } else {
            m_warnings << QStringLiteral("%1: auth scheme %2 (oauth2_introspection) needs Kong Enterprise's "
                                         "oauth2-introspection plugin; not exported")
                              .arg(where, name);
        }
    }
    if (!routeAuth.schemes.isEmpty() && !authDone)
        m_warnings << QStringLiteral("%1: exported WITHOUT authentication").arg(where);
    if (!routeAcl.allowGroups.isEmpty()) {
        DocNode p;
        p["name"] = "acl";
        p["config"]["allow"] = routeAcl.allowGroups;
        p["config"]["hide_groups_header"] = false;
        list.append(p);
    }
    if (routeLimit.limit)
        list.append(rateLimiting(*routeLimit.limit, where));

    if (!routeTransforms.request.empty()) {
        const RequestTransform &t = routeTransforms.request;
        DocNode p;
        p["name"] = "request-transformer";
        DocNode &c = p["config"];
        if (!t.headers.remove.isEmpty() || !t.query.remove.isEmpty()) {
            if (!t.headers.remove.isEmpty())
                c["remove"]["headers"] = t.headers.remove;
            if (!t.query.remove.isEmpty())
                c["remove"]["querystring"] = t.query.remove;
        }
        if (!t.headers.rename.isEmpty())
            c["rename"]["headers"] = headerPairs(t.headers.rename);
        // Portico's "set" replaces or adds: Kong's replace (if present) plus add (if absent).
        for (const char *op : { "replace", "add" }) {
            if (!t.headers.set.isEmpty())
                c[op]["headers"] = headerPairs(t.headers.set);
            if (!t.query.set.isEmpty())
                c[op]["querystring"] = headerPairs(t.query.set);
        }
        list.append(p);
    }
    KeyValues responseSet = routeTransforms.response.headers.set;
    responseSet.append(f.responseHeaders);
    if (!routeTransforms.response.empty() || !responseSet.isEmpty()) {
        const ResponseTransform &t = routeTransforms.response;
        DocNode p;
        p["name"] = "response-transformer";
        DocNode &c = p["config"];
        QStringList json;
        for (const QString &field : t.jsonRemove) {
            if (field.contains(u'.') || field.contains(u'['))
                m_warnings << QStringLiteral(
                    "%1: response json remove '%2': Kong's response-transformer removes "
                    "top-level fields only; not exported")
                                  .arg(where, field);
            else
                json << field;
        }
        if (!t.headers.remove.isEmpty())
            c["remove"]["headers"] = t.headers.remove;
        if (!json.isEmpty())
            c["remove"]["json"] = json;
        if (!t.headers.rename.isEmpty())
            c["rename"]["headers"] = headerPairs(t.headers.rename);
        for (const char *op : { "replace", "add" }) {
            if (!responseSet.isEmpty())
                c[op]["headers"] = headerPairs(responseSet);
        }
        list.append(p);
    }
    if (r.mock) {
        const Mock &m = *r.mock;
        DocNode p;
        p["name"] = "request-termination";
        DocNode &c = p["config"];
        c["status_code"] = m.status;
        QString body = m.body;
        if (!m.bodyFile.isEmpty()) {
            bool ok = false;
            body = QString::fromUtf8(readWorkspaceFile(m_ws, m.bodyFile, &ok));
            if (!ok)
                m_warnings << QStringLiteral(
                    "%1: mock body_file %2 could not be read; exported without a body")
                                  .arg(where, m.bodyFile);
        }
        for (const auto &[k, v] : m.headers) {
            if (k.compare(u"content-type", Qt::CaseInsensitive) == 0)
                c["content_type"] = v;
            else
                m_warnings << QStringLiteral("%1: mock header %2 not exported: request-termination sets only "
                                             "Content-Type")
                                  .arg(where, k);
        }
        if (!body.isEmpty())
            c["body"] = body;
        if (m.delay.count() > 0)
            m_warnings << QStringLiteral("%1: mock delay %2 not exported").arg(where, durationText(m.delay));
        list.append(p);
    }
    return list;
}

DocNode KongBuilder::consumer(const Consumer &c)
{
    DocNode n;
    n["username"] = c.name;
    if (!c.apiKeys.isEmpty()) {
        DocNode keys = DocNode::list();
        for (const QString &k : c.apiKeys) {
            DocNode kn;
            kn["key"] = k;
            keys.append(kn);
        }
        n["keyauth_credentials"] = keys;
    }
    if (!c.groups.isEmpty()) {
        DocNode acls = DocNode::list();
        for (const QString &g : c.groups) {
            DocNode an;
            an["group"] = g;
            acls.append(an);
        }
        n["acls"] = acls;
    }
    if (!c.jwtSubject.isEmpty())
        m_warnings << QStringLiteral("consumer %1: jwt_subject %2 not exported: Kong's jwt plugin finds the "
                                     "consumer by the token's iss claim, not by subject")
                          .arg(c.name, c.jwtSubject);
    if (const Tier *t = c.tier.isEmpty() ? nullptr : findTier(m_ws, c.tier)) {
        if (t->rateLimit) {
            DocNode p = rateLimiting(*t->rateLimit, QStringLiteral("tier %1").arg(t->name));
            p["tags"] = QStringList { QStringLiteral("portico-tier:") + t->name };
            DocNode plugins = DocNode::list();
            plugins.append(p);
            n["plugins"] = plugins;
        } else {
            n["tags"] = QStringList { QStringLiteral("portico-tier:") + t->name };
        }
    }
    return n;
}

void KongBuilder::globalSettings(DocNode &doc)
{
    const GatewaySettings &g = m_ws.gateway;
    QStringList listen;
    for (const HostPort &hp : g.listen)
        listen << hp.toString();
    // gateway.http2: Kong takes HTTP/2 from clients on listeners with the http2 flag.
    m_warnings << QStringLiteral("gateway.listen: set proxy_listen = %1 in kong.conf")
                      .arg(listen.join(g.http2 ? QStringLiteral(" http2, ") : QStringLiteral(", "))
                          + (g.http2 ? QStringLiteral(" http2") : QString()));
    if (g.tls)
        m_warnings << QStringLiteral(
            "gateway.tls: add the certificate %1 to Kong (certificates need PEM text, "
            "not a path); not exported")
                          .arg(g.tls->cert);
    if (g.workers != 0)
        m_warnings
            << QStringLiteral("gateway.workers: set nginx_worker_processes = %1 in kong.conf").arg(g.workers);
    const Limits defaults;
    if (g.limits.maxHeaderBytes != defaults.maxHeaderBytes || g.limits.headerTimeout != defaults.headerTimeout
        || g.limits.idleTimeout != defaults.idleTimeout)
        m_warnings << QStringLiteral("gateway.limits: header size and timeouts belong in kong.conf "
                                     "(nginx_http_* directives); not exported");
    DocNode size;
    size["name"] = "request-size-limiting";
    size["config"]["allowed_payload_size"] = g.limits.maxBodyBytes;
    size["config"]["size_unit"] = "bytes";
    doc["plugins"].append(size);
    m_warnings << QStringLiteral(
        "tracing: propagation %1 is not exported; enable Kong's opentelemetry plugin")
                      .arg(m_ws.tracing.propagation.join(u", "));
    warnPorticoOnly(
        m_ws, { QStringLiteral("Kong"), true, QStringLiteral("use Kong's Admin API") }, m_warnings);
}

ExportResult KongBuilder::build()
{
    DocNode doc;
    doc["_format_version"] = "3.0";
    DocNode services = DocNode::list();
    DocNode looseRoutes = DocNode::list();
    for (const FlatRoute &f : flattenRoutes(m_ws)) {
        if (!f.route->aggregate.isEmpty()) {
            m_warnings << QStringLiteral(
                "route %1: aggregate (fan-out to %2 upstreams) has no Kong equivalent; "
                "not exported")
                              .arg(f.name)
                              .arg(f.route->aggregate.size());
            continue;
        }
        if (f.route->mock) {
            looseRoutes.append(route(f)); // answered by request-termination, needs no service
            continue;
        }
        const Upstream *u = findUpstream(m_ws, f.upstream);
        if (!u) {
            m_warnings << QStringLiteral("route %1: upstream %2 is not defined; not exported")
                              .arg(f.name, f.upstream);
            continue;
        }
        DocNode s = service(f, *u);
        if (kongGrpcService(m_ws, f, *u, s, m_warnings))
            services.append(s);
    }
    if (!services.isEmpty())
        doc["services"] = services;
    if (!looseRoutes.isEmpty())
        doc["routes"] = looseRoutes;
    DocNode upstreams = DocNode::list();
    for (const Upstream &u : m_ws.upstreams)
        upstreams.append(upstream(u));
    if (!upstreams.isEmpty())
        doc["upstreams"] = upstreams;
    DocNode consumers = DocNode::list();
    for (const Consumer &c : m_ws.consumers)
        consumers.append(consumer(c));
    for (const AuthScheme *a : m_jwtSchemes) {
        // Kong's jwt plugin looks up the token's iss among consumers' jwt_secrets: one consumer per issuer.
        DocNode n;
        n["username"] = a->name;
        DocNode secret;
        secret["key"] = a->issuer;
        secret["algorithm"] = a->algorithms.isEmpty() ? QStringLiteral("HS256") : a->algorithms.first();
        if (!a->secret.isEmpty()) {
            secret["secret"]
                = m_ws.envTemplates.value(QStringLiteral("auth.%1.secret").arg(a->name), a->secret);
        } else if (!a->publicKey.isEmpty()) {
            bool ok = false;
            secret["rsa_public_key"] = QString::fromUtf8(readWorkspaceFile(m_ws, a->publicKey, &ok));
            if (!ok)
                m_warnings
                    << QStringLiteral("auth %1: public_key %2 could not be read").arg(a->name, a->publicKey);
        }
        if (!a->jwksUrl.isEmpty())
            m_warnings << QStringLiteral(
                "auth %1: jwks_url %2: Kong's jwt plugin has no JWKS support; put the "
                "issuer's public key in consumer %1's jwt_secrets")
                              .arg(a->name, a->jwksUrl.toString());
        if (a->algorithms.size() > 1)
            m_warnings << QStringLiteral(
                "auth %1: Kong checks one algorithm per credential; only %2 exported")
                              .arg(a->name, a->algorithms.first());
        if (!a->audience.isEmpty())
            m_warnings
                << QStringLiteral("auth %1: audience is not checked by Kong's jwt plugin").arg(a->name);
        if (a->clockSkew.count() > 0)
            m_warnings << QStringLiteral("auth %1: clock_skew not exported").arg(a->name);
        DocNode secrets = DocNode::list();
        secrets.append(secret);
        n["jwt_secrets"] = secrets;
        n["tags"] = QStringList { QStringLiteral("portico-jwt-issuer") };
        consumers.append(n);
    }
    if (!consumers.isEmpty())
        doc["consumers"] = consumers;
    globalSettings(doc);

    ExportResult result;
    result.text = doc.toYaml();
    result.warnings = m_warnings;
    result.suggestedFileName = QStringLiteral("kong.yaml");
    return result;
}

} // namespace

ExportResult exportKong(const Workspace &ws)
{
    return KongBuilder(ws).build();
}

} // namespace portico::exporter
