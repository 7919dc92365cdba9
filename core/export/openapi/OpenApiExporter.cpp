#include "core/export/openapi/OpenApiExporter.h"

#include "core/export/DocNode.h"
#include "core/export/ExportSupport.h"
#include "core/export/openapi/OpenApiGrpc.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace portico::exporter {

using namespace portico::config;

namespace {

const QStringList kAnyMethods { QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"),
    QStringLiteral("PATCH"), QStringLiteral("DELETE") };

// "^/api/users/(\d+)$" -> "/api/users/{p1}" with p1's pattern; empty when the regex is not a
// plain path with capture groups.
QString templateFromRegex(const QString &re, QStringList *patterns)
{
    QString s = re;
    if (s.startsWith(u'^'))
        s.remove(0, 1);
    if (s.endsWith(u'$'))
        s.chop(1);
    static const QRegularExpression group(QStringLiteral("\\(([^()]*)\\)"));
    QString out;
    qsizetype last = 0;
    int n = 0;
    auto it = group.globalMatch(s);
    while (it.hasNext()) {
        const auto m = it.next();
        out += s.mid(last, m.capturedStart() - last);
        out += QStringLiteral("{p%1}").arg(++n);
        *patterns << u'^' + m.captured(1) + u'$';
        last = m.capturedEnd();
    }
    out += s.mid(last);
    out.replace(QStringLiteral("\\."), QStringLiteral("."));
    static const QRegularExpression meta(QStringLiteral("[\\\\^$.|?*+()\\[\\]]"));
    return meta.match(out).hasMatch() ? QString() : out;
}

class OpenApiBuilder
{
public:
    explicit OpenApiBuilder(const Workspace &ws)
        : m_ws(ws)
    {
    }
    ExportResult build(bool json);

private:
    void securitySchemes(DocNode &components);
    DocNode operation(
        const FlatRoute &f, const QString &method, const QString &path, const QStringList &pathParams);
    DocNode integration(const FlatRoute &f, const QString &method, const QString &path);

