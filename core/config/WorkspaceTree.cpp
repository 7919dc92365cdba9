#include "core/config/WorkspaceTree.h"

#include "core/config/FilterConfigRegistry.h"
#include "core/config/GrpcConfig.h"
#include "core/config/ProxyConfig.h"

namespace portico::config {

WorkspaceTree WorkspaceTree::string(const QString &s)
{
    WorkspaceTree t;
    t.kind = Kind::String;
    t.text = s;
    return t;
}

WorkspaceTree WorkspaceTree::integer(qint64 n)
{
    WorkspaceTree t;
    t.kind = Kind::Number;
    t.number = n;
    return t;
}

WorkspaceTree WorkspaceTree::boolean(bool b)
{
    WorkspaceTree t;
    t.kind = Kind::Bool;
    t.flag = b;
    return t;
}

WorkspaceTree WorkspaceTree::emptyList()
{
    WorkspaceTree t;
    t.kind = Kind::List;
    return t;
}

namespace {

using Tree = WorkspaceTree;

} // namespace

Tree TreeWriter::scalar(const QString &path, Tree value, bool secret) const
{
    value.envTemplate = m_ws.envTemplates.value(path);
    value.secret = secret;
    return value;
}

Tree TreeWriter::str(const QString &path, const QString &s, bool secret) const
{
    Tree t = scalar(path, Tree::string(s), secret);
    // A literal "${" (typed in the GUI, or read as "$${") must not expand when read back.
    if (t.envTemplate.isEmpty() && s.contains(QStringLiteral("${"))) {
        t.envTemplate = QString(s).replace(QStringLiteral("${"), QStringLiteral("$${"));
        t.escapedLiteral = true;
    }
    return t;
}

Tree TreeWriter::duration(const QString &path, Duration d) const
{
    return str(path, formatDuration(d));
}

Tree TreeWriter::size(const QString &path, qint64 bytes) const
{
    return str(path, formatSize(bytes));
}

Tree TreeWriter::list(const QString &path, const QStringList &items) const
{
    Tree t = Tree::emptyList();
    for (int i = 0; i < items.size(); ++i)
        t.list.append(str(QStringLiteral("%1[%2]").arg(path).arg(i), items[i]));
    return t;
}

Tree TreeWriter::keyValues(const QString &path, const KeyValues &kv) const
{
    Tree t;
    for (const auto &[key, value] : kv)
        t.insert(key, str(path + u'.' + key, value));
    return t;
}

Tree TreeWriter::map(QList<std::pair<QString, Tree>> entries)
{
    Tree t;
    t.map = std::move(entries);
    return t;
}

namespace {

// Builds the tree with the same dotted paths the loader uses, so that env templates recorded at
// load time are found again for each value.
class Builder : public TreeWriter
{
public:
    explicit Builder(const Workspace &ws)
        : TreeWriter(ws)
    {
    }

