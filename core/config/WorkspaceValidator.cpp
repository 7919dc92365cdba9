#include "core/config/WorkspaceValidator.h"

#include "core/config/FilterConfigRegistry.h"
#include "core/config/GrpcConfig.h"
#include "core/config/ProxyConfig.h"
#include "core/config/ValidationSink.h"
#include "core/config/ValueFormats.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

namespace portico::config {

namespace {

const QStringList kPropagations { "w3c", "b3" };

class Checker : public ValidationSink
{
public:
    explicit Checker(const Workspace &ws)
        : ValidationSink(ws)
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
        if (const auto &otlp = m_ws.tracing.otlp) {
            if (otlp->endpoint.isEmpty())
                add("tracing.otlp", QStringLiteral("missing 'endpoint' in tracing otlp"), true);
            else
                checkHttpUrl("tracing.otlp.endpoint", otlp->endpoint);
            if (otlp->serviceName.trimmed().isEmpty())
                add("tracing.otlp.service_name", QStringLiteral("'service_name' must not be empty"));
        }
        validateRateLimitStore(*this, m_ws.rateLimitStore);
        validateGrpc(*this, m_ws);
        validateProxy(*this, m_ws);
        checkUpstreams();
        checkTiers();
        checkConsumers();
        checkAuth();
        for (int i = 0; i < m_ws.routes.size(); ++i)
            checkRoute(m_ws.routes[i], QStringLiteral("routes[%1]").arg(i));
        return takeIssues();
    }

private:
    void checkUpstreamRef(const QString &path, const QString &route, const QString &name)
    {
        if (!m_ws.findUpstream(name))
            add(path, QStringLiteral("route '%1' names upstream '%2', which does not exist").arg(route, name),
                false, "upstreams");
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
                else if (u.protocol == UpstreamProtocol::H2c && t.url.scheme() != u"http")
                    add(tp + QStringLiteral(".url"),
                        QStringLiteral("target URL '%1' must use http with protocol h2c (h2 is HTTP/2 over TLS)")
                            .arg(text));
                else if (u.protocol == UpstreamProtocol::H2 && t.url.scheme() != u"https")
                    add(tp + QStringLiteral(".url"),
                        QStringLiteral("target URL '%1' must use https with protocol h2 (h2c is HTTP/2 "
                                       "without TLS)")
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
                validateRateLimit(*this, QStringLiteral("tiers.%1.rate_limit").arg(t.name), *t.rateLimit);
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
        validateAuthSchemes(*this);
    }

    void checkRoute(const Route &r, const QString &p);
    void checkMatch(const RouteMatch &m, const QString &p);

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
    checkHeaders(p + QStringLiteral(".headers"), m.headers);
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
        validateVersions(*this, r, p + QStringLiteral(".versions"));
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
    if (r.mock)
        validateMock(*this, *r.mock, p + QStringLiteral(".mock"));

    // The route's filters, in chain order.
    for (const FilterConfigType &type : filterConfigTypes()) {
        if (const FilterConfig *config = r.filters.find(type.name))
            config->validate(*this, r, p);
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
