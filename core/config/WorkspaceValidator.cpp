#include "core/config/WorkspaceValidator.h"

#include "core/config/ValueFormats.h"

#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

namespace portico::config {

namespace {

const QStringList kJwtAlgorithms { "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384",
    "PS512", "ES256", "ES384", "ES512", "EdDSA" };
const QStringList kPropagations { "w3c", "b3" };

class Checker
{
public:
    explicit Checker(const Workspace &ws)
        : m_ws(ws)
    {
    }

    QList<ValidationIssue> run()
    {
        if (m_ws.version != 1)
            add("version", QStringLiteral("unsupported version %1 (only 1 is supported)").arg(m_ws.version));
        checkGateway();
        checkAdmin();
        checkCapture();
        for (int i = 0; i < m_ws.tracing.propagation.size(); ++i)
            checkChoice(QStringLiteral("tracing.propagation[%1]").arg(i),
                QStringLiteral("tracing propagation"), m_ws.tracing.propagation[i], kPropagations);
        checkUpstreams();
        checkTiers();
        checkConsumers();
        checkAuth();
        for (int i = 0; i < m_ws.routes.size(); ++i)
            checkRoute(m_ws.routes[i], QStringLiteral("routes[%1]").arg(i));
        return m_issues;
    }

private:
    // `refersTo`: the section a missing name should be in (the loader drops such issues when that
    // section itself could not be read).
    void add(const QString &path, const QString &message, bool atKey = false, const char *refersTo = "")
    {
        m_issues.append(ValidationIssue { path, message, atKey, QString::fromLatin1(refersTo) });
    }

    void checkChoice(
        const QString &path, const QString &what, const QString &value, const QStringList &options)
    {
        if (options.contains(value))
            return;
        const QString hint = closestMatch(value, options);
        add(path,
            hint.isEmpty() ? QStringLiteral("unknown %1 '%2' (use %3)").arg(what, value, options.join(u", "))
                           : QStringLiteral("unknown %1 '%2' (did you mean '%3'?)").arg(what, value, hint));
    }

    void checkPositive(const QString &path, qint64 value)
    {
        if (value <= 0)
            add(path, QStringLiteral("'%1' must be more than 0").arg(path.section(u'.', -1)));
    }

    void checkFile(const QString &path, const QString &file)
    {
        if (!file.isEmpty() && !QFileInfo(m_ws.resolvePath(file)).isFile())
            add(path, QStringLiteral("file '%1' not found (%2)").arg(file, m_ws.resolvePath(file)));
    }

    void checkHttpUrl(const QString &path, const QUrl &url)
    {
        if (!url.isValid() || url.host().isEmpty())
            add(path, QStringLiteral("invalid URL '%1'").arg(url.toString()));
        else if (url.scheme() != u"http" && url.scheme() != u"https")
            add(path, QStringLiteral("URL '%1' must start with http:// or https://").arg(url.toString()));
    }

    // `atKey`: the name is a map key ("set: {NAME: value}"), not a value.
    void checkHeaderName(const QString &path, const QString &name, bool atKey = false)
    {
        if (!isHttpToken(name))
            add(path, QStringLiteral("invalid header name '%1'").arg(name), atKey);
    }

    void checkHeaderValue(const QString &path, const QString &value)
    {
        if (!isSafeHeaderValue(value))
            add(path, QStringLiteral("a header value must not contain control characters (CR, LF, NUL)"));
    }

    void checkUpstreamRef(const QString &path, const QString &route, const QString &name)
    {
        if (!m_ws.findUpstream(name))
            add(path, QStringLiteral("route '%1' names upstream '%2', which does not exist").arg(route, name),
                false, "upstreams");
    }

    void checkRateLimit(const QString &path, const RateLimit &r)
    {
        if (r.requests < 1)
            add(path + QStringLiteral(".requests"),
                QStringLiteral("rate limit 'requests' must be at least 1"));
        checkPositive(path + QStringLiteral(".per"), r.per.count());
        if (r.by == RateLimit::By::Header)
            checkHeaderName(path + QStringLiteral(".by"), r.header);
    }

