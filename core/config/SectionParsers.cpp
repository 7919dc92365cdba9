#include "core/config/SectionParsers.h"

namespace portico::config {

GatewaySettings parseGateway(YamlReader &r, const YAML::Node &node, const QString &path)
{
    GatewaySettings g;
    for (const auto &f :
        r.fields(node, path, QStringLiteral("gateway"), { "listen", "tls", "workers", "http2", "limits", "paths" })) {
        if (f.key == u"listen") {
            g.listen.clear();
            for (const auto &item : r.items(f.value, f.path, true)) {
                if (const auto hp = r.hostPort(item.value, item.path))
                    g.listen.append(*hp);
            }
        } else if (f.key == u"tls") {
            TlsFiles tls;
            for (const auto &t :
                r.fields(f.value, f.path, QStringLiteral("gateway tls"), { "cert", "key" })) {
                assign(t.key == u"cert" ? tls.cert : tls.key, r.string(t.value, t.path));
            }
            if (f.value.IsMap())
                g.tls = tls;
        } else if (f.key == u"workers") {
            const auto text = r.string(f.value, f.path);
            bool ok = false;
            const int n = text ? text->toInt(&ok) : 0;
            if (text && *text == u"auto")
                g.workers = 0;
            else if (ok && n >= 1)
                g.workers = n;
            else if (text)
                r.error(f.path,
                    QStringLiteral("'workers' must be auto or a number of threads, not '%1'").arg(*text));
        } else if (f.key == u"http2") {
            assign(g.http2, r.boolean(f.value, f.path));
        } else if (f.key == u"limits") {
            const QStringList keys { "max_header_bytes", "max_body_bytes", "header_timeout", "idle_timeout",
                "max_connections" };
            for (const auto &l : r.fields(f.value, f.path, QStringLiteral("gateway limits"), keys)) {
                if (l.key == u"max_header_bytes")
                    assign(g.limits.maxHeaderBytes, r.size(l.value, l.path));
                else if (l.key == u"max_body_bytes")
                    assign(g.limits.maxBodyBytes, r.size(l.value, l.path));
                else if (l.key == u"header_timeout")
                    assign(g.limits.headerTimeout, r.duration(l.value, l.path));
                else if (l.key == u"idle_timeout")
                    assign(g.limits.idleTimeout, r.duration(l.value, l.path));
                else
                    assign(g.limits.maxConnections, r.integer(l.value, l.path));
            }
        } else if (f.key == u"paths") {
            for (const auto &p : r.fields(f.value, f.path, QStringLiteral("gateway paths"),
                     { "merge_slashes", "escaped_slashes" })) {
                if (p.key == u"merge_slashes") {
                    assign(g.paths.mergeSlashes, r.boolean(p.value, p.path));
                    continue;
                }
                const auto text = r.choice(p.value, p.path, QStringLiteral("escaped_slashes action"),
                    { QStringLiteral("keep"), QStringLiteral("reject"), QStringLiteral("decode") });
                if (text == u"reject")
                    g.paths.escapedSlashes = PathRules::EscapedSlashes::Reject;
                else if (text == u"decode")
                    g.paths.escapedSlashes = PathRules::EscapedSlashes::Decode;
                else if (text)
                    g.paths.escapedSlashes = PathRules::EscapedSlashes::Keep;
            }
        }
    }
    return g;
}

AdminSettings parseAdmin(YamlReader &r, const YAML::Node &node, const QString &path)
{
    AdminSettings a;
    for (const auto &f : r.fields(node, path, QStringLiteral("admin"), { "enabled", "listen", "token" })) {
        if (f.key == u"enabled")
            assign(a.enabled, r.boolean(f.value, f.path));
        else if (f.key == u"listen")
            assign(a.listen, r.hostPort(f.value, f.path));
        else
            assign(a.token, r.string(f.value, f.path, YamlReader::UnsetEnv::Empty));
    }
    return a;
}

CaptureSettings parseCapture(YamlReader &r, const YAML::Node &node, const QString &path)
{
    CaptureSettings c;
    const QStringList keys { "enabled", "database", "max_body_bytes", "redact_headers", "retention" };
    for (const auto &f : r.fields(node, path, QStringLiteral("capture"), keys)) {
        if (f.key == u"enabled") {
            assign(c.enabled, r.boolean(f.value, f.path));
        } else if (f.key == u"database") {
            assign(c.database, r.string(f.value, f.path));
        } else if (f.key == u"max_body_bytes") {
            assign(c.maxBodyBytes, r.size(f.value, f.path));
        } else if (f.key == u"redact_headers") {
            c.redactHeaders = r.stringList(f.value, f.path);
        } else {
            const QStringList retentionKeys { "max_exchanges", "max_age" };
            for (const auto &t :
                r.fields(f.value, f.path, QStringLiteral("capture retention"), retentionKeys)) {
                if (t.key == u"max_exchanges") {
                    if (const auto n = r.integer(t.value, t.path))
                        c.retention.maxExchanges = *n;
                } else {
                    assign(c.retention.maxAge, r.duration(t.value, t.path));
                }
            }
        }
    }
    return c;
}

TracingSettings parseTracing(YamlReader &r, const YAML::Node &node, const QString &path)
{
    TracingSettings t;
    for (const auto &f : r.fields(node, path, QStringLiteral("tracing"), { "propagation", "otlp" })) {
        if (f.key == u"propagation") {
            t.propagation = r.stringList(f.value, f.path);
            continue;
        }
        OtlpSettings o;
        for (const auto &e : r.fields(
                 f.value, f.path, QStringLiteral("tracing otlp"), { "endpoint", "service_name", "sample" })) {
            if (e.key == u"endpoint") {
                assign(o.endpoint, r.url(e.value, e.path));
            } else if (e.key == u"service_name") {
                assign(o.serviceName, r.string(e.value, e.path));
            } else if (const auto text = r.string(e.value, e.path)) {
                bool ok = false;
                const double sample = text->toDouble(&ok);
                if (ok && sample >= 0 && sample <= 1)
                    o.sample = sample;
                else
                    r.error(e.path,
                        QStringLiteral("'sample' must be a fraction from 0 to 1, not '%1'").arg(*text));
            }
        }
        if (f.value.IsMap())
            t.otlp = o;
    }
    return t;
}

static Target parseTarget(YamlReader &r, const YamlReader::Entry &item, bool *ok)
{
    Target t;
    *ok = false;
    if (item.value.IsScalar()) { // "- http://host:port" is short for "- {url: http://host:port}"
        if (const auto url = r.url(item.value, item.path + QStringLiteral(".url"))) {
            t.url = *url;
            *ok = true;
        }
        return t;
    }
    bool hasUrl = false;
    for (const auto &f :
        r.fields(item.value, item.path, QStringLiteral("upstream target"), { "url", "weight" })) {
        if (f.key == u"url") {
            hasUrl = true;
            if (const auto url = r.url(f.value, f.path)) {
                t.url = *url;
                *ok = true;
            }
        } else {
            assign(t.weight, r.integer(f.value, f.path));
        }
    }
    if (!hasUrl && item.value.IsMap() && !r.failedUnder(item.path))
        r.error(item.path, QStringLiteral("missing 'url' in upstream target"));
    return t;
}

QList<Upstream> parseUpstreams(YamlReader &r, const YAML::Node &node, const QString &path)
{
    QList<Upstream> out;
    for (const auto &e : r.entries(node, path, QStringLiteral("upstream"))) {
        Upstream u;
        u.name = e.key;
        const QStringList keys { "targets", "balance", "protocol", "timeouts", "retries", "health_check" };
        for (const auto &f : r.fields(e.value, e.path, QStringLiteral("upstream '%1'").arg(e.key), keys)) {
            if (f.key == u"targets") {
                for (const auto &item : r.items(f.value, f.path)) {
                    bool ok = false;
                    const Target t = parseTarget(r, item, &ok);
                    if (ok)
                        u.targets.append(t);
                }
            } else if (f.key == u"balance") {
                const QStringList names { balanceName(Balance::RoundRobin),
                    balanceName(Balance::LeastConnections), balanceName(Balance::IpHash) };
                if (const auto b = r.choice(f.value, f.path, QStringLiteral("balance"), names))
                    u.balance = static_cast<Balance>(names.indexOf(*b));
            } else if (f.key == u"protocol") {
                const QStringList names { upstreamProtocolName(UpstreamProtocol::Http1),
                    upstreamProtocolName(UpstreamProtocol::H2c), upstreamProtocolName(UpstreamProtocol::H2) };
                if (const auto p = r.choice(f.value, f.path, QStringLiteral("protocol"), names))
                    u.protocol = static_cast<UpstreamProtocol>(names.indexOf(*p));
            } else if (f.key == u"timeouts") {
                for (const auto &t : r.fields(
                         f.value, f.path, QStringLiteral("upstream timeouts"), { "connect", "response" })) {
                    assign(t.key == u"connect" ? u.connectTimeout : u.responseTimeout,
                        r.duration(t.value, t.path));
                }
            } else if (f.key == u"retries") {
                assign(u.retries, r.integer(f.value, f.path));
            } else {
                HealthCheck h;
                const QStringList hkeys { "path", "interval", "timeout", "unhealthy_after", "healthy_after" };
                for (const auto &t : r.fields(f.value, f.path, QStringLiteral("health_check"), hkeys)) {
                    if (t.key == u"path")
                        assign(h.path, r.string(t.value, t.path));
                    else if (t.key == u"interval")
                        assign(h.interval, r.duration(t.value, t.path));
                    else if (t.key == u"timeout")
                        assign(h.timeout, r.duration(t.value, t.path));
                    else if (t.key == u"unhealthy_after")
                        assign(h.unhealthyAfter, r.integer(t.value, t.path));
                    else
                        assign(h.healthyAfter, r.integer(t.value, t.path));
                }
                u.healthCheck = h;
            }
        }
        out.append(u);
    }
    return out;
}

QList<Tier> parseTiers(YamlReader &r, const YAML::Node &node, const QString &path)
{
    QList<Tier> out;
    for (const auto &e : r.entries(node, path, QStringLiteral("tier"))) {
        Tier t;
        t.name = e.key;
        if (e.value.IsNull()) { // "free:" with nothing: a tier without limits
            out.append(t);
            continue;
        }
        for (const auto &f :
            r.fields(e.value, e.path, QStringLiteral("tier '%1'").arg(e.key), { "rate_limit" }))
            t.rateLimit = parseRateLimit(r, f.value, f.path);
        out.append(t);
    }
    return out;
}

QList<Consumer> parseConsumers(YamlReader &r, const YAML::Node &node, const QString &path)
{
    QList<Consumer> out;
    for (const auto &item : r.items(node, path)) {
        Consumer c;
        const QStringList keys { "name", "tier", "groups", "api_keys", "jwt_subject" };
        for (const auto &f : r.fields(item.value, item.path, QStringLiteral("consumer"), keys)) {
            if (f.key == u"name")
                assign(c.name, r.string(f.value, f.path));
            else if (f.key == u"tier")
                assign(c.tier, r.string(f.value, f.path));
            else if (f.key == u"groups")
                c.groups = r.stringList(f.value, f.path);
            else if (f.key == u"api_keys")
                c.apiKeys = r.stringList(f.value, f.path);
            else
                assign(c.jwtSubject, r.string(f.value, f.path));
        }
        out.append(c);
    }
    return out;
}

} // namespace portico::config
