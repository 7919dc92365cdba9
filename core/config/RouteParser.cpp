// The routes section of the workspace file (declared in SectionParsers.h).
#include "core/config/SectionParsers.h"

#include <QDate>

namespace portico::config {

namespace {

template<typename T> void assign(T &target, const std::optional<T> &value)
{
    if (value)
        target = *value;
}

RouteMatch parseMatch(YamlReader &r, const YAML::Node &node, const QString &path)
{
    RouteMatch m;
    const QStringList keys { "path", "path_exact", "path_regex", "methods", "hosts", "headers" };
    QString pathKey;
    for (const auto &f : r.fields(node, path, QStringLiteral("route match"), keys)) {
        if (f.key.startsWith(u"path")) {
            if (!pathKey.isEmpty()) {
                r.error(f.path,
                    QStringLiteral("route match has both '%1' and '%2' (use one)").arg(pathKey, f.key),
                    YamlReader::Anchor::Key);
                continue;
            }
            pathKey = f.key;
            m.pathKind = f.key == u"path" ? RouteMatch::PathKind::Prefix
                : f.key == u"path_exact"  ? RouteMatch::PathKind::Exact
                                          : RouteMatch::PathKind::Regex;
            assign(m.path, r.string(f.value, f.path));
        } else if (f.key == u"methods") {
            m.methods.clear();
            for (const QString &method : r.stringList(f.value, f.path))
                m.methods.append(method.toUpper());
        } else if (f.key == u"hosts") {
            m.hosts = r.stringList(f.value, f.path);
        } else {
            m.headers = r.keyValues(f.value, f.path, QStringLiteral("match header"));
        }
    }
    if (pathKey.isEmpty() && node.IsMap() && !r.failedUnder(path))
        r.error(path, QStringLiteral("missing 'path' in route match (or path_exact, path_regex)"),
            YamlReader::Anchor::Key);
    return m;
}

Versions parseVersions(YamlReader &r, const YAML::Node &node, const QString &path)
{
    Versions v;
    const QStringList keys { "by", "header", "map", "default", "deprecated" };
    for (const auto &f : r.fields(node, path, QStringLiteral("route versions"), keys)) {
        if (f.key == u"by") {
            if (const auto by
                = r.choice(f.value, f.path, QStringLiteral("versions by"), { "path", "header" }))
                v.by = *by == u"path" ? Versions::By::Path : Versions::By::Header;
        } else if (f.key == u"header") {
            assign(v.header, r.string(f.value, f.path));
        } else if (f.key == u"map") {
            v.map = r.keyValues(f.value, f.path, QStringLiteral("version"));
        } else if (f.key == u"default") {
            assign(v.defaultVersion, r.string(f.value, f.path));
        } else {
            for (const auto &e : r.entries(f.value, f.path, QStringLiteral("deprecated version"))) {
                Deprecation d;
                const QString context = QStringLiteral("deprecated version '%1'").arg(e.key);
                if (!e.value.IsNull()) {
                    for (const auto &dep :
                        r.fields(e.value, e.path, context, { "since", "sunset", "link" })) {
                        const auto text = r.string(dep.value, dep.path);
                        if (!text)
                            continue;
                        if (dep.key == u"link") {
                            d.link = *text;
                            continue;
                        }
                        QDate &date = dep.key == u"since" ? d.since : d.sunset;
                        date = QDate::fromString(*text, Qt::ISODate);
                        if (!date.isValid())
                            r.error(
                                dep.path, QStringLiteral("invalid date '%1' (use YYYY-MM-DD)").arg(*text));
                    }
                }
                v.deprecated.append({ e.key, d });
            }
        }
    }
    return v;
}

HeaderOps parseHeaderOps(YamlReader &r, const YAML::Node &node, const QString &path, bool withRename)
{
    HeaderOps ops;
    const QStringList keys
        = withRename ? QStringList { "set", "remove", "rename" } : QStringList { "set", "remove" };
    const QString context
        = path.endsWith(u"query") ? QStringLiteral("query transform") : QStringLiteral("header transform");
    for (const auto &f : r.fields(node, path, context, keys)) {
        if (f.key == u"set")
            ops.set = r.keyValues(f.value, f.path, QStringLiteral("name"));
        else if (f.key == u"remove")
            ops.remove = r.stringList(f.value, f.path);
        else
            ops.rename = r.keyValues(f.value, f.path, QStringLiteral("name"));
    }
    return ops;
}

RequestTransform parseRequest(YamlReader &r, const YAML::Node &node, const QString &path)
{
    RequestTransform t;
    for (const auto &f : r.fields(node, path, QStringLiteral("route request"), { "headers", "query" })) {
        if (f.key == u"headers") {
            t.headers = parseHeaderOps(r, f.value, f.path, true);
        } else {
            const HeaderOps q = parseHeaderOps(r, f.value, f.path, false);
            t.query.set = q.set;
            t.query.remove = q.remove;
        }
    }
    return t;
}

ResponseTransform parseResponse(YamlReader &r, const YAML::Node &node, const QString &path)
{
    ResponseTransform t;
    for (const auto &f : r.fields(node, path, QStringLiteral("route response"), { "headers", "json" })) {
        if (f.key == u"headers") {
            t.headers = parseHeaderOps(r, f.value, f.path, true);
        } else {
            for (const auto &j : r.fields(f.value, f.path, QStringLiteral("response json"), { "remove" }))
                t.jsonRemove = r.stringList(j.value, j.path);
        }
    }
    return t;
}

QList<AggregatePart> parseAggregate(YamlReader &r, const YAML::Node &node, const QString &path)
{
    QList<AggregatePart> parts;
    for (const auto &item : r.items(node, path)) {
        AggregatePart p;
        for (const auto &f : r.fields(
                 item.value, item.path, QStringLiteral("aggregate part"), { "key", "upstream", "path" })) {
            assign(f.key == u"key"         ? p.key
                    : f.key == u"upstream" ? p.upstream
                                           : p.path,
                r.string(f.value, f.path));
        }
        if (item.value.IsMap())
            parts.append(p);
    }
    return parts;
}

Mock parseMock(YamlReader &r, const YAML::Node &node, const QString &path)
{
    Mock m;
    const QStringList keys { "status", "headers", "body", "body_file", "delay" };
    for (const auto &f : r.fields(node, path, QStringLiteral("mock"), keys)) {
        if (f.key == u"status")
            assign(m.status, r.integer(f.value, f.path));
        else if (f.key == u"headers")
            m.headers = r.keyValues(f.value, f.path, QStringLiteral("header"));
        else if (f.key == u"body")
            assign(m.body, r.string(f.value, f.path));
        else if (f.key == u"body_file")
            assign(m.bodyFile, r.string(f.value, f.path));
        else
            assign(m.delay, r.duration(f.value, f.path));
    }
    return m;
}

Route parseRoute(YamlReader &r, const YamlReader::Entry &item)
{
    Route route;
    const QStringList keys { "name", "match", "upstream", "versions", "aggregate", "mock", "strip_prefix",
        "auth", "hide_credentials", "allow_groups", "rate_limit", "request", "response", "timeout" };
    bool hasMatch = false;
    for (const auto &f : r.fields(item.value, item.path, QStringLiteral("route"), keys)) {
        if (f.key == u"name") {
            assign(route.name, r.string(f.value, f.path));
        } else if (f.key == u"match") {
            hasMatch = true;
            route.match = parseMatch(r, f.value, f.path);
        } else if (f.key == u"upstream") {
            assign(route.upstream, r.string(f.value, f.path));
        } else if (f.key == u"versions") {
            if (r.expectMap(f.value, f.path))
                route.versions = parseVersions(r, f.value, f.path);
        } else if (f.key == u"aggregate") {
            route.aggregate = parseAggregate(r, f.value, f.path);
        } else if (f.key == u"mock") {
            if (r.expectMap(f.value, f.path))
                route.mock = parseMock(r, f.value, f.path);
        } else if (f.key == u"strip_prefix") {
            assign(route.stripPrefix, r.boolean(f.value, f.path));
        } else if (f.key == u"auth") {
            route.auth = r.stringList(f.value, f.path);
        } else if (f.key == u"hide_credentials") {
            assign(route.hideCredentials, r.boolean(f.value, f.path));
        } else if (f.key == u"allow_groups") {
            route.allowGroups = r.stringList(f.value, f.path);
        } else if (f.key == u"rate_limit") {
            route.rateLimit = parseRateLimit(r, f.value, f.path);
        } else if (f.key == u"request") {
            route.request = parseRequest(r, f.value, f.path);
        } else if (f.key == u"response") {
            route.response = parseResponse(r, f.value, f.path);
        } else if (f.key == u"timeout") {
            if (const auto d = r.duration(f.value, f.path))
                route.timeout = *d;
        }
    }
    if (!hasMatch && item.value.IsMap() && !r.failedUnder(item.path)) {
        const QString what
            = route.name.isEmpty() ? QStringLiteral("route") : QStringLiteral("route '%1'").arg(route.name);
        r.error(item.path, QStringLiteral("missing 'match' in %1").arg(what));
    }
    return route;
}

} // namespace

QList<Route> parseRoutes(YamlReader &r, const YAML::Node &node, const QString &path)
{
    QList<Route> routes;
    for (const auto &item : r.items(node, path))
        routes.append(parseRoute(r, item));
    return routes;
}

} // namespace portico::config
