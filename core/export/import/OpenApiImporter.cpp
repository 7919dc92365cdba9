#include "core/export/import/OpenApiImporter.h"

#include "core/export/import/YamlValues.h"
#include "core/filters/acl/AclConfig.h"
#include "core/filters/transform/TransformConfig.h"

#include <QRegularExpression>

namespace portico::exporter {

using namespace portico::config;

namespace {

const char *const kMethods[] = { "get", "put", "post", "delete", "options", "head", "patch", "trace" };

QString slug(const QString &s)
{
    QString out;
    for (const QChar c : s.toLower()) {
        if (c.isLetterOrNumber() && c.unicode() < 128)
            out += c;
        else if (!out.isEmpty() && !out.endsWith(u'-'))
            out += u'-';
    }
    while (out.endsWith(u'-'))
        out.chop(1);
    return out.isEmpty() ? QStringLiteral("root") : out;
}

// A server URL with its {variables} replaced by their defaults.
QString serverUrl(const YAML::Node &server)
{
    QString url = str(at(server, "url"));
    for (const auto &kv : at(server, "variables"))
        url.replace(u'{' + str(kv.first) + u'}', str(at(kv.second, "default")));
    return url;
}

class OpenApiReader
{
public:
    explicit OpenApiReader(const QUrl &defaultUpstream)
        : m_defaultUpstream(defaultUpstream)
    {
    }
    ImportResult read(const QByteArray &text);

private:
    void readSchemes(const YAML::Node &schemes);
    QString upstreamFor(const QUrl &origin);
    QStringList security(const YAML::Node &requirements, const QString &where);
    void readPath(const QString &path, const YAML::Node &item, const YAML::Node &rootServers,
        const YAML::Node &rootSecurity);
    QString uniqueRouteName(const QString &base);