    template<typename T>
    void checkUniqueNames(const QList<T> &items, const QString &section, const QString &what)
    {
        QSet<QString> seen;
        for (const T &item : items) {
            if (item.name.isEmpty())
                add(section, QStringLiteral("a %1 has no name").arg(what), true);
            else if (seen.contains(item.name))
                add(section + u'.' + item.name, QStringLiteral("duplicate %1 '%2'").arg(what, item.name),
                    true);
            seen.insert(item.name);
        }
    }

    void checkGateway()
    {
        const GatewaySettings &g = m_ws.gateway;
        if (g.listen.isEmpty())
            add("gateway.listen", QStringLiteral("the gateway needs at least one listener"), true);
        if (g.tls) {
            if (g.tls->cert.isEmpty())
                add("gateway.tls.cert", QStringLiteral("missing 'cert' in gateway tls"), true);
            if (g.tls->key.isEmpty())
                add("gateway.tls.key", QStringLiteral("missing 'key' in gateway tls"), true);
            checkFile("gateway.tls.cert", g.tls->cert);
            checkFile("gateway.tls.key", g.tls->key);
        }
        if (g.workers < 0)
            add("gateway.workers", QStringLiteral("'workers' must be auto or a number of threads"));
        checkPositive("gateway.limits.max_header_bytes", g.limits.maxHeaderBytes);
        checkPositive("gateway.limits.max_body_bytes", g.limits.maxBodyBytes);
        checkPositive("gateway.limits.header_timeout", g.limits.headerTimeout.count());
        checkPositive("gateway.limits.idle_timeout", g.limits.idleTimeout.count());
        checkPositive("gateway.limits.max_connections", g.limits.maxConnections);
    }

    // The admin API reads and replaces the whole config (keys included): reachable from other
    // machines, it must ask for a token.
    void checkAdmin()
    {
        const AdminSettings &a = m_ws.admin;
        if (!a.enabled || a.listen.isLoopback() || !a.token.isEmpty())
            return;
        const QString unset = m_ws.envTemplates.value(QStringLiteral("admin.token"));
        add("admin.listen",
            QStringLiteral("admin.listen %1 is not a loopback address, so the admin API needs admin.token "
                           "(%2); or listen on 127.0.0.1, localhost or [::1]")
                .arg(a.listen.toString(),
                    unset.isEmpty() ? QStringLiteral("e.g. token: ${PORTICO_ADMIN_TOKEN}")
                                    : QStringLiteral("%1 is empty or not set").arg(unset)));
    }

    void checkCapture()
    {
        const CaptureSettings &c = m_ws.capture;
        if (c.database.isEmpty())
            add("capture.database", QStringLiteral("'database' must name a file"), true);
        if (c.maxBodyBytes < 0)
            add("capture.max_body_bytes", QStringLiteral("'max_body_bytes' must not be negative"));
        checkPositive("capture.retention.max_exchanges", c.retention.maxExchanges);
        checkPositive("capture.retention.max_age", c.retention.maxAge.count());
    }