    Tree build()
    {
        Tree root;
        root.insert("version", scalar("version", Tree::integer(m_ws.version)));
        root.insert("gateway", gateway());
        root.insert("admin", admin());
        root.insert("capture", capture());
        if (m_ws.tracing != TracingSettings {}) {
            Tree tracing = map({ { "propagation", list("tracing.propagation", m_ws.tracing.propagation) } });
            if (const auto &otlp = m_ws.tracing.otlp) {
                Tree o;
                o.insert("endpoint", str("tracing.otlp.endpoint", otlp->endpoint.toString()));
                if (otlp->serviceName != OtlpSettings {}.serviceName)
                    o.insert("service_name", str("tracing.otlp.service_name", otlp->serviceName));
                if (otlp->sample != 1.0)
                    o.insert("sample", str("tracing.otlp.sample", QString::number(otlp->sample, 'g', 6)));
                tracing.insert("otlp", o);
            }
            root.insert("tracing", tracing);
        }
        if (auto store = writeRateLimitStore(*this, m_ws.rateLimitStore))
            root.insert("rate_limit_store", std::move(*store));
        if (auto grpc = writeGrpc(*this, m_ws.grpc))
            root.insert("grpc", std::move(*grpc));
        if (auto proxy = writeProxy(*this, m_ws.proxy))
            root.insert("proxy", std::move(*proxy));
        if (!m_ws.upstreams.isEmpty()) {
            Tree ups;
            for (const Upstream &u : m_ws.upstreams)
                ups.insert(u.name, upstream(u, "upstreams." + u.name));
            root.insert("upstreams", ups);
        }
        if (!m_ws.tiers.isEmpty()) {
            Tree tiers;
            for (const Tier &t : m_ws.tiers) {
                Tree tier;
                if (t.rateLimit)
                    tier.insert(
                        "rate_limit", writeRateLimit(*this, *t.rateLimit, "tiers." + t.name + ".rate_limit"));
                tiers.insert(t.name, tier);
            }
            root.insert("tiers", tiers);
        }
        if (!m_ws.consumers.isEmpty()) {
            Tree consumers = Tree::emptyList();
            for (int i = 0; i < m_ws.consumers.size(); ++i)
                consumers.list.append(consumer(m_ws.consumers[i], QStringLiteral("consumers[%1]").arg(i)));
            root.insert("consumers", consumers);
        }
        if (!m_ws.auth.isEmpty()) {
            Tree schemes;
            for (const AuthScheme &a : m_ws.auth)
                schemes.insert(a.name, writeAuthScheme(*this, a, "auth." + a.name));
            root.insert("auth", schemes);
        }
        if (!m_ws.routes.isEmpty()) {
            Tree routes = Tree::emptyList();
            for (int i = 0; i < m_ws.routes.size(); ++i)
                routes.list.append(route(m_ws.routes[i], QStringLiteral("routes[%1]").arg(i)));
            root.insert("routes", routes);
        }
        for (auto &[key, section] : root.map)
            section.block = true;
        return root;
    }

private:
    Tree gateway() const
    {
        const GatewaySettings &g = m_ws.gateway;
        Tree t;
        QStringList listen;
        for (const HostPort &hp : g.listen)
            listen.append(hp.toString());
        Tree listeners = list("gateway.listen", listen);
        t.insert("listen", listeners.list.size() == 1 ? listeners.list.first() : listeners);
        if (g.tls)
            t.insert("tls",
                map({ { "cert", str("gateway.tls.cert", g.tls->cert) },
                    { "key", str("gateway.tls.key", g.tls->key) } }));
        t.insert("workers",
            g.workers == 0 ? str("gateway.workers", "auto")
                           : scalar("gateway.workers", Tree::integer(g.workers)));
        if (g.http2)
            t.insert("http2", scalar("gateway.http2", Tree::boolean(true)));
        const Limits def;
        Tree limits;
        if (g.limits.maxHeaderBytes != def.maxHeaderBytes)
            limits.insert(
                "max_header_bytes", size("gateway.limits.max_header_bytes", g.limits.maxHeaderBytes));
        if (g.limits.maxBodyBytes != def.maxBodyBytes)
            limits.insert("max_body_bytes", size("gateway.limits.max_body_bytes", g.limits.maxBodyBytes));
        if (g.limits.headerTimeout != def.headerTimeout)
            limits.insert(
                "header_timeout", duration("gateway.limits.header_timeout", g.limits.headerTimeout));
        if (g.limits.idleTimeout != def.idleTimeout)
            limits.insert("idle_timeout", duration("gateway.limits.idle_timeout", g.limits.idleTimeout));
        if (g.limits.maxConnections != def.maxConnections)
            limits.insert("max_connections",
                scalar("gateway.limits.max_connections", Tree::integer(g.limits.maxConnections)));
        if (!limits.isEmpty())
            t.insert("limits", limits);
        const PathRules defPaths;
        Tree paths;
        if (g.paths.mergeSlashes != defPaths.mergeSlashes)
            paths.insert(
                "merge_slashes", scalar("gateway.paths.merge_slashes", Tree::boolean(g.paths.mergeSlashes)));
        if (g.paths.escapedSlashes != defPaths.escapedSlashes) {
            const char *action = g.paths.escapedSlashes == PathRules::EscapedSlashes::Reject ? "reject"
                : g.paths.escapedSlashes == PathRules::EscapedSlashes::Decode                ? "decode"
                                                                                             : "keep";
            paths.insert(
                "escaped_slashes", str("gateway.paths.escaped_slashes", QString::fromLatin1(action)));
        }
        if (!paths.isEmpty())
            t.insert("paths", paths);
        return t;
    }

    Tree admin() const
    {
        const AdminSettings &a = m_ws.admin;
        Tree t;
        if (!a.enabled)
            t.insert("enabled", scalar("admin.enabled", Tree::boolean(false)));
        t.insert("listen", str("admin.listen", a.listen.toString()));
        if (!a.token.isEmpty() || m_ws.envTemplates.contains("admin.token"))
            t.insert("token", str("admin.token", a.token, true));
        return t;
    }

    Tree capture() const
    {
        const CaptureSettings &c = m_ws.capture;
        const CaptureSettings def;
        Tree t;
        if (!c.enabled)
            t.insert("enabled", scalar("capture.enabled", Tree::boolean(false)));
        t.insert("database", str("capture.database", c.database));
        if (c.maxBodyBytes != def.maxBodyBytes)
            t.insert("max_body_bytes", size("capture.max_body_bytes", c.maxBodyBytes));
        if (c.redactHeaders != def.redactHeaders)
            t.insert("redact_headers", list("capture.redact_headers", c.redactHeaders));
        Tree retention;
        if (c.retention.maxExchanges != def.retention.maxExchanges)
            retention.insert("max_exchanges",
                scalar("capture.retention.max_exchanges", Tree::integer(c.retention.maxExchanges)));
        if (c.retention.maxAge != def.retention.maxAge)
            retention.insert("max_age", duration("capture.retention.max_age", c.retention.maxAge));
        if (!retention.isEmpty())
            t.insert("retention", retention);
        return t;
    }

