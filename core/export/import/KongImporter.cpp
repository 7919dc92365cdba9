#include "core/export/import/KongImporter.h"

#include "core/export/import/YamlValues.h"
#include "core/filters/acl/AclConfig.h"
#include "core/filters/transform/TransformConfig.h"

#include <QLocale>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

namespace portico::exporter {

using namespace portico::config;

namespace {

KeyValues pairs(const YAML::Node &n)
{
    KeyValues out;
    for (const QString &item : strings(n)) {
        const qsizetype colon = item.indexOf(u':');
        out.append({ item.left(colon), colon < 0 ? QString() : item.mid(colon + 1) });
    }
    return out;
}

struct KongRoute
{
    Route route;
    QString serviceName;
    QString servicePath;
    bool stripPath = false;
    QString portico; // portico-route tag: the workspace route this one was flattened from
    QString version; // portico-version tag
};

class KongReader
{
public:
    ImportResult read(const QByteArray &text);

private:
    void readUpstream(const YAML::Node &n);
    void readService(const YAML::Node &n);
    void readRoute(const YAML::Node &n, const YAML::Node *service);
    void readConsumer(const YAML::Node &n);
    void applyPlugin(const YAML::Node &p, Route &r, const QString &where);
    std::optional<RateLimit> rateLimit(const YAML::Node &config, const QString &where);
    QString keyScheme(const YAML::Node &config);
    QList<Route> assembleRoutes();