    void checkUpstreams()
    {
        checkUniqueNames(m_ws.upstreams, "upstreams", QStringLiteral("upstream"));
        for (const Upstream &u : m_ws.upstreams) {
            const QString p = QStringLiteral("upstreams.") + u.name;
            if (u.targets.isEmpty())
                add(p + QStringLiteral(".targets"),
                    QStringLiteral("upstream '%1' has no targets").arg(u.name), true);
            for (int i = 0; i < u.targets.size(); ++i) {
                const Target &t = u.targets[i];
                const QString tp = QStringLiteral("%1.targets[%2]").arg(p).arg(i);
                const QString text = t.url.toString();
                if (t.url.scheme() != u"http" && t.url.scheme() != u"https")
                    add(tp + QStringLiteral(".url"),
                        QStringLiteral("target URL '%1' must use http or https").arg(text));
                else if (t.url.host().isEmpty())
                    add(tp + QStringLiteral(".url"), QStringLiteral("target URL '%1' has no host").arg(text));
                else if ((!t.url.path().isEmpty() && t.url.path() != u"/") || t.url.hasQuery()
                    || t.url.hasFragment())
                    add(tp + QStringLiteral(".url"),
                        QStringLiteral("target URL '%1' must not have a path (only scheme, host and port)")
                            .arg(text));
                if (t.weight < 1)
                    add(tp + QStringLiteral(".weight"), QStringLiteral("'weight' must be at least 1"));
            }
            if (u.retries < 0)
                add(p + QStringLiteral(".retries"), QStringLiteral("'retries' must not be negative"));
            checkPositive(p + QStringLiteral(".timeouts.connect"), u.connectTimeout.count());
            checkPositive(p + QStringLiteral(".timeouts.response"), u.responseTimeout.count());
            if (const auto &h = u.healthCheck) {
                const QString hp = p + QStringLiteral(".health_check");
                if (!h->path.startsWith(u'/'))
                    add(hp + QStringLiteral(".path"),
                        QStringLiteral("path '%1' must start with '/'").arg(h->path));
                checkPositive(hp + QStringLiteral(".interval"), h->interval.count());
                checkPositive(hp + QStringLiteral(".timeout"), h->timeout.count());
                checkPositive(hp + QStringLiteral(".unhealthy_after"), h->unhealthyAfter);
                checkPositive(hp + QStringLiteral(".healthy_after"), h->healthyAfter);
            }
        }
    }

    void checkTiers()
    {
        checkUniqueNames(m_ws.tiers, "tiers", QStringLiteral("tier"));
        for (const Tier &t : m_ws.tiers) {
            if (t.rateLimit)
                checkRateLimit(QStringLiteral("tiers.%1.rate_limit").arg(t.name), *t.rateLimit);
        }
    }

    void checkConsumers()
    {
        QHash<QString, QString> names, keys, subjects; // value -> first consumer
        for (int i = 0; i < m_ws.consumers.size(); ++i) {
            const Consumer &c = m_ws.consumers[i];
            const QString p = QStringLiteral("consumers[%1]").arg(i);
            if (c.name.isEmpty())
                add(p, QStringLiteral("missing 'name' in consumer"));
            else if (names.contains(c.name))
                add(p + QStringLiteral(".name"), QStringLiteral("duplicate consumer '%1'").arg(c.name));
            names.insert(c.name, c.name);
            // Names and groups become X-Consumer-Name / X-Consumer-Groups header values.
            if (!isSafeHeaderValue(c.name))
                add(p + QStringLiteral(".name"),
                    QStringLiteral("a consumer name must not contain control characters"));
            for (int g = 0; g < c.groups.size(); ++g) {
                if (!isSafeHeaderValue(c.groups[g]) || c.groups[g].contains(u','))
                    add(QStringLiteral("%1.groups[%2]").arg(p).arg(g),
                        QStringLiteral("a group must not contain commas or control characters"));
            }
            if (!c.tier.isEmpty() && !m_ws.findTier(c.tier))
                add(p + QStringLiteral(".tier"),
                    QStringLiteral("consumer '%1' names tier '%2', which does not exist").arg(c.name, c.tier),
                    false, "tiers");
            for (int k = 0; k < c.apiKeys.size(); ++k) {
                const QString key = c.apiKeys[k];
                const QString kp = QStringLiteral("%1.api_keys[%2]").arg(p).arg(k);
                if (key.isEmpty())
                    add(kp, QStringLiteral("an api key must not be empty"));
                else if (keys.contains(key))
                    add(kp,
                        QStringLiteral("api key '%1' is used twice (also by consumer '%2')")
                            .arg(key, keys[key]));
                else
                    keys.insert(key, c.name);
            }
            if (!c.jwtSubject.isEmpty()) {
                if (subjects.contains(c.jwtSubject))
                    add(p + QStringLiteral(".jwt_subject"),
                        QStringLiteral("jwt_subject '%1' is used twice (also by consumer '%2')")
                            .arg(c.jwtSubject, subjects[c.jwtSubject]));
                else
                    subjects.insert(c.jwtSubject, c.name);
            }
        }
    }

