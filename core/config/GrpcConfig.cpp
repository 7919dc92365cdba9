#include "core/config/GrpcConfig.h"

#include <google/protobuf/descriptor.h>

#include <QFileInfo>

namespace portico::config {

GrpcSettings parseGrpc(YamlReader &r, const YAML::Node &node, const QString &path)
{
    GrpcSettings g;
    for (const auto &f : r.fields(node, path, QStringLiteral("grpc"), { "protos", "proto_paths" })) {
        if (f.key == u"protos")
            g.protos = r.stringList(f.value, f.path);
        else
            g.protoPaths = r.stringList(f.value, f.path);
    }
    return g;
}

RouteGrpc parseRouteGrpc(YamlReader &r, const YAML::Node &node, const QString &path)
{
    RouteGrpc g;
    for (const auto &f : r.fields(node, path, QStringLiteral("route grpc"), { "transcode", "services" })) {
        if (f.key == u"transcode")
            assign(g.transcode, r.boolean(f.value, f.path));
        else
            g.services = r.stringList(f.value, f.path);
    }
    return g;
}

std::optional<WorkspaceTree> writeGrpc(const TreeWriter &w, const GrpcSettings &g)
{
    if (g == GrpcSettings {})
        return std::nullopt;
    WorkspaceTree t;
    if (!g.protos.isEmpty())
        t.insert("protos", w.list("grpc.protos", g.protos));
    if (!g.protoPaths.isEmpty())
        t.insert("proto_paths", w.list("grpc.proto_paths", g.protoPaths));
    return t;
}

WorkspaceTree writeRouteGrpc(const TreeWriter &w, const RouteGrpc &g, const QString &path)
{
    WorkspaceTree t;
    if (g.transcode)
        t.insert("transcode", w.scalar(path + ".transcode", WorkspaceTree::boolean(true)));
    t.insert("services", w.list(path + ".services", g.services));
    return t;
}

namespace {

bool filesPresent(const Workspace &ws)
{
    for (const QString &p : ws.grpc.protos) {
        if (!QFileInfo(ws.resolvePath(p)).isFile())
            return false;
    }
    for (const QString &d : ws.grpc.protoPaths) {
        if (!QFileInfo(ws.resolvePath(d)).isDir())
            return false;
    }
    return true;
}

} // namespace

void validateGrpc(ValidationSink &sink, const Workspace &ws)
{
    for (int i = 0; i < ws.grpc.protos.size(); ++i)
        sink.checkFile(QStringLiteral("grpc.protos[%1]").arg(i), ws.grpc.protos[i]);
    for (int i = 0; i < ws.grpc.protoPaths.size(); ++i) {
        const QString &dir = ws.grpc.protoPaths[i];
        if (!QFileInfo(ws.resolvePath(dir)).isDir())
            sink.add(QStringLiteral("grpc.proto_paths[%1]").arg(i),
                QStringLiteral("folder '%1' not found (%2)").arg(dir, ws.resolvePath(dir)));
    }
    for (int r = 0; r < ws.routes.size(); ++r) {
        const Route &route = ws.routes[r];
        if (!route.grpc)
            continue;
        const QString p = QStringLiteral("routes[%1].grpc").arg(r);
        if (route.grpc->transcode)
            sink.add(p + QStringLiteral(".transcode"),
                QStringLiteral("REST<->gRPC transcoding is not available in this version of Portico"));
        if (route.grpc->services.isEmpty()) {
            sink.add(p, QStringLiteral("missing 'services' in route grpc"), true);
            continue;
        }
        if (ws.grpc.protos.isEmpty()) {
            sink.add(p + QStringLiteral(".services"),
                QStringLiteral("route '%1' names gRPC services, but grpc.protos lists no schema")
                    .arg(route.name));
            continue;
        }
        if (!ws.grpcSchema) // did not compile: its own errors say why
            continue;
        QStringList known;
        for (const auto *service : ws.grpcSchema->services())
            known.append(QString::fromStdString(service->full_name()));
        for (int s = 0; s < route.grpc->services.size(); ++s) {
            const QString &name = route.grpc->services[s];
            if (known.contains(name))
                continue;
            // A short name that one service has: say its full name.
            const auto *byShortName = ws.grpcSchema->findService(name);
            const QString options = byShortName
                ? QStringLiteral("did you mean '%1'?").arg(QString::fromStdString(byShortName->full_name()))
                : known.isEmpty() ? QStringLiteral("they define no service")
                                  : QStringLiteral("services: %1").arg(known.join(u", "));
            sink.add(QStringLiteral("%1.services[%2]").arg(p).arg(s),
                QStringLiteral("route '%1' names gRPC service '%2', which is not in the schemas (%3)")
                    .arg(route.name, name, options));
        }
    }
}

Diagnostics compileGrpcSchema(Workspace &ws)
{
    Diagnostics out;
    ws.grpcSchema.reset();
    if (ws.grpc.protos.isEmpty() || !filesPresent(ws))
        return out;
    QStringList protos;
    QStringList paths;
    for (const QString &p : ws.grpc.protos)
        protos.append(ws.resolvePath(p));
    for (const QString &d : ws.grpc.protoPaths)
        paths.append(ws.resolvePath(d));
    grpc::SchemaLoadResult loaded = grpc::loadSchema(protos, paths);
    for (const grpc::SchemaError &e : loaded.errors)
        out.append(Diagnostic { e.file, e.line, e.column, QStringLiteral("grpc.protos"), e.message });
    ws.grpcSchema = std::move(loaded.schema);
    return out;
}

} // namespace portico::config
