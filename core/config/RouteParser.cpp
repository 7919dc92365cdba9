// The routes section of the workspace file (declared in SectionParsers.h). A route's filter keys
// are read by their filters (core/filters/<name>/<Name>Config.cpp), found through the registry.
#include "core/config/SectionParsers.h"

#include "core/config/FilterConfigRegistry.h"
#include "core/config/GrpcConfig.h"

namespace portico::config {

namespace {

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

// The route's own keys, then each filter's (FilterConfigRegistry, in chain order), then timeout:
// the order the writer uses too.
const QStringList &routeKeys()
{
    static const QStringList keys = [] {
        QStringList k { "name", "match", "upstream", "versions", "aggregate", "mock", "strip_prefix", "grpc" };
        for (const FilterConfigType &type : filterConfigTypes())
            k += *type.routeKeys;
        k.append(QStringLiteral("timeout"));
        return k;
    }();
    return keys;
}

Route parseRoute(YamlReader &r, const YamlReader::Entry &item)
{
    Route route;
    bool hasMatch = false;
    for (const auto &f : r.fields(item.value, item.path, QStringLiteral("route"), routeKeys())) {
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
        } else if (f.key == u"grpc") {
            if (r.expectMap(f.value, f.path))
                route.grpc = parseRouteGrpc(r, f.value, f.path);
        } else if (f.key == u"timeout") {
            if (const auto d = r.duration(f.value, f.path))
                route.timeout = *d;
        } else if (const FilterConfigType *type = filterConfigTypeForKey(f.key)) {
            type->parse(r, f.key, f.value, f.path, route.filters);
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