    Workspace m_ws;
    QStringList m_warnings;
    QList<KongRoute> m_routes;
    QHash<QString, QString> m_serviceUpstream; // service name -> upstream name
};

void KongReader::readUpstream(const YAML::Node &n)
{
    Upstream u;
    u.name = str(at(n, "name"));
    const QString algorithm = str(at(n, "algorithm"), QStringLiteral("round-robin"));
    if (algorithm == u"least-connections")
        u.balance = Balance::LeastConnections;
    else if (algorithm == u"consistent-hashing" && str(at(n, "hash_on")) == u"ip")
        u.balance = Balance::IpHash;
    else if (algorithm != u"round-robin")
        m_warnings
            << QStringLiteral("upstream %1: algorithm %2 imported as round_robin").arg(u.name, algorithm);
    for (const YAML::Node &t : at(n, "targets")) {
        Target target;
        target.url = QUrl(QStringLiteral("http://") + str(at(t, "target")));
        target.weight = at(t, "weight") ? at(t, "weight").as<int>() : 100;
        u.targets.append(target);
    }
    const YAML::Node active = at(at(n, "healthchecks"), "active");
    if (active && at(active, "http_path")) {
        HealthCheck h;
        h.path = str(at(active, "http_path"));
        h.interval = Duration(qint64(num(at(at(active, "healthy"), "interval"), 5) * 1000));
        h.timeout = Duration(qint64(num(at(active, "timeout"), 2) * 1000));
        h.unhealthyAfter = int(num(at(at(active, "unhealthy"), "http_failures"), 3));
        h.healthyAfter = int(num(at(at(active, "healthy"), "successes"), 2));
        u.healthCheck = h;
    }
    if (at(at(n, "healthchecks"), "passive"))
        m_warnings << QStringLiteral("upstream %1: passive health checks not imported").arg(u.name);
    m_ws.upstreams.append(u);
}

void KongReader::readService(const YAML::Node &n)
{
    const QString name = str(at(n, "name"));
    QUrl url = at(n, "url") ? QUrl(str(at(n, "url"))) : QUrl();
    const QString protocol = str(
        at(n, "protocol"), url.isValid() && !url.scheme().isEmpty() ? url.scheme() : QStringLiteral("http"));
    const QString host = at(n, "host") ? str(at(n, "host")) : url.host();
    Upstream *u = nullptr;
    for (Upstream &candidate : m_ws.upstreams) {
        if (candidate.name == host)
            u = &candidate;
    }
    if (!u) {
        Upstream created;
        created.name = name;
        const int port = at(n, "port") ? at(n, "port").as<int>() : url.port(protocol == u"https" ? 443 : 80);
        created.targets.append(Target {
            QUrl(QStringLiteral("%1://%2").arg(protocol, HostPort { host, quint16(port) }.toString())), 1 });
        m_ws.upstreams.append(created);
        u = &m_ws.upstreams.last();
    } else if (protocol == u"https") {
        for (Target &t : u->targets)
            t.url.setScheme(QStringLiteral("https"));
    }
    // Kong keeps timeouts per service; the first service to reach an upstream sets its values.
    if (!m_serviceUpstream.values().contains(u->name)) {
        if (at(n, "connect_timeout"))
            u->connectTimeout = Duration(at(n, "connect_timeout").as<qint64>());
        if (at(n, "retries"))
            u->retries = at(n, "retries").as<int>();
    }
    m_serviceUpstream.insert(name, u->name);
    for (const YAML::Node &r : at(n, "routes"))
        readRoute(r, &n);
    if (at(n, "plugins") && !at(n, "routes"))
        m_warnings << QStringLiteral("service %1: plugins without routes not imported").arg(name);
}

void KongReader::readRoute(const YAML::Node &n, const YAML::Node *service)
{
    KongRoute kr;
    Route &r = kr.route;
    r.name = str(at(n, "name"));
    const QString where = QStringLiteral("route %1").arg(r.name);
    const QStringList paths = strings(at(n, "paths"));
    if (paths.size() > 1)
        m_warnings << QStringLiteral("%1: only the first of %2 paths imported").arg(where).arg(paths.size());
    QString path = paths.value(0, QStringLiteral("/"));
    if (path.startsWith(u'~')) {
        path.remove(0, 1);
        static const QRegularExpression literalExact(
            QStringLiteral("^((?:[^\\\\^$.|?*+()\\[\\]{}]|\\\\.)*)\\$$"));
        const auto m = literalExact.match(path);
        if (m.hasMatch()) {
            r.match.pathKind = RouteMatch::PathKind::Exact;
            r.match.path = m.captured(1).remove(QRegularExpression(QStringLiteral("\\\\(?=.)")));
        } else {
            r.match.pathKind = RouteMatch::PathKind::Regex;
            r.match.path = u'^' + path;
        }
    } else {
        r.match.path = path;
    }
    r.match.methods = strings(at(n, "methods"));
    r.match.hosts = strings(at(n, "hosts"));
    for (const auto &kv : at(n, "headers")) {
        const QStringList values = strings(kv.second);
        if (values.size() > 1)
            m_warnings << QStringLiteral("%1: header %2 matches any of several values; first imported")
                              .arg(where, str(kv.first));
        r.match.headers.append({ str(kv.first), values.value(0) });
    }
    kr.stripPath = at(n, "strip_path") ? at(n, "strip_path").as<bool>() : true;
    for (const QString &tag : strings(at(n, "tags"))) {
        if (tag.startsWith(u"portico-route:"))
            kr.portico = tag.mid(14);
        else if (tag.startsWith(u"portico-version:"))
            kr.version = tag.mid(16);
    }
    if (service) {
        kr.serviceName = str(at((*service), "name"));
        kr.servicePath
            = at((*service), "path") ? str(at((*service), "path")) : QUrl(str(at((*service), "url"))).path();
        r.upstream = m_serviceUpstream.value(kr.serviceName);
        if (at((*service), "read_timeout")) {
            const Duration t(at((*service), "read_timeout").as<qint64>());
            const Upstream *u = nullptr;
            for (const Upstream &c : m_ws.upstreams)
                u = c.name == r.upstream ? &c : u;
            if (!u || u->responseTimeout != t)
                r.timeout = t;
        }
        for (const YAML::Node &p : at((*service), "plugins"))
            applyPlugin(p, r, where);
    } else if (at(n, "service")) {
        const QString ref
            = at(at(n, "service"), "name") ? str(at(at(n, "service"), "name")) : str(at(n, "service"));
        r.upstream = m_serviceUpstream.value(ref);
    }
    for (const YAML::Node &p : at(n, "plugins"))
        applyPlugin(p, r, where);
    if (r.upstream.isEmpty() && !r.mock) {
        m_warnings << QStringLiteral("%1: no service; not imported").arg(where);
        return;
    }
    if (kr.stripPath && r.match.pathKind == RouteMatch::PathKind::Prefix && kr.portico.isEmpty()) {
        if (kr.servicePath.isEmpty())
            r.stripPrefix = true;
        else if (kr.servicePath != r.match.path)
            m_warnings << QStringLiteral(
                "%1: strip_path with service path %2 rewrites the path; imported without "
                "the rewrite")
                              .arg(where, kr.servicePath);
    }
    m_routes.append(kr);
}

std::optional<RateLimit> KongReader::rateLimit(const YAML::Node &c, const QString &where)
{
    static const std::pair<const char *, qint64> units[]
        = { { "second", 1000 }, { "minute", 60'000 }, { "hour", 3'600'000 }, { "day", 86'400'000 },
              { "month", 30LL * 86'400'000 }, { "year", 365LL * 86'400'000 } };
    std::optional<RateLimit> out;
    for (const auto &[unit, ms] : units) {
        if (!at(c, unit) || at(c, unit).IsNull())
            continue;
        if (out) {
            m_warnings << QStringLiteral("%1: rate-limiting per %2 not imported; one window per limit")
                              .arg(where, QString::fromLatin1(unit));
            continue;
        }
        RateLimit r;
        r.requests = int(num(at(c, unit), 0));
        r.per = Duration(ms);
        out = r;
    }
    if (!out)
        return out;
    const QString by = str(at(c, "limit_by"), QStringLiteral("consumer"));
    if (by == u"ip") {
        out->by = RateLimit::By::Ip;
    } else if (by == u"service") {
        out->by = RateLimit::By::Route;
    } else if (by == u"header") {
        out->by = RateLimit::By::Header;
        out->header = str(at(c, "header_name"));
    } else if (by != u"consumer" && by != u"credential") {
        m_warnings << QStringLiteral("%1: rate-limiting limit_by %2 imported as by consumer").arg(where, by);
    }
    return out;
}

// The api_key scheme for a key-auth config: an existing one with the same header/query, or a new one.
QString KongReader::keyScheme(const YAML::Node &c)
{
    const QStringList names
        = at(c, "key_names") ? strings(at(c, "key_names")) : QStringList { QStringLiteral("apikey") };
    AuthScheme s;
    s.type = AuthType::ApiKey;
    const bool inHeader = at(c, "key_in_header") ? at(c, "key_in_header").as<bool>() : true;
    const bool inQuery = at(c, "key_in_query") ? at(c, "key_in_query").as<bool>() : true;
    if (inHeader)
        s.header = names.value(0);
    if (inQuery)
        s.query = names.value(names.size() - 1);
    for (const AuthScheme &a : m_ws.auth) {
        if (a.type == AuthType::ApiKey && a.header == s.header && a.query == s.query)
            return a.name;
    }
    s.name
        = m_ws.auth.isEmpty() ? QStringLiteral("keys") : QStringLiteral("keys%1").arg(m_ws.auth.size() + 1);
    m_ws.auth.append(s);
    return s.name;
}

void KongReader::applyPlugin(const YAML::Node &p, Route &r, const QString &where)
{
    const QString name = str(at(p, "name"));
    const YAML::Node c = at(p, "config");
    if (at(p, "enabled") && !at(p, "enabled").as<bool>()) {
        m_warnings << QStringLiteral("%1: disabled plugin %2 not imported").arg(where, name);
        return;
    }
    if (name == u"key-auth") {
        AuthConfig &auth = r.filters.edit<AuthConfig>();
        auth.schemes.append(keyScheme(c));
        auth.hideCredentials = at(c, "hide_credentials") && at(c, "hide_credentials").as<bool>();
    } else if (name == u"jwt") {
        // Consumers come first: their jwt_secrets (portico-jwt-issuer) made the jwt schemes.
        QStringList jwt;
        for (const AuthScheme &a : m_ws.auth) {
            if (a.type == AuthType::Jwt)
                jwt << a.name;
        }
        if (jwt.isEmpty()) {
            AuthScheme a;
            a.name = QStringLiteral("jwt");
            a.type = AuthType::Jwt;
            m_ws.auth.append(a);
            jwt << a.name;
            m_warnings << QStringLiteral(
                "%1: jwt plugin without a portico-jwt-issuer consumer; scheme jwt needs an "
                "issuer and key")
                              .arg(where);
        } else if (jwt.size() > 1) {
            m_warnings << QStringLiteral("%1: several JWT issuers; the route accepts %2")
                              .arg(where, jwt.join(u", "));
        }
        r.filters.edit<AuthConfig>().schemes << jwt;
    } else if (name == u"acl") {
        r.filters.edit<AclConfig>().allowGroups = strings(at(c, "allow"));
        if (at(c, "deny"))
            m_warnings << QStringLiteral("%1: acl deny list not imported").arg(where);
    } else if (name == u"rate-limiting") {
        r.filters.edit<RateLimitConfig>().limit = rateLimit(c, where);
    } else if (name == u"request-transformer") {
        RequestTransform &t = r.filters.edit<TransformConfig>().request;
        t.headers.remove = strings(at(at(c, "remove"), "headers"));
        t.query.remove = strings(at(at(c, "remove"), "querystring"));
        t.headers.rename = pairs(at(at(c, "rename"), "headers"));
        const char *op = at(c, "add") ? "add" : "replace";
        t.headers.set = pairs(at(at(c, op), "headers"));
        t.query.set = pairs(at(at(c, op), "querystring"));
        if (at(c, "append") || at(at(c, "remove"), "body") || at(at(c, "add"), "body")
            || at(at(c, "replace"), "uri"))
            m_warnings << QStringLiteral("%1: request-transformer append/body/uri not imported").arg(where);
    } else if (name == u"response-transformer") {
        ResponseTransform &t = r.filters.edit<TransformConfig>().response;
        t.headers.remove = strings(at(at(c, "remove"), "headers"));
        t.jsonRemove = strings(at(at(c, "remove"), "json"));
        t.headers.rename = pairs(at(at(c, "rename"), "headers"));
        t.headers.set = pairs(at(at(c, at(c, "add") ? "add" : "replace"), "headers"));
        if (at(c, "append") || at(at(c, "add"), "json") || at(at(c, "replace"), "json"))
            m_warnings
                << QStringLiteral("%1: response-transformer append/json changes not imported").arg(where);
    } else if (name == u"request-termination") {
        Mock m;
        m.status = int(num(at(c, "status_code"), 503));
        m.body = str(at(c, "body"), str(at(c, "message")));
        if (at(c, "content_type"))
            m.headers.append({ QStringLiteral("Content-Type"), str(at(c, "content_type")) });
        r.mock = m;
        r.upstream.clear();
    } else {
        m_warnings
            << QStringLiteral("%1: plugin %2 has no workspace equivalent; not imported").arg(where, name);
    }
}

void KongReader::readConsumer(const YAML::Node &n)
{
    Consumer c;
    c.name = str(at(n, "username"), str(at(n, "custom_id")));
    const QStringList tags = strings(at(n, "tags"));
    if (tags.contains(u"portico-jwt-issuer")) {
        // Written by exportKong for a jwt scheme: the consumer stands for the issuer, not a person.
        const YAML::Node secret = at(at(n, "jwt_secrets"), 0);
        AuthScheme a;
        a.name = c.name;
        a.type = AuthType::Jwt;
        a.issuer = str(at(secret, "key"));
        a.algorithms = QStringList { str(at(secret, "algorithm"), QStringLiteral("HS256")) };
        a.secret = str(at(secret, "secret"));
        if (at(secret, "rsa_public_key"))
            m_warnings << QStringLiteral("auth %1: save rsa_public_key as a PEM file and set public_key")
                              .arg(a.name);
        m_ws.auth.append(a);
        return;
    }
    for (const YAML::Node &k : at(n, "keyauth_credentials"))
        c.apiKeys << str(at(k, "key"));
    for (const YAML::Node &g : at(n, "acls"))
        c.groups << str(at(g, "group"));
    if (at(n, "jwt_secrets"))
        m_warnings << QStringLiteral("consumer %1: jwt_secrets not imported (Portico finds JWT consumers by "
                                     "subject)")
                          .arg(c.name);
    for (const char *creds :
        { "basicauth_credentials", "hmacauth_credentials", "oauth2_credentials", "mtls_auth_credentials" }) {
        if (n[creds])
            m_warnings
                << QStringLiteral("consumer %1: %2 not imported").arg(c.name, QString::fromLatin1(creds));
    }
    QString tier;
    for (const QString &t : tags) {
        if (t.startsWith(u"portico-tier:"))
            tier = t.mid(13);
    }
    for (const YAML::Node &p : at(n, "plugins")) {
        const QString where = QStringLiteral("consumer %1").arg(c.name);
        if (str(at(p, "name")) != u"rate-limiting") {
            m_warnings << QStringLiteral("%1: plugin %2 not imported").arg(where, str(at(p, "name")));
            continue;
        }
        for (const QString &t : strings(at(p, "tags"))) {
            if (t.startsWith(u"portico-tier:"))
                tier = t.mid(13);
        }
        if (tier.isEmpty())
            tier = c.name + QStringLiteral("-plan");
        bool known = false;
        for (const Tier &t : m_ws.tiers)
            known = known || t.name == tier;
        if (!known)
            m_ws.tiers.append(Tier { tier, rateLimit(at(p, "config"), where) });
    }
    if (!tier.isEmpty()) {
        bool known = false;
        for (const Tier &t : m_ws.tiers)
            known = known || t.name == tier;
        if (!known)
            m_ws.tiers.append(Tier { tier, std::nullopt });
    }
    c.tier = tier;
    m_ws.consumers.append(c);
}

// Routes flattened from one versioned workspace route (portico-route tags) are put back together.
QList<Route> KongReader::assembleRoutes()
{
    QList<Route> out;
    QStringList done;
    for (const KongRoute &kr : std::as_const(m_routes)) {
        if (kr.portico.isEmpty()) {
            out.append(kr.route);
            continue;
        }
        if (done.contains(kr.portico))
            continue;
        done << kr.portico;
        QList<const KongRoute *> members;
        const KongRoute *def = nullptr;
        for (const KongRoute &m : std::as_const(m_routes)) {
            if (m.portico != kr.portico)
                continue;
            if (m.route.name == kr.portico)
                def = &m;
            else
                members << &m;
        }
        const KongRoute &base = def ? *def : *members.first();
        Route r = base.route;
        r.name = kr.portico;
        r.upstream.clear();
        Versions v;
        if (def)
            v.defaultVersion = def->version;
        for (const KongRoute *m : members) {
            v.map.append({ m->version, m->route.upstream });
            const QString prefix = u'/' + m->version;
            if (m->route.match.path.startsWith(prefix) && !def) {
                r.match = m->route.match;
                r.match.path = r.match.path.mid(prefix.size());
                if (r.match.path.isEmpty())
                    r.match.path = QStringLiteral("/");
            }
            for (const auto &[k, val] : m->route.match.headers) {
                if (val == m->version) {
                    v.by = Versions::By::Header;
                    v.header = k;
                    r.match.headers.removeAll(std::pair<QString, QString>(k, val));
                }
            }
            Deprecation dep;
            bool deprecated = false;
            for (const auto &[k, val] : m->route.filters.value<TransformConfig>().response.headers.set) {
                if (k == u"Deprecation") {
                    deprecated = true;
                } else if (k == u"Sunset") {
                    dep.sunset = QLocale::c()
                                     .toDateTime(val, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"))
                                     .date();
                } else if (k == u"Link") {
                    static const QRegularExpression link(QStringLiteral("^<([^>]*)>"));
                    dep.link = link.match(val).captured(1);
                }
            }
            if (deprecated)
                v.deprecated.append({ m->version, dep });
        }
        // What the version routes added for deprecation is not a route-level response header.
        KeyValues set;
        for (const auto &kv : base.route.filters.value<TransformConfig>().response.headers.set) {
            if (def || (kv.first != u"Deprecation" && kv.first != u"Sunset" && kv.first != u"Link"))
                set.append(kv);
        }
        if (r.filters.get<TransformConfig>() || !set.isEmpty())
            r.filters.edit<TransformConfig>().response.headers.set = set;
        r.stripPrefix = base.stripPath && base.servicePath.isEmpty() && (def || v.by == Versions::By::Header);
        r.versions = v;
        out.append(r);
    }
    return out;
}

ImportResult KongReader::read(const QByteArray &text)
{
    ImportResult result;
    YAML::Node doc;
    try {
        doc = YAML::Load(text.toStdString());
    } catch (const YAML::Exception &e) {
        result.error = QStringLiteral("not a Kong declarative file: line %1: %2")
                           .arg(e.mark.line + 1)
                           .arg(QString::fromStdString(e.msg));
        return result;
    }
    if (!doc.IsMap() || !at(doc, "_format_version")) {
        result.error = QStringLiteral("not a Kong declarative file: _format_version is missing");
        return result;
    }
    const QString version = str(at(doc, "_format_version"));
    if (version != u"3.0")
        m_warnings << QStringLiteral("_format_version %1 read as 3.0").arg(version);
    try {
        for (const YAML::Node &u : at(doc, "upstreams"))
            readUpstream(u);
        for (const YAML::Node &c : at(doc, "consumers"))
            readConsumer(c);
        for (const YAML::Node &s : at(doc, "services"))
            readService(s);
        for (const YAML::Node &r : at(doc, "routes"))
            readRoute(r, nullptr);
        for (const YAML::Node &p : at(doc, "plugins")) {
            const QString name = str(at(p, "name"));
            if (name == u"request-size-limiting" && !at(p, "route") && !at(p, "service")
                && !at(p, "consumer")) {
                const QString unit = str(at(at(p, "config"), "size_unit"), QStringLiteral("megabytes"));
                const double size = num(at(at(p, "config"), "allowed_payload_size"), 128);
                const qint64 factor = unit == u"bytes" ? 1 : unit == u"kilobytes" ? 1024 : 1024 * 1024;
                m_ws.gateway.limits.maxBodyBytes = qint64(size * double(factor));
            } else {
                m_warnings << QStringLiteral("plugin %1 (global) not imported").arg(name);
            }
        }
        for (const char *section :
            { "certificates", "ca_certificates", "snis", "vaults", "consumer_groups" }) {
            if (doc[section])
                m_warnings << QStringLiteral("%1 not imported").arg(QString::fromLatin1(section));
        }
    } catch (const YAML::Exception &e) {
        result.error = QStringLiteral("unexpected Kong structure: line %1: %2")
                           .arg(e.mark.line + 1)
                           .arg(QString::fromStdString(e.msg));
        return result;
    }
    m_ws.routes = assembleRoutes();
    result.workspace = m_ws;
    result.warnings = m_warnings;
    return result;
}

} // namespace

ImportResult importKong(const QByteArray &text)
{
    return KongReader().read(text);
}

} // namespace portico::exporter