    void checkAuth()
    {
        checkUniqueNames(m_ws.auth, "auth", QStringLiteral("auth scheme"));
        for (const AuthScheme &a : m_ws.auth) {
            const QString p = QStringLiteral("auth.") + a.name;
            switch (a.type) {
            case AuthType::ApiKey:
                if (a.header.isEmpty() && a.query.isEmpty())
                    add(p, QStringLiteral("api_key scheme '%1' needs 'header' or 'query'").arg(a.name), true);
                if (!a.header.isEmpty())
                    checkHeaderName(p + QStringLiteral(".header"), a.header);
                break;
            case AuthType::Jwt: {
                const bool hasSecret
                    = !a.secret.isEmpty() || m_ws.envTemplates.contains(p + QStringLiteral(".secret"));
                if (a.jwksUrl.isEmpty() && a.publicKey.isEmpty() && !hasSecret)
                    add(p,
                        QStringLiteral("jwt scheme '%1' needs one of jwks_url, public_key, secret")
                            .arg(a.name),
                        true);
                if (!a.jwksUrl.isEmpty())
                    checkHttpUrl(p + QStringLiteral(".jwks_url"), a.jwksUrl);
                checkFile(p + QStringLiteral(".public_key"), a.publicKey);
                for (int i = 0; i < a.algorithms.size(); ++i)
                    checkChoice(QStringLiteral("%1.algorithms[%2]").arg(p).arg(i),
                        QStringLiteral("jwt algorithm"), a.algorithms[i], kJwtAlgorithms);
                if (a.consumerClaim.isEmpty())
                    add(p + QStringLiteral(".consumer_claim"),
                        QStringLiteral("'consumer_claim' must not be empty"));
                if (a.clockSkew.count() < 0)
                    add(p + QStringLiteral(".clock_skew"),
                        QStringLiteral("'clock_skew' must not be negative"));
                break;
            }
            case AuthType::OAuth2Introspection:
                if (a.url.isEmpty())
                    add(p, QStringLiteral("missing 'url' in auth scheme '%1'").arg(a.name), true);
                else
                    checkHttpUrl(p + QStringLiteral(".url"), a.url);
                break;
            }
        }
    }

    void checkRoute(const Route &r, const QString &p);
    void checkMatch(const RouteMatch &m, const QString &p);
    void checkVersions(const Route &r, const QString &p);
    void checkHeaderOps(const HeaderOps &ops, const QString &p);