    QUrl m_defaultUpstream;
    Workspace m_ws;
    QStringList m_warnings;
    QHash<QString, QString> m_schemeAlias; // OpenAPI scheme name -> workspace scheme name
};

void OpenApiReader::readSchemes(const YAML::Node &schemes)
{
    for (const auto &kv : schemes) {
        const QString name = str(kv.first);
        const YAML::Node s = kv.second;
        const QString type = str(at(s, "type"));
        AuthScheme a;
        a.name = slug(name).replace(u'-', u'_');
        if (type == u"apiKey") {
            const QString in = str(at(s, "in"));
            if (in == u"cookie") {
                m_warnings << QStringLiteral(
                    "security scheme %1: API keys in cookies are not supported; not imported")
                                  .arg(name);
                continue;
            }
            // exportOpenApi writes a key accepted in header and query as NAME and NAME_query: one scheme.
            if (in == u"query" && name.endsWith(u"_query") && m_schemeAlias.contains(name.chopped(6))) {
                const QString base = m_schemeAlias.value(name.chopped(6));
                for (AuthScheme &existing : m_ws.auth) {
                    if (existing.name == base && existing.type == AuthType::ApiKey
                        && existing.query.isEmpty()) {
                        existing.query = str(at(s, "name"));
                        m_schemeAlias.insert(name, base);
                    }
                }
                if (m_schemeAlias.contains(name))
                    continue;
            }
            a.type = AuthType::ApiKey;
            (in == u"query" ? a.query : a.header) = str(at(s, "name"));
        } else if ((type == u"http" && str(at(s, "scheme")).compare(u"bearer", Qt::CaseInsensitive) == 0)
            || type == u"openIdConnect" || (type == u"oauth2" && !at(s, "x-portico-introspection-url"))) {
            a.type = AuthType::Jwt;
            a.issuer = str(at(s, "x-portico-issuer"));
            if (type == u"openIdConnect" && a.issuer.isEmpty())
                a.issuer = str(at(s, "openIdConnectUrl"))
                               .remove(QStringLiteral("/.well-known/openid-configuration"));
            a.jwksUrl = QUrl(str(at(s, "x-portico-jwks-url")));
            if (a.jwksUrl.isEmpty()) {
                const QString env = a.name.toUpper() + QStringLiteral("_JWT_SECRET");
                m_ws.envTemplates.insert(
                    QStringLiteral("auth.%1.secret").arg(a.name), QStringLiteral("${%1}").arg(env));
                m_warnings << QStringLiteral(
                    "security scheme %1: the document has no key for its tokens; set jwks_url, "
                    "public_key, or the secret ${%2}")
                                  .arg(name, env);
            }
        } else if (type == u"oauth2") {
            a.type = AuthType::OAuth2Introspection;
            a.url = QUrl(str(at(s, "x-portico-introspection-url")));
            m_warnings << QStringLiteral(
                "security scheme %1: set client_id and client_secret for introspection")
                              .arg(name);
        } else {
            m_warnings << QStringLiteral("security scheme %1 (%2 %3) is not supported; not imported")
                              .arg(name, type, str(at(s, "scheme")));
            continue;
        }
        m_schemeAlias.insert(name, a.name);
        m_ws.auth.append(a);
    }
}

QString OpenApiReader::upstreamFor(const QUrl &origin)
{
    QUrl clean;
    clean.setScheme(origin.scheme());
    clean.setHost(origin.host());
    clean.setPort(origin.port());
    for (const Upstream &u : m_ws.upstreams) {
        if (!u.targets.isEmpty() && u.targets.first().url == clean)
            return u.name;
    }
    Upstream u;
    u.name = m_ws.upstreams.isEmpty() ? QStringLiteral("api")
                                      : QStringLiteral("api-%1").arg(m_ws.upstreams.size() + 1);
    u.targets.append(Target { clean, 1 });
    m_ws.upstreams.append(u);
    return u.name;
}

// OpenAPI security is a list of alternatives (OR), each a set of schemes that all apply (AND).
QStringList OpenApiReader::security(const YAML::Node &requirements, const QString &where)
{
    QStringList out;
    for (const YAML::Node &req : requirements) {
        if (req.size() > 1)
            m_warnings << QStringLiteral(
                "%1: a requirement of several schemes together (AND) imported as its "
                "first scheme")
                              .arg(where);
        for (const auto &kv : req) {
            const QString scheme = m_schemeAlias.value(str(kv.first));
            if (scheme.isEmpty())
                m_warnings << QStringLiteral("%1: security scheme %2 not imported").arg(where, str(kv.first));
            else if (!out.contains(scheme))
                out << scheme;
            break;
        }
    }
    return out;
}

QString OpenApiReader::uniqueRouteName(const QString &base)
{
    QString name = base;
    for (int n = 2;; ++n) {
        bool taken = false;
        for (const Route &r : m_ws.routes)
            taken = taken || r.name == name;
        if (!taken)
            return name;
        name = QStringLiteral("%1-%2").arg(base).arg(n);
    }
}

void OpenApiReader::readPath(const QString &path, const YAML::Node &item, const YAML::Node &rootServers,
    const YAML::Node &rootSecurity)
{
    struct Candidate
    {
        Route route;
        QString operationId;
        int operations = 0;
    };
    QList<Candidate> candidates;
    for (const char *method : kMethods) {
        const YAML::Node op = at(item, method);
        if (!op)
            continue;
        const QString upper = QString::fromLatin1(method).toUpper();
        const QString where = upper + u' ' + path;
        // No assignment between yaml-cpp nodes: that writes through to the node assigned to.
        const YAML::Node servers = at(op, "servers") ? at(op, "servers")
            : at(item, "servers")                    ? at(item, "servers")
                                                     : rootServers;
        QString basePath;
        QUrl origin;
        for (const YAML::Node &s : servers) {
            const QUrl url(serverUrl(s));
            if (basePath.isEmpty() && origin.isEmpty()) {
                basePath = url.path();
                if (!url.host().isEmpty())
                    origin = url;
            }
        }
        while (basePath.endsWith(u'/'))
            basePath.chop(1);

        Route r;
        const QString full = basePath + path;
        static const QRegularExpression param(QStringLiteral("\\{[^/{}]+\\}"));
        if (full.contains(param)) {
            r.match.pathKind = RouteMatch::PathKind::Regex;
            QString re;
            qsizetype last = 0;
            auto it = param.globalMatch(full);
            while (it.hasNext()) {
                const auto m = it.next();
                re += QRegularExpression::escape(full.mid(last, m.capturedStart() - last))
                          .replace(QStringLiteral("\\/"), QStringLiteral("/"));
                re += QStringLiteral("([^/]+)");
                last = m.capturedEnd();
            }
            re += QRegularExpression::escape(full.mid(last))
                      .replace(QStringLiteral("\\/"), QStringLiteral("/"));
            r.match.path = u'^' + re + u'$';
        } else {
            r.match.pathKind = RouteMatch::PathKind::Exact;
            r.match.path = full.isEmpty() ? QStringLiteral("/") : full;
        }
        r.match.methods = QStringList { upper };
        for (const YAML::Node &p : at(op, "parameters")) {
            const YAML::Node e = at(at(p, "schema"), "enum");
            if (str(at(p, "in")) == u"header" && str(at(p, "required")) == u"true" && e && e.size() == 1)
                r.match.headers.append({ str(at(p, "name")), str(at(e, 0)) });
        }
        r.filters.edit<AuthConfig>().schemes
            = security(at(op, "security") ? at(op, "security") : rootSecurity, where);

        const YAML::Node integ = at(op, "x-amazon-apigateway-integration");
        const QString integType = str(at(integ, "type"));
        if (integType == u"mock") {
            Mock m;
            const YAML::Node def = at(at(integ, "responses"), "default");
            m.status = str(at(def, "statusCode"), QStringLiteral("200")).toInt();
            const YAML::Node templates = at(def, "responseTemplates");
            for (const auto &kv : templates) {
                m.headers.append({ QStringLiteral("Content-Type"), str(kv.first) });
                m.body = str(kv.second);
                break;
            }
            r.mock = m;
        } else if (integType == u"http_proxy" || integType == u"http") {
            const QUrl uri(str(at(integ, "uri")));
            r.upstream = upstreamFor(uri);
            if (uri.path() != full && !full.contains(param))
                m_warnings << QStringLiteral(
                    "%1: the integration forwards to %2; path rewrites are not imported")
                                  .arg(where, uri.path());
        } else if (!origin.isEmpty()) {
            r.upstream = upstreamFor(origin);
        } else if (m_defaultUpstream.isValid() && !m_defaultUpstream.host().isEmpty()) {
            r.upstream = upstreamFor(m_defaultUpstream);
        } else {
            m_warnings
                << QStringLiteral("%1: no server URL and no default upstream; not imported").arg(where);
            continue;
        }
        if (at(op, "deprecated") && str(at(op, "deprecated")) == u"true")
            m_warnings << QStringLiteral("%1: deprecated flag not imported (Portico deprecates API versions)")
                              .arg(where);

        bool merged = false;
        for (Candidate &c : candidates) {
            const Route &o = c.route;
            if (!r.mock && !o.mock && o.upstream == r.upstream
                && o.filters.value<AuthConfig>().schemes == r.filters.value<AuthConfig>().schemes
                && o.match.headers == r.match.headers) {
                c.route.match.methods << upper;
                ++c.operations;
                merged = true;
                break;
            }
        }
        if (!merged)
            candidates.append(Candidate { r, str(at(op, "operationId")), 1 });
    }
    for (Candidate &c : candidates) {
        const QString base = c.operations == 1 && !c.operationId.isEmpty() ? slug(c.operationId)
            : candidates.size() > 1 ? slug(path) + u'-' + c.route.match.methods.first().toLower()
                                    : slug(path);
        c.route.name = uniqueRouteName(base);
        m_ws.routes.append(c.route);
    }
}

ImportResult OpenApiReader::read(const QByteArray &text)
{
    ImportResult result;
    YAML::Node doc;
    try {
        doc = YAML::Load(text.toStdString());
    } catch (const YAML::Exception &e) {
        result.error = QStringLiteral("not an OpenAPI document: line %1: %2")
                           .arg(e.mark.line + 1)
                           .arg(QString::fromStdString(e.msg));
        return result;
    }
    if (doc.IsMap() && doc["swagger"]) {
        result.error
            = QStringLiteral("Swagger %1 is not supported; convert it to OpenAPI 3").arg(str(doc["swagger"]));
        return result;
    }
    if (!doc.IsMap() || !str(at(doc, "openapi")).startsWith(u"3.")) {
        result.error = QStringLiteral("not an OpenAPI 3 document: 'openapi: 3.x' is missing");
        return result;
    }
    try {
        readSchemes(at(at(doc, "components"), "securitySchemes"));
        for (const auto &kv : at(doc, "paths")) {
            const QString path = str(kv.first);
            if (!path.startsWith(u'/')) {
                m_warnings << QStringLiteral("path %1 is not a path; not imported").arg(path);
                continue;
            }
            readPath(path, kv.second, at(doc, "servers"), at(doc, "security"));
        }
    } catch (const YAML::Exception &e) {
        result.error = QStringLiteral("unexpected OpenAPI structure: line %1: %2")
                           .arg(e.mark.line + 1)
                           .arg(QString::fromStdString(e.msg));
        return result;
    }
    // Extra servers describe other deployments of the same API: kept as upstreams of their own.
    const YAML::Node servers = at(doc, "servers");
    for (std::size_t i = 1; servers && servers.IsSequence() && i < servers.size(); ++i) {
        const QUrl url(serverUrl(servers[i]));
        if (!url.host().isEmpty())
            upstreamFor(url);
    }
    if (at(doc, "webhooks") || at(at(doc, "components"), "callbacks"))
        m_warnings << QStringLiteral("webhooks and callbacks not imported");
    result.workspace = m_ws;
    result.warnings = m_warnings;
    return result;
}

} // namespace

ImportResult importOpenApi(const QByteArray &text, const QUrl &defaultUpstream)
{
    return OpenApiReader(defaultUpstream).read(text);
}

} // namespace portico::exporter
