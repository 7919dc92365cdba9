#include "core/export/nginx/NginxLocation.h"

#include "core/export/GrpcExport.h"

namespace portico::exporter {

using namespace portico::config;

namespace {

QString ident(const QString &name)
{
    QString out;
    for (const QChar c : name.toLower())
        out += c.isLetterOrNumber() && c.unicode() < 128 ? c : u'_';
    return out;
}

QString headerVar(const QString &header)
{
    return QStringLiteral("$http_") + ident(header);
}

// A single-quoted nginx string.
QString quoted(const QString &s)
{
    QString out = s;
    out.replace(u'\\', QStringLiteral("\\\\")).replace(u'\'', QStringLiteral("\\'"));
    return u'\'' + out + u'\'';
}

// The problem+json body comes from the server's error_page named locations (errorPages()):
// `default_type` is not allowed inside `if`.
QString problem(int status, const QString &, const QString &)
{
    return QStringLiteral("return %1;").arg(status);
}

} // namespace

NginxContext::NginxContext(const Workspace &ws, QStringList &warnings)
    : m_ws(ws)
    , m_warnings(warnings)
{
}

QString NginxContext::rateSpec(const RateLimit &r, const QString &where)
{
    const qint64 per = qMax<qint64>(1, r.per.count());
    if ((qint64(r.requests) * 1000) % per == 0)
        return QStringLiteral("%1r/s").arg(qint64(r.requests) * 1000 / per);
    if ((qint64(r.requests) * 60'000) % per == 0)
        return QStringLiteral("%1r/m").arg(qint64(r.requests) * 60'000 / per);
    const qint64 perMinute = qMax<qint64>(1, qint64(r.requests) * 60'000 / per);
    m_warnings << QStringLiteral("%1: rate limit %2 rounded to %3r/m (nginx rates are per second or minute)")
                      .arg(where, rateLimitText(r))
                      .arg(perMinute);
    return QStringLiteral("%1r/m").arg(perMinute);
}

QString NginxContext::keyMaps(const AuthScheme &a) const
{
    const QString id = ident(a.name);
    QString entries;
    for (const Consumer &c : m_ws.consumers) {
        for (const QString &key : c.apiKeys)
            entries += QStringLiteral("        %1 %2;\n").arg(quoted(key), quoted(c.name));
    }
    QString out;
    const QString h = QStringLiteral("$portico_%1_h").arg(id);
    const QString q = QStringLiteral("$portico_%1_q").arg(id);
    out += QStringLiteral("    map %1 %2 {\n        default \"\";\n%3    }\n")
               .arg(a.header.isEmpty() ? QStringLiteral("\"\"") : headerVar(a.header), h, entries);
    out += QStringLiteral("    map %1 %2 {\n        default \"\";\n%3    }\n")
               .arg(a.query.isEmpty() ? QStringLiteral("\"\"") : QStringLiteral("$arg_") + a.query, q,
                   entries);
    out += QStringLiteral(
        "    map %1 $portico_%2_consumer {\n        \"\" %3;\n        default %1;\n    }\n\n")
               .arg(h, id, q);
    return out;
}

QString NginxContext::authLines(const FlatRoute &f, bool *hasConsumer)
{
    const Route &r = *f.route;
    const AuthConfig &routeAuth = r.filters.value<AuthConfig>();
    const AclConfig &routeAcl = r.filters.value<AclConfig>();
    const QString where = QStringLiteral("route %1").arg(f.route->name);
    const QString ind = QStringLiteral("            ");
    *hasConsumer = false;
    QString out;
    bool done = false;
    for (const QString &name : routeAuth.schemes) {
        const AuthScheme *a = findAuth(m_ws, name);
        if (!a)
            continue;
        if (done) {
            m_warnings << QStringLiteral("%1: auth scheme %2 not exported: one scheme per location (Portico "
                                         "accepts any of them)")
                              .arg(where, name);
            continue;
        }
        if (a->type == AuthType::ApiKey) {
            if (!m_keySchemes.contains(a->name))
                m_keySchemes << a->name;
            out += ind + QStringLiteral("set $portico_consumer $portico_%1_consumer;\n").arg(ident(a->name));
            out += ind + QStringLiteral("if ($portico_consumer = \"\") {\n");
            out += ind + QStringLiteral("    ")
                + problem(401, QStringLiteral("Unauthorized"), QStringLiteral("missing or unknown API key"))
                + u'\n' + ind + QStringLiteral("}\n");
            if (routeAuth.hideCredentials) {
                if (!a->header.isEmpty())
                    out += ind + QStringLiteral("proxy_set_header %1 \"\";\n").arg(a->header);
                if (!a->query.isEmpty())
                    m_warnings << QStringLiteral(
                        "%1: hide_credentials: nginx cannot remove the query parameter %2")
                                      .arg(where, a->query);
            }
            *hasConsumer = true;
            m_consumerUsed = true;
            done = true;
        } else if (a->type == AuthType::OAuth2Introspection) {
            if (!m_introspectSchemes.contains(a->name))
                m_introspectSchemes << a->name;
            out += ind + QStringLiteral("auth_request /_portico_auth/%1;\n").arg(ident(a->name));
            m_warnings << QStringLiteral(
                "%1: auth %2 via auth_request: the introspection endpoint must answer 2xx "
                "only for active tokens; the consumer is not known to nginx")
                              .arg(where, name);
            done = true;
        } else {
            m_warnings << QStringLiteral("%1: auth scheme %2 (jwt) needs NGINX Plus auth_jwt; not exported")
                              .arg(where, name);
        }
    }
    if (!done && !routeAuth.schemes.isEmpty()) {
        out += ind
            + problem(401, QStringLiteral("Unauthorized"), QStringLiteral("authentication not available"))
            + u'\n';
        m_warnings
            << QStringLiteral("%1: no auth scheme nginx can check; the location answers 401").arg(where);
    }
    if (!routeAcl.allowGroups.isEmpty()) {
        const QString var = QStringLiteral("$portico_allow_%1").arg(ident(r.name));
        if (!m_maps.contains(var + u' ')) {
            QString entries;
            for (const Consumer &c : m_ws.consumers) {
                for (const QString &g : c.groups) {
                    if (routeAcl.allowGroups.contains(g)) {
                        entries += QStringLiteral("        %1 1;\n").arg(quoted(c.name));
                        break;
                    }
                }
            }
            m_maps += QStringLiteral("    map $portico_consumer %1 {\n        default 0;\n%2    }\n")
                          .arg(var, entries);
        }
        out += ind + QStringLiteral("if (%1 = 0) {\n").arg(var) + ind + QStringLiteral("    ")
            + problem(403, QStringLiteral("Forbidden"), QStringLiteral("consumer not in an allowed group"))
            + u'\n' + ind + QStringLiteral("}\n");
        m_consumerUsed = true;
    }
    return out;
}

QString NginxContext::rateLimitLines(const FlatRoute &f, bool hasConsumer)
{
    const Route &r = *f.route;
    const RateLimitConfig &routeLimit = r.filters.value<RateLimitConfig>();
    const QString ind = QStringLiteral("            ");
    QString out;
    if (routeLimit.limit) {
        const RateLimit &rl = *routeLimit.limit;
        const QString zone = QStringLiteral("rl_%1").arg(ident(r.name));
        if (!m_zones.contains(zone)) {
            m_zones.insert(zone);
            QString key;
            switch (rl.by) {
            case RateLimit::By::Consumer:
                key = hasConsumer ? QStringLiteral("$portico_consumer")
                                  : QStringLiteral("$binary_remote_addr");
                if (!hasConsumer)
                    m_warnings << QStringLiteral(
                        "route %1: rate limit by consumer without an API key scheme; "
                        "limited by client address")
                                      .arg(r.name);
                break;
            case RateLimit::By::Ip:
                key = QStringLiteral("$binary_remote_addr");
                break;
            case RateLimit::By::Route:
                key = QStringLiteral("$portico_route_key");
                m_routeKeyUsed = true;
                break;
            case RateLimit::By::Header:
                key = headerVar(rl.header);
                break;
            }
            m_maps += QStringLiteral("    limit_req_zone %1 zone=%2:10m rate=%3;\n")
                          .arg(key, zone, rateSpec(rl, QStringLiteral("route ") + r.name));
        }
        // burst = requests - 1 with nodelay lets exactly `requests` through at once, then 429.
        out += ind
            + QStringLiteral("limit_req zone=%1 burst=%2 nodelay;\n").arg(zone).arg(qMax(0, rl.requests - 1));
    }
    if (hasConsumer) {
        for (const Tier &t : m_ws.tiers) {
            if (!t.rateLimit)
                continue;
            const QString zone = QStringLiteral("tier_%1").arg(ident(t.name));
            if (!m_zones.contains(zone)) {
                m_zones.insert(zone);
                QString entries;
                for (const Consumer &c : m_ws.consumers) {
                    if (c.tier == t.name)
                        entries += QStringLiteral("        %1 %1;\n").arg(quoted(c.name));
                }
                m_maps += QStringLiteral(
                    "    map $portico_consumer $portico_tier_%1 {\n        default \"\";\n%2    }\n")
                              .arg(ident(t.name), entries);
                m_maps += QStringLiteral("    limit_req_zone $portico_tier_%1 zone=%2:10m rate=%3;\n")
                              .arg(ident(t.name), zone,
                                  rateSpec(*t.rateLimit, QStringLiteral("tier ") + t.name));
            }
            out += ind
                + QStringLiteral("limit_req zone=%1 burst=%2 nodelay;\n")
                      .arg(zone)
                      .arg(qMax(0, t.rateLimit->requests - 1));
        }
    }
    return out;
}

QString NginxContext::headerLines(const FlatRoute &f, bool hasConsumer)
{
    const Route &r = *f.route;
    const TransformConfig &routeTransforms = r.filters.value<TransformConfig>();
    const QString where = QStringLiteral("route %1").arg(f.route->name);
    const QString ind = QStringLiteral("            ");
    QString out;
    out += ind + QStringLiteral("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n");
    out += ind + QStringLiteral("proxy_set_header X-Forwarded-Proto $scheme;\n");
    out += ind + QStringLiteral("proxy_set_header X-Forwarded-Host $host;\n");
    out += ind + QStringLiteral("proxy_set_header X-Request-Id $request_id;\n");
    if (hasConsumer) {
        out += ind + QStringLiteral("proxy_set_header X-Consumer-Name $portico_consumer;\n");
        out += ind + QStringLiteral("proxy_set_header X-Consumer-Groups $portico_consumer_groups;\n");
    }
    for (const auto &[k, v] : routeTransforms.request.headers.set)
        out += ind + QStringLiteral("proxy_set_header %1 %2;\n").arg(k, quoted(v));
    for (const QString &k : routeTransforms.request.headers.remove)
        out += ind + QStringLiteral("proxy_set_header %1 \"\";\n").arg(k);
    for (const auto &[from, to] : routeTransforms.request.headers.rename) {
        out += ind + QStringLiteral("proxy_set_header %1 %2;\n").arg(to, headerVar(from));
        out += ind + QStringLiteral("proxy_set_header %1 \"\";\n").arg(from);
    }
    if (!routeTransforms.request.query.empty())
        m_warnings
            << QStringLiteral("%1: request query set/remove has no nginx directive; not exported").arg(where);
    out += ind + QStringLiteral("add_header X-Request-Id $request_id always;\n");
    for (const QString &k : routeTransforms.response.headers.remove)
        out += ind + QStringLiteral("proxy_hide_header %1;\n").arg(k);
    for (const auto &[from, to] : routeTransforms.response.headers.rename) {
        out += ind + QStringLiteral("proxy_hide_header %1;\n").arg(from);
        out += ind + QStringLiteral("add_header %1 $upstream_http_%2 always;\n").arg(to, ident(from));
    }
    KeyValues set = routeTransforms.response.headers.set;
    set.append(f.responseHeaders);
    for (const auto &[k, v] : set) {
        out += ind + QStringLiteral("proxy_hide_header %1;\n").arg(k); // set replaces the upstream's value
        out += ind + QStringLiteral("add_header %1 %2 always;\n").arg(k, quoted(v));
    }
    if (!routeTransforms.response.jsonRemove.isEmpty())
        m_warnings << QStringLiteral("%1: response json remove (%2) needs a body filter; not exported")
                          .arg(where, routeTransforms.response.jsonRemove.join(u", "));
    return out;
}

QString NginxContext::mockLines(const FlatRoute &f)
{
    const Mock &m = *f.route->mock;
    const QString where = QStringLiteral("route %1").arg(f.route->name);
    const QString ind = QStringLiteral("            ");
    QString out;
    QString body = m.body;
    if (!m.bodyFile.isEmpty()) {
        bool ok = false;
        body = QString::fromUtf8(readWorkspaceFile(m_ws, m.bodyFile, &ok));
        if (!ok)
            m_warnings << QStringLiteral("%1: mock body_file %2 could not be read").arg(where, m.bodyFile);
    }
    if (body.contains(u'$'))
        m_warnings
            << QStringLiteral("%1: mock body contains '$', which nginx reads as a variable").arg(where);
    QString type = QStringLiteral("text/plain");
    for (const auto &[k, v] : m.headers) {
        if (k.compare(u"content-type", Qt::CaseInsensitive) == 0)
            type = v;
        else
            out += ind + QStringLiteral("add_header %1 %2 always;\n").arg(k, quoted(v));
    }
    if (m.delay.count() > 0)
        m_warnings << QStringLiteral("%1: mock delay %2 not exported").arg(where, durationText(m.delay));
    out += ind + QStringLiteral("add_header X-Request-Id $request_id always;\n");
    out += ind + QStringLiteral("default_type %1;\n").arg(quoted(type));
    out += ind + QStringLiteral("return %1 %2;\n").arg(m.status).arg(quoted(body));
    return out;
}

QString NginxContext::location(const FlatRoute &f)
{
    const Route &r = *f.route;
    const QString where = QStringLiteral("route %1").arg(f.route->name);
    const bool headerVersions = r.versions && r.versions->by == Versions::By::Header;
    const RouteMatch &match = headerVersions ? r.match : f.match;
    if (!r.aggregate.isEmpty()) {
        m_warnings << QStringLiteral(
            "%1: aggregate (fan-out to %2 upstreams) has no nginx equivalent; not exported")
                          .arg(where)
                          .arg(r.aggregate.size());
        return {};
    }
    if (transcodes(m_ws, f)) {
        m_warnings << QStringLiteral("%1: nginx cannot transcode REST to gRPC (grpc.transcode); not exported")
                          .arg(where);
        return {};
    }
    QString head;
    QString key;
    switch (match.pathKind) {
    case RouteMatch::PathKind::Prefix:
        head = QStringLiteral("location %1").arg(match.path);
        key = QStringLiteral("prefix:") + match.path;
        break;
    case RouteMatch::PathKind::Exact:
        head = QStringLiteral("location = %1").arg(match.path);
        key = QStringLiteral("exact:") + match.path;
        break;
    case RouteMatch::PathKind::Regex:
        head = QStringLiteral("location ~ %1").arg(quoted(match.path));
        key = QStringLiteral("regex:") + match.path;
        break;
    }
    if (m_seen.contains(key)) {
        // Header versions share one location (a map picks the upstream); anything else is a clash.
        if (!headerVersions)
            m_warnings << QStringLiteral(
                "%1: another route already has %2; nginx allows one location per path, "
                "not exported")
                              .arg(where, head);
        return {};
    }
    m_seen.insert(key);

    const QString ind = QStringLiteral("            ");
    QString body;
    if (!match.hosts.isEmpty()) {
        const QString var = QStringLiteral("$portico_host_%1").arg(ident(f.name));
        QString entries;
        for (const QString &h : match.hosts) {
            if (h.startsWith(QStringLiteral("*.")))
                entries += QStringLiteral("        %1 1;\n")
                               .arg(quoted(QStringLiteral("~*^.+") + regexEscape(h.mid(1)) + u'$'));
            else
                entries += QStringLiteral("        %1 1;\n").arg(quoted(h.toLower()));
        }
        m_maps += QStringLiteral("    map $host %1 {\n        default 0;\n%2    }\n").arg(var, entries);
        body += ind + QStringLiteral("if (%1 = 0) { return 404; }\n").arg(var);
    }
    if (!match.methods.isEmpty())
        body += ind
            + QStringLiteral("if ($request_method !~ ^(%1)$) { return 404; }\n")
                  .arg(match.methods.join(u'|'));
    for (const auto &[k, v] : match.headers)
        body += ind + QStringLiteral("if (%1 != %2) { return 404; }\n").arg(headerVar(k), quoted(v));

    bool hasConsumer = false;
    body += authLines(f, &hasConsumer);
    body += rateLimitLines(f, hasConsumer);
    if (r.mock) {
        body += mockLines(f);
        return QStringLiteral("        %1 {    # route %2\n%3        }\n\n").arg(head, f.name, body);
    }

    QString target = f.upstream;
    if (headerVersions) {
        const Versions &v = *r.versions;
        const QString var = QStringLiteral("$portico_version_%1").arg(ident(r.name));
        QString entries;
        QString fallback = QStringLiteral("\"\"");
        for (const auto &[version, upstream] : v.map) {
            entries += QStringLiteral("        %1 %2;\n").arg(quoted(version), upstream);
            if (version == v.defaultVersion)
                fallback = upstream;
        }
        m_maps += QStringLiteral("    map %1 %2 {\n        default %3;\n%4    }\n")
                      .arg(headerVar(v.header), var, fallback, entries);
        body += ind + QStringLiteral("if (%1 = \"\") { return 404; }\n").arg(var);
        target = var;
        if (!v.deprecated.isEmpty())
            m_warnings << QStringLiteral("route %1: deprecation headers for header-selected versions are not "
                                         "exported")
                              .arg(r.name);
    }
    const Upstream *u = findUpstream(m_ws, f.upstream);
    if (!u) {
        m_warnings << QStringLiteral("%1: upstream %2 is not defined; not exported").arg(where, f.upstream);
        return {};
    }
    if (!f.stripPrefix.isEmpty())
        body += ind + QStringLiteral("rewrite ^%1/?(.*)$ /$1 break;\n").arg(regexEscape(f.stripPrefix));
    // A gRPC route to an h2c/h2 upstream goes through grpc_pass, whose directives mirror proxy_*.
    const bool grpc = isGrpcRoute(m_ws, f);
    const QString d = grpc ? QStringLiteral("grpc") : QStringLiteral("proxy");
    QString headers = headerLines(f, hasConsumer);
    if (grpc) {
        headers.replace(QStringLiteral("proxy_set_header "), QStringLiteral("grpc_set_header "));
        headers.replace(QStringLiteral("proxy_hide_header "), QStringLiteral("grpc_hide_header "));
        m_warnings << QStringLiteral("%1: gRPC-Web (application/grpc-web) is not translated by nginx; only "
                                     "native gRPC clients reach the upstream")
                          .arg(where);
        if (!m_ws.gateway.tls || !m_ws.gateway.http2)
            m_warnings << QStringLiteral("%1: gRPC clients need HTTP/2, which this nginx.conf offers only on "
                                         "TLS listeners with gateway.http2 (or on a port with `listen ... "
                                         "http2` of its own)")
                              .arg(where);
    }
    body += headers;
    body += ind + QStringLiteral("%1_connect_timeout %2s;\n").arg(d).arg(toSeconds(u->connectTimeout));
    const Duration response = r.timeout.value_or(u->responseTimeout);
    body += ind + QStringLiteral("%1_read_timeout %2s;\n").arg(d).arg(toSeconds(response));
    body += ind + QStringLiteral("%1_send_timeout %2s;\n").arg(d).arg(toSeconds(response));
    body += ind + QStringLiteral("%1_next_upstream error;\n").arg(d);
    body += ind + QStringLiteral("%1_next_upstream_tries %2;\n").arg(d).arg(u->retries + 1);
    const QString scheme = u->targets.isEmpty() ? QStringLiteral("http") : schemeOf(u->targets.first().url);
    if (grpc)
        body += ind
            + QStringLiteral("grpc_pass %1://%2;\n")
                  .arg(u->protocol == UpstreamProtocol::H2c ? u"grpc" : u"grpcs", target);
    else
        body += ind + QStringLiteral("proxy_pass %1://%2;\n").arg(scheme, target);
    return QStringLiteral("        %1 {    # route %2\n%3        }\n\n").arg(head, f.name, body);
}

QString NginxContext::httpPreamble() const
{
    QString out;
    for (const QString &name : m_keySchemes) {
        if (const AuthScheme *a = findAuth(m_ws, name))
            out += keyMaps(*a);
    }
    if (m_consumerUsed) {
        QString entries;
        for (const Consumer &c : m_ws.consumers) {
            if (!c.groups.isEmpty())
                entries
                    += QStringLiteral("        %1 %2;\n").arg(quoted(c.name), quoted(c.groups.join(u',')));
        }
        out += QStringLiteral(
            "    map $portico_consumer $portico_consumer_groups {\n        default \"\";\n%1    }\n")
                   .arg(entries);
    }
    if (!m_introspectSchemes.isEmpty())
        out += QStringLiteral("    map $http_authorization $portico_bearer_token {\n        default \"\";\n"
                              "        \"~*^Bearer\\s+(?<portico_token>\\S+)$\" $portico_token;\n    }\n");
    if (m_routeKeyUsed)
        out += QStringLiteral("    map $host $portico_route_key {\n        default route;\n    }\n");
    out += m_maps;
    return out.isEmpty() ? out : out + u'\n';
}

QString NginxContext::internalLocations() const
{
    QString out;
    for (const QString &name : m_introspectSchemes) {
        const AuthScheme *a = findAuth(m_ws, name);
        if (!a)
            continue;
        const QString basic = QString::fromLatin1((a->clientId + u':' + a->clientSecret).toUtf8().toBase64());
        out += QStringLiteral("\n        location = /_portico_auth/%1 {\n").arg(ident(name));
        out += QStringLiteral("            internal;\n            proxy_method POST;\n");
        out += QStringLiteral("            proxy_pass_request_body off;\n");
        out += QStringLiteral(
            "            proxy_set_header Content-Type application/x-www-form-urlencoded;\n");
        out += QStringLiteral("            proxy_set_header Authorization 'Basic %1';\n").arg(basic);
        out += QStringLiteral("            proxy_set_body token=$portico_bearer_token;\n");
        out += QStringLiteral("            proxy_pass %1;\n        }\n").arg(a->url.toString());
    }
    return out;
}

} // namespace portico::exporter

namespace portico::exporter {

QString NginxContext::errorPages()
{
    struct Page
    {
        int status;
        const char *title;
        const char *detail;
        const char *extra;
    };
    static const Page pages[] = {
        { 401, "Unauthorized", "missing or unknown credentials",
            "            add_header WWW-Authenticate 'ApiKey realm=\"portico\"' always;\n" },
        { 403, "Forbidden", "consumer not in an allowed group", "" },
        { 404, "Not Found", "no route matches", "" },
        { 429, "Too Many Requests", "rate limit exceeded", "            add_header Retry-After 1 always;\n" },
    };
    QString out;
    for (const Page &p : pages)
        out += QStringLiteral("        error_page %1 @portico_%1;\n").arg(p.status);
    for (const Page &p : pages) {
        out += QStringLiteral(
            "\n        location @portico_%1 {\n            default_type application/problem+json;\n")
                   .arg(p.status);
        out += QString::fromLatin1(p.extra);
        out += QStringLiteral("            add_header X-Request-Id $request_id always;\n");
        out += QStringLiteral(
            "            return %1 '{\"type\":\"about:blank\",\"title\":\"%2\",\"status\":%1,"
            "\"detail\":\"%3\",\"trace_id\":\"$request_id\"}';\n        }\n")
                   .arg(p.status)
                   .arg(QString::fromLatin1(p.title), QString::fromLatin1(p.detail));
    }
    return out;
}

} // namespace portico::exporter