    const Workspace &m_ws;
    QList<ValidationIssue> m_issues;
    QSet<QString> m_routeNames;
};

void Checker::checkMatch(const RouteMatch &m, const QString &p)
{
    const QString pathKey = m.pathKind == RouteMatch::PathKind::Prefix ? QStringLiteral("path")
        : m.pathKind == RouteMatch::PathKind::Exact                    ? QStringLiteral("path_exact")
                                                                       : QStringLiteral("path_regex");
    if (m.pathKind == RouteMatch::PathKind::Regex) {
        const QRegularExpression re(m.path);
        if (!re.isValid())
            add(p + u'.' + pathKey,
                QStringLiteral("invalid regex '%1': %2 at offset %3")
                    .arg(m.path, re.errorString())
                    .arg(re.patternErrorOffset()));
    } else if (!m.path.startsWith(u'/')) {
        add(p + u'.' + pathKey, QStringLiteral("path '%1' must start with '/'").arg(m.path));
    }
    static const QStringList methods { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
        "CONNECT" };
    for (int i = 0; i < m.methods.size(); ++i) {
        if (isHttpMethod(m.methods[i]))
            continue;
        const QString hint = closestMatch(m.methods[i], methods);
        add(QStringLiteral("%1.methods[%2]").arg(p).arg(i),
            hint.isEmpty()
                ? QStringLiteral("invalid HTTP method '%1'").arg(m.methods[i])
                : QStringLiteral("invalid HTTP method '%1' (did you mean '%2'?)").arg(m.methods[i], hint));
    }
    static const QRegularExpression host(
        QStringLiteral("^(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\\d+)?$"));
    for (int i = 0; i < m.hosts.size(); ++i) {
        if (!host.match(m.hosts[i]).hasMatch())
            add(QStringLiteral("%1.hosts[%2]").arg(p).arg(i),
                QStringLiteral("invalid host '%1' (use a name or *.suffix)").arg(m.hosts[i]));
    }
    for (const auto &[name, value] : m.headers) {
        checkHeaderName(p + QStringLiteral(".headers.") + name, name, true);
        checkHeaderValue(p + QStringLiteral(".headers.") + name, value);
    }
}

void Checker::checkVersions(const Route &r, const QString &p)
{
    const Versions &v = *r.versions;
    if (v.by == Versions::By::Header)
        checkHeaderName(p + QStringLiteral(".header"), v.header);
    if (v.map.isEmpty())
        add(p + QStringLiteral(".map"), QStringLiteral("route '%1' versions have no map").arg(r.name), true);
    QStringList versions;
    for (const auto &[version, upstream] : v.map) {
        versions.append(version);
        if (!m_ws.findUpstream(upstream))
            add(p + QStringLiteral(".map.") + version,
                QStringLiteral("route '%1' maps version '%2' to upstream '%3', which does not exist")
                    .arg(r.name, version, upstream),
                false, "upstreams");
    }
    if (v.defaultVersion.isEmpty())
        add(p + QStringLiteral(".default"), QStringLiteral("route '%1' versions have no default").arg(r.name),
            true);
    else if (!v.map.isEmpty() && !versions.contains(v.defaultVersion))
        add(p + QStringLiteral(".default"),
            QStringLiteral("default version '%1' is not in the version map").arg(v.defaultVersion));
    for (const auto &[version, deprecation] : v.deprecated) {
        const QString dp = p + QStringLiteral(".deprecated.") + version;
        if (!versions.contains(version))
            add(dp, QStringLiteral("deprecated version '%1' is not in the version map").arg(version), true);
        if (!deprecation.link.isEmpty())
            checkHttpUrl(dp + QStringLiteral(".link"), QUrl(deprecation.link));
    }
}

void Checker::checkHeaderOps(const HeaderOps &ops, const QString &p)
{
    for (const auto &[name, value] : ops.set) {
        checkHeaderName(p + QStringLiteral(".set.") + name, name, true);
        checkHeaderValue(p + QStringLiteral(".set.") + name, value);
    }
    for (int i = 0; i < ops.remove.size(); ++i)
        checkHeaderName(QStringLiteral("%1.remove[%2]").arg(p).arg(i), ops.remove[i]);
    for (const auto &[from, to] : ops.rename) {
        checkHeaderName(p + QStringLiteral(".rename.") + from, from, true);
        checkHeaderName(p + QStringLiteral(".rename.") + from, to);
    }
}

void Checker::checkRoute(const Route &r, const QString &p)
{
    if (r.name.isEmpty())
        add(p, QStringLiteral("missing 'name' in route"));
    else if (m_routeNames.contains(r.name))
        add(p + QStringLiteral(".name"), QStringLiteral("duplicate route name '%1'").arg(r.name));
    m_routeNames.insert(r.name);

    checkMatch(r.match, p + QStringLiteral(".match"));

    QStringList targets;
    if (!r.upstream.isEmpty())
        targets.append(QStringLiteral("upstream"));
    if (r.versions)
        targets.append(QStringLiteral("versions"));
    if (!r.aggregate.isEmpty())
        targets.append(QStringLiteral("aggregate"));
    if (r.mock)
        targets.append(QStringLiteral("mock"));
    if (targets.isEmpty())
        add(p, QStringLiteral("route '%1' has none of upstream, versions, aggregate, mock").arg(r.name));
    else if (targets.size() > 1)
        add(p + u'.' + targets[1],
            QStringLiteral("route '%1' has both '%2' and '%3' (use one)").arg(r.name, targets[0], targets[1]),
            true);

    if (!r.upstream.isEmpty())
        checkUpstreamRef(p + QStringLiteral(".upstream"), r.name, r.upstream);
    if (r.versions)
        checkVersions(r, p + QStringLiteral(".versions"));
    QSet<QString> partKeys;
    for (int i = 0; i < r.aggregate.size(); ++i) {
        const AggregatePart &part = r.aggregate[i];
        const QString ap = QStringLiteral("%1.aggregate[%2]").arg(p).arg(i);
        for (const auto &[field, value] : { std::pair { "key", part.key },
                 std::pair { "upstream", part.upstream }, std::pair { "path", part.path } }) {
            if (value.isEmpty())
                add(ap, QStringLiteral("missing '%1' in aggregate part").arg(QLatin1String(field)));
        }
        if (!part.key.isEmpty() && partKeys.contains(part.key))
            add(ap + QStringLiteral(".key"), QStringLiteral("duplicate aggregate key '%1'").arg(part.key));
        partKeys.insert(part.key);
        if (!part.upstream.isEmpty())
            checkUpstreamRef(ap + QStringLiteral(".upstream"), r.name, part.upstream);
        if (!part.path.isEmpty() && !part.path.startsWith(u'/'))
            add(ap + QStringLiteral(".path"), QStringLiteral("path '%1' must start with '/'").arg(part.path));
    }
    if (r.mock) {
        const QString mp = p + QStringLiteral(".mock");
        if (r.mock->status < 100 || r.mock->status > 599)
            add(mp + QStringLiteral(".status"),
                QStringLiteral("'status' must be an HTTP status from 100 to 599, not %1")
                    .arg(r.mock->status));
        if (!r.mock->body.isEmpty() && !r.mock->bodyFile.isEmpty())
            add(mp + QStringLiteral(".body_file"),
                QStringLiteral("mock has both 'body' and 'body_file' (use one)"), true);
        checkFile(mp + QStringLiteral(".body_file"), r.mock->bodyFile);
        for (const auto &[name, value] : r.mock->headers) {
            checkHeaderName(mp + QStringLiteral(".headers.") + name, name, true);
            checkHeaderValue(mp + QStringLiteral(".headers.") + name, value);
        }
        if (r.mock->delay.count() < 0)
            add(mp + QStringLiteral(".delay"), QStringLiteral("'delay' must not be negative"));
    }

    for (int i = 0; i < r.auth.size(); ++i) {
        if (!m_ws.findAuth(r.auth[i]))
            add(QStringLiteral("%1.auth[%2]").arg(p).arg(i),
                QStringLiteral("route '%1' names auth scheme '%2', which does not exist")
                    .arg(r.name, r.auth[i]),
                false, "auth");
    }
    if (!r.allowGroups.isEmpty() && r.auth.isEmpty())
        add(p + QStringLiteral(".allow_groups"),
            QStringLiteral("route '%1' has allow_groups but no auth (list the schemes in 'auth')")
                .arg(r.name),
            true);
    for (int i = 0; i < r.allowGroups.size(); ++i) {
        const QString &group = r.allowGroups[i];
        const bool held = std::any_of(m_ws.consumers.begin(), m_ws.consumers.end(),
            [&](const Consumer &c) { return c.groups.contains(group); });
        if (!held)
            add(QStringLiteral("%1.allow_groups[%2]").arg(p).arg(i),
                QStringLiteral("route '%1' allows group '%2', which no consumer has").arg(r.name, group),
                false, "consumers");
    }
    if (r.rateLimit)
        checkRateLimit(p + QStringLiteral(".rate_limit"), *r.rateLimit);
    checkHeaderOps(r.request.headers, p + QStringLiteral(".request.headers"));
    checkHeaderOps(r.response.headers, p + QStringLiteral(".response.headers"));
    for (int i = 0; i < r.response.jsonRemove.size(); ++i) {
        if (r.response.jsonRemove[i].isEmpty())
            add(QStringLiteral("%1.response.json.remove[%2]").arg(p).arg(i),
                QStringLiteral("empty JSON field path"));
    }
    if (r.timeout && r.timeout->count() <= 0)
        add(p + QStringLiteral(".timeout"), QStringLiteral("'timeout' must be more than 0"));
}

} // namespace

QList<ValidationIssue> checkWorkspace(const Workspace &ws)
{
    return Checker(ws).run();
}

} // namespace portico::config
