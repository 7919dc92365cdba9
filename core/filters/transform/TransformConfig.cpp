#include "core/filters/transform/TransformConfig.h"

#include "core/config/ValidationSink.h"
#include "core/config/WorkspaceTree.h"
#include "core/config/YamlReader.h"

namespace portico::config {

namespace {

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

void checkHeaderOps(ValidationSink &sink, const HeaderOps &ops, const QString &p)
{
    sink.checkHeaders(p + QStringLiteral(".set"), ops.set);
    for (int i = 0; i < ops.remove.size(); ++i)
        sink.checkHeaderName(QStringLiteral("%1.remove[%2]").arg(p).arg(i), ops.remove[i]);
    for (const auto &[from, to] : ops.rename) {
        sink.checkHeaderName(p + QStringLiteral(".rename.") + from, from, true);
        sink.checkHeaderName(p + QStringLiteral(".rename.") + from, to);
    }
}

WorkspaceTree writeHeaderOps(const TreeWriter &w, const HeaderOps &ops, const QString &p, bool withRename)
{
    WorkspaceTree t;
    if (!ops.set.isEmpty())
        t.insert("set", w.keyValues(p + ".set", ops.set));
    if (!ops.remove.isEmpty())
        t.insert("remove", w.list(p + ".remove", ops.remove));
    if (withRename && !ops.rename.isEmpty())
        t.insert("rename", w.keyValues(p + ".rename", ops.rename));
    return t;
}

} // namespace

const QStringList &TransformConfig::routeKeys()
{
    static const QStringList keys { "request", "response" };
    return keys;
}

void TransformConfig::parse(
    YamlReader &r, const QString &key, const YAML::Node &node, const QString &path, FilterConfigs &configs)
{
    if (key == u"request")
        configs.edit<TransformConfig>().request = parseRequest(r, node, path);
    else
        configs.edit<TransformConfig>().response = parseResponse(r, node, path);
}

void TransformConfig::validate(ValidationSink &sink, const Route &, const QString &p) const
{
    checkHeaderOps(sink, request.headers, p + QStringLiteral(".request.headers"));
    checkHeaderOps(sink, response.headers, p + QStringLiteral(".response.headers"));
    for (int i = 0; i < response.jsonRemove.size(); ++i) {
        if (response.jsonRemove[i].isEmpty())
            sink.add(QStringLiteral("%1.response.json.remove[%2]").arg(p).arg(i),
                QStringLiteral("empty JSON field path"));
    }
}

void TransformConfig::write(const TreeWriter &w, const QString &p, WorkspaceTree &route) const
{
    if (!request.empty()) {
        WorkspaceTree t;
        if (!request.headers.empty())
            t.insert("headers", writeHeaderOps(w, request.headers, p + ".request.headers", true));
        if (!request.query.empty())
            t.insert("query",
                writeHeaderOps(w, HeaderOps { request.query.set, request.query.remove, {} },
                    p + ".request.query", false));
        route.insert("request", t);
    }
    if (!response.empty()) {
        WorkspaceTree t;
        if (!response.headers.empty())
            t.insert("headers", writeHeaderOps(w, response.headers, p + ".response.headers", true));
        if (!response.jsonRemove.isEmpty())
            t.insert("json",
                TreeWriter::map({ { "remove", w.list(p + ".response.json.remove", response.jsonRemove) } }));
        route.insert("response", t);
    }
}

} // namespace portico::config