    Tree upstream(const Upstream &u, const QString &p) const
    {
        const Upstream def;
        Tree t;
        Tree targets = Tree::emptyList();
        for (int i = 0; i < u.targets.size(); ++i) {
            const QString tp = QStringLiteral("%1.targets[%2]").arg(p).arg(i);
            const QString urlPath = tp + QStringLiteral(".url");
            Tree target;
            target.insert("url", str(urlPath, u.targets[i].url.toString()));
            if (u.targets[i].weight != 1)
                target.insert("weight", scalar(tp + ".weight", Tree::integer(u.targets[i].weight)));
            targets.list.append(target);
        }
        t.insert("targets", targets);
        if (u.balance != def.balance)
            t.insert("balance", str(p + ".balance", balanceName(u.balance)));
        if (u.protocol != def.protocol)
            t.insert("protocol", str(p + ".protocol", upstreamProtocolName(u.protocol)));
        Tree timeouts;
        if (u.connectTimeout != def.connectTimeout)
            timeouts.insert("connect", duration(p + ".timeouts.connect", u.connectTimeout));
        if (u.responseTimeout != def.responseTimeout)
            timeouts.insert("response", duration(p + ".timeouts.response", u.responseTimeout));
        if (!timeouts.isEmpty())
            t.insert("timeouts", timeouts);
        if (u.retries != def.retries)
            t.insert("retries", scalar(p + ".retries", Tree::integer(u.retries)));
        if (const auto &h = u.healthCheck) {
            const QString hp = p + ".health_check";
            // Written in full: a health check is read more often than it is tuned.
            Tree hc;
            hc.insert("path", str(hp + ".path", h->path));
            hc.insert("interval", duration(hp + ".interval", h->interval));
            hc.insert("timeout", duration(hp + ".timeout", h->timeout));
            hc.insert("unhealthy_after", scalar(hp + ".unhealthy_after", Tree::integer(h->unhealthyAfter)));
            hc.insert("healthy_after", scalar(hp + ".healthy_after", Tree::integer(h->healthyAfter)));
            t.insert("health_check", hc);
        }
        return t;
    }

    Tree consumer(const Consumer &c, const QString &p) const
    {
        Tree t;
        t.insert("name", str(p + ".name", c.name));
        if (!c.tier.isEmpty())
            t.insert("tier", str(p + ".tier", c.tier));
        if (!c.groups.isEmpty())
            t.insert("groups", list(p + ".groups", c.groups));
        if (!c.apiKeys.isEmpty())
            t.insert("api_keys", list(p + ".api_keys", c.apiKeys));
        if (!c.jwtSubject.isEmpty())
            t.insert("jwt_subject", str(p + ".jwt_subject", c.jwtSubject));
        return t;
    }

    Tree match(const RouteMatch &m, const QString &p) const
    {
        Tree t;
        const char *pathKey = m.pathKind == RouteMatch::PathKind::Prefix ? "path"
            : m.pathKind == RouteMatch::PathKind::Exact                  ? "path_exact"
                                                                         : "path_regex";
        t.insert(pathKey, str(p + u'.' + QLatin1String(pathKey), m.path));
        if (!m.methods.isEmpty())
            t.insert("methods", list(p + ".methods", m.methods));
        if (!m.hosts.isEmpty())
            t.insert("hosts", list(p + ".hosts", m.hosts));
        if (!m.headers.isEmpty())
            t.insert("headers", keyValues(p + ".headers", m.headers));
        return t;
    }

    Tree route(const Route &r, const QString &p) const
    {
        Tree t;
        t.insert("name", str(p + ".name", r.name));
        t.insert("match", match(r.match, p + ".match"));
        if (!r.upstream.isEmpty())
            t.insert("upstream", str(p + ".upstream", r.upstream));
        if (r.versions)
            t.insert("versions", writeVersions(*this, *r.versions, p + ".versions"));
        if (!r.aggregate.isEmpty()) {
            Tree parts = Tree::emptyList();
            for (int i = 0; i < r.aggregate.size(); ++i) {
                const QString ap = QStringLiteral("%1.aggregate[%2]").arg(p).arg(i);
                const AggregatePart &part = r.aggregate[i];
                parts.list.append(map({ { "key", str(ap + ".key", part.key) },
                    { "upstream", str(ap + ".upstream", part.upstream) },
                    { "path", str(ap + ".path", part.path) } }));
            }
            t.insert("aggregate", parts);
        }
        if (r.mock)
            t.insert("mock", writeMock(*this, *r.mock, p + ".mock"));
        if (r.stripPrefix)
            t.insert("strip_prefix", scalar(p + ".strip_prefix", Tree::boolean(true)));
        if (r.grpc)
            t.insert("grpc", writeRouteGrpc(*this, *r.grpc, p + ".grpc"));
        // The route's filters, in chain order (the order of their keys in the file).
        for (const FilterConfigType &type : filterConfigTypes()) {
            if (const FilterConfig *config = r.filters.find(type.name))
                config->write(*this, p, t);
        }
        if (r.timeout)
            t.insert("timeout", duration(p + ".timeout", *r.timeout));
        return t;
    }
};

} // namespace

WorkspaceTree buildWorkspaceTree(const Workspace &ws)
{
    return Builder(ws).build();
}

} // namespace portico::config