    const Workspace &m_ws;
    QStringList m_warnings;
    QStringList m_usedSchemes;
    OpenApiGrpc m_grpc { m_ws, m_warnings };
};

QString baseUrl(const Workspace &ws, const HostPort &hp, const QString &host = {})
{
    QString h = host.isEmpty() ? hp.host : host;
    if (h == u"0.0.0.0" || h == u"::")
        h = QStringLiteral("localhost");
    return QStringLiteral("%1://%2").arg(
        ws.gateway.tls ? u"https" : u"http", HostPort { h, hp.port }.toString());
}

void OpenApiBuilder::securitySchemes(DocNode &components)
{
    DocNode schemes = DocNode::map();
    for (const AuthScheme &a : m_ws.auth) {
        if (!m_usedSchemes.contains(a.name))
            continue;
        if (a.type == AuthType::ApiKey) {
            if (!a.header.isEmpty()) {
                DocNode &s = schemes[a.name];
                s["type"] = "apiKey";
                s["in"] = "header";
                s["name"] = a.header;
            }
            if (!a.query.isEmpty()) {
                DocNode &s = schemes[a.header.isEmpty() ? a.name : a.name + QStringLiteral("_query")];
                s["type"] = "apiKey";
                s["in"] = "query";
                s["name"] = a.query;
            }
        } else if (a.type == AuthType::Jwt) {
            DocNode &s = schemes[a.name];
            s["type"] = "http";
            s["scheme"] = "bearer";
            s["bearerFormat"] = "JWT";
            s["description"]
                = QStringLiteral("JWT issued by %1 (%2)").arg(a.issuer, a.algorithms.join(u", "));
            // Portico extensions, so that importOpenApi() gets the scheme back whole.
            if (!a.issuer.isEmpty())
                s["x-portico-issuer"] = a.issuer;
            if (!a.jwksUrl.isEmpty())
                s["x-portico-jwks-url"] = a.jwksUrl.toString();
        } else {
            DocNode &s = schemes[a.name];
            s["type"] = "oauth2";
            s["description"] = QStringLiteral("OAuth 2.0 access token, checked by introspection at %1")
                                   .arg(a.url.toString());
            QUrl token = a.url;
            token.setPath(QStringLiteral("/token"));
            s["flows"]["clientCredentials"]["tokenUrl"] = token.toString();
            s["flows"]["clientCredentials"]["scopes"] = DocNode::map();
            s["x-portico-introspection-url"] = a.url.toString();
            m_warnings << QStringLiteral(
                "auth %1: the OAuth2 token URL %2 is assumed beside the introspection "
                "endpoint; check it")
                              .arg(a.name, token.toString());
        }
    }
    if (!schemes.isEmpty())
        components["securitySchemes"] = schemes;
}

DocNode OpenApiBuilder::integration(const FlatRoute &f, const QString &method, const QString &path)
{
    const Route &r = *f.route;
    DocNode n;
    if (r.mock) {
        n["type"] = "mock";
        n["requestTemplates"]["application/json"] = "{\"statusCode\": 200}";
        DocNode &resp = n["responses"]["default"];
        resp["statusCode"] = QString::number(r.mock->status);
        resp["responseTemplates"]["application/json"] = r.mock->body;
        return n;
    }
    const Upstream *u = findUpstream(m_ws, f.upstream);
    if (!u || u->targets.isEmpty())
        return {};
    QString forwarded = path.startsWith(f.stripPrefix) ? path.mid(f.stripPrefix.size()) : path;
    if (forwarded.isEmpty())
        forwarded = QStringLiteral("/");
    const QUrl &t = u->targets.first().url;
    n["type"] = "http_proxy";
    n["httpMethod"] = method;
    n["uri"] = QStringLiteral("%1://%2%3").arg(schemeOf(t), hostPort(t), forwarded);
    n["connectionType"] = "INTERNET";
    n["passthroughBehavior"] = "when_no_match";
    const qint64 timeout = r.timeout.value_or(u->responseTimeout).count();
    n["timeoutInMillis"] = qMin<qint64>(29'000, qMax<qint64>(50, timeout));
    return n;
}

DocNode OpenApiBuilder::operation(
    const FlatRoute &f, const QString &method, const QString &path, const QStringList &pathParams)
{
    const Route &r = *f.route;
    const AuthConfig &routeAuth = r.filters.value<AuthConfig>();
    const AclConfig &routeAcl = r.filters.value<AclConfig>();
    const RateLimitConfig &routeLimit = r.filters.value<RateLimitConfig>();
    DocNode op;
    op["operationId"] = QString(f.name + u'_' + method.toLower()).replace(u'-', u'_');
    op["tags"] = QStringList { r.name };
    if (!f.version.isEmpty())
        op["summary"] = QStringLiteral("%1 (version %2)").arg(r.name, f.version);
    DocNode params = DocNode::list();
    for (int i = 0; i < pathParams.size(); ++i) {
        DocNode p;
        p["name"] = QStringLiteral("p%1").arg(i + 1);
        p["in"] = "path";
        p["required"] = true;
        p["schema"]["type"] = "string";
        p["schema"]["pattern"] = pathParams[i];
        params.append(p);
    }
    for (const auto &[k, v] : f.match.headers) {
        DocNode p;
        p["name"] = k;
        p["in"] = "header";
        p["required"] = true;
        p["schema"]["type"] = "string";
        p["schema"]["enum"] = QStringList { v };
        params.append(p);
    }
    if (!params.isEmpty())
        op["parameters"] = params;
    if (!routeAuth.schemes.isEmpty()) {
        DocNode security = DocNode::list();
        for (const QString &name : routeAuth.schemes) {
            const AuthScheme *a = findAuth(m_ws, name);
            if (!a)
                continue;
            if (!m_usedSchemes.contains(name))
                m_usedSchemes << name;
            QStringList names;
            if (a->type != AuthType::ApiKey || !a->header.isEmpty())
                names << name;
            if (a->type == AuthType::ApiKey && !a->query.isEmpty())
                names << (a->header.isEmpty() ? name : name + QStringLiteral("_query"));
            for (const QString &n : names) {
                DocNode req;
                req[n] = DocNode::list();
                security.append(req);
            }
        }
        op["security"] = security;
    }
    DocNode &responses = op["responses"];
    if (r.mock) {
        DocNode &resp = responses[QString::number(r.mock->status)];
        resp["description"] = "Mock response";
        QString type = QStringLiteral("text/plain");
        for (const auto &[k, v] : r.mock->headers) {
            if (k.compare(u"content-type", Qt::CaseInsensitive) == 0)
                type = v;
        }
        resp["content"][type]["example"] = r.mock->body;
    } else if (!r.aggregate.isEmpty()) {
        DocNode &resp = responses["200"];
        resp["description"] = "Aggregated response: one member per part";
        DocNode &schema = resp["content"]["application/json"]["schema"];
        schema["type"] = "object";
        for (const AggregatePart &p : r.aggregate) {
            schema["properties"][p.key]["description"]
                = QStringLiteral("%1 from upstream %2").arg(p.path, p.upstream);
        }
    } else {
        responses["200"]["description"] = QStringLiteral("Response from upstream %1").arg(f.upstream);
    }
    if (!routeAuth.schemes.isEmpty())
        responses["401"]["description"] = "Missing or invalid credentials";
    if (!routeAcl.allowGroups.isEmpty())
        responses["403"]["description"]
            = QStringLiteral("Consumer not in %1").arg(routeAcl.allowGroups.join(u", "));
    if (routeLimit.limit || (!routeAuth.schemes.isEmpty() && !m_ws.tiers.isEmpty()))
        responses["429"]["description"] = "Rate limit exceeded (see Retry-After)";
    if (r.versions) {
        for (const auto &[version, dep] : r.versions->deprecated) {
            if (version == f.version)
                op["deprecated"] = true;
        }
    }
    const DocNode integ = integration(f, method, path);
    if (!integ.isNull())
        op["x-amazon-apigateway-integration"] = integ;
    else
        m_warnings << QStringLiteral("route %1: no AWS API Gateway integration for %2")
                          .arg(f.name,
                              r.aggregate.isEmpty() ? QStringLiteral("a route without targets")
                                                    : QStringLiteral("aggregate"));
    return op;
}

ExportResult OpenApiBuilder::build(bool json)
{
    DocNode doc;
    doc["openapi"] = "3.0.3";
    const QString title = m_ws.filePath.isEmpty()
        ? QStringLiteral("Portico API")
        : QFileInfo(m_ws.filePath).completeBaseName() + QStringLiteral(" API");
    doc["info"]["title"] = title;
    doc["info"]["version"] = QString::number(m_ws.version) + QStringLiteral(".0.0");
    doc["info"]["description"] = "Public API of the gateway, exported by Portico.";
    DocNode servers = DocNode::list();
    for (const HostPort &hp : m_ws.gateway.listen) {
        DocNode s;
        s["url"] = baseUrl(m_ws, hp);
        servers.append(s);
    }
    doc["servers"] = servers;
    DocNode paths = DocNode::map();
    bool prefixNoted = false;
    for (const FlatRoute &f : flattenRoutes(m_ws)) {
        const auto base
            = [&](const QString &method, const QString &path) { return operation(f, method, path, {}); };
        if (m_grpc.addRoute(f, paths, base))
            continue;
        QString path = f.match.path;
        QStringList pathParams;
        if (f.match.pathKind == RouteMatch::PathKind::Regex) {
            path = templateFromRegex(f.match.path, &pathParams);
            if (path.isEmpty()) {
                m_warnings << QStringLiteral(
                    "route %1: path_regex %2 cannot be written as an OpenAPI path; not "
                    "exported")
                                  .arg(f.name, f.match.path);
                continue;
            }
        } else if (f.match.pathKind == RouteMatch::PathKind::Prefix && !prefixNoted) {
            m_warnings << QStringLiteral("prefix routes are documented by their base path (OpenAPI paths are "
                                         "exact); sub-paths are not listed");
            prefixNoted = true;
        }
        DocNode &item = paths[path];
        if (!f.match.hosts.isEmpty() && !item.contains(QStringLiteral("servers"))) {
            DocNode hostServers = DocNode::list();
            for (const QString &h : f.match.hosts) {
                for (const HostPort &hp : m_ws.gateway.listen) {
                    DocNode s;
                    if (h.startsWith(QStringLiteral("*."))) {
                        s["url"] = baseUrl(m_ws, hp, QStringLiteral("{subdomain}") + h.mid(1));
                        s["variables"]["subdomain"]["default"] = "www";
                    } else {
                        s["url"] = baseUrl(m_ws, hp, h);
                    }
                    hostServers.append(s);
                }
            }
            item["servers"] = hostServers;
        }
        const QStringList methods = f.match.methods.isEmpty() ? kAnyMethods : f.match.methods;
        for (const QString &m : methods) {
            const QString key = m.toLower();
            if (item.contains(key)) {
                m_warnings << QStringLiteral("route %1: %2 %3 is already described by another route")
                                  .arg(f.name, m, path);
                continue;
            }
            item[key] = operation(f, m, path, pathParams);
        }
    }
    doc["paths"] = paths;
    DocNode components = DocNode::map();
    securitySchemes(components);
    m_grpc.addSchemas(components);
    if (!components.isEmpty())
        doc["components"] = components;
    m_warnings << QStringLiteral(
        "gateway behaviour (upstreams, rate limits, transforms, health checks) is not "
        "part of an OpenAPI description");
    warnPorticoOnly(m_ws, { QStringLiteral("OpenAPI"), false, {} }, m_warnings);

    ExportResult result;
    result.text = json ? doc.toJson() : doc.toYaml();
    result.warnings = m_warnings;
    result.suggestedFileName = json ? QStringLiteral("openapi.json") : QStringLiteral("openapi.yaml");
    return result;
}

} // namespace

ExportResult exportOpenApi(const Workspace &ws, bool json)
{
    return OpenApiBuilder(ws).build(json);
}

} // namespace portico::exporter
