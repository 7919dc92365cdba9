#include "core/export/kong/KongGrpc.h"

#include "core/export/GrpcExport.h"
#include "core/grpc/SchemaDescription.h"

namespace portico::exporter {

using namespace portico::config;

namespace {

DocNode plugin(const QString &name, const DocNode &config = {})
{
    DocNode p;
    p["name"] = name;
    if (!config.isNull())
        p["config"] = config;
    return p;
}

void addPlugin(DocNode &route, const DocNode &p)
{
    DocNode plugins = DocNode::list();
    if (const DocNode *old = route.find(QStringLiteral("plugins"))) {
        for (const DocNode &item : old->items())
            plugins.append(item);
    }
    plugins.append(p);
    route["plugins"] = plugins;
}

// The .proto file grpc-gateway reads for the route's services; empty (with a warning) when
// there is none to name.
QString protoFile(const Workspace &ws, const FlatRoute &f, QStringList &warnings)
{
    if (const QString problem = schemaProblem(ws, f); !problem.isEmpty()) {
        warnings << problem + QStringLiteral("; not exported");
        return {};
    }
    QString file;
    for (const QString &s : f.route->grpc->services) {
        const QString disk = grpc::serviceDiskFile(*ws.grpcSchema, s);
        if (disk.isEmpty()) {
            warnings << QStringLiteral("route %1: Kong's grpc-gateway reads a .proto file, and service %2 "
                                       "comes from a descriptor set; not exported")
                            .arg(f.name, s);
            return {};
        }
        if (file.isEmpty())
            file = disk;
        else if (disk != file)
            warnings << QStringLiteral("route %1: Kong's grpc-gateway reads one .proto file (%2); service "
                                       "%3 of %4 is not transcoded there")
                            .arg(f.name, file, s, disk);
    }
    return file;
}

} // namespace

bool kongGrpcService(
    const Workspace &ws, const FlatRoute &f, const Upstream &u, DocNode &service, QStringList &warnings)
{
    if (!isGrpcRoute(ws, f))
        return true;
    const DocNode *routes = service.find(QStringLiteral("routes"));
    if (!routes || routes->isEmpty())
        return true;
    DocNode route = routes->items().front();
    service["protocol"] = u.protocol == UpstreamProtocol::H2c ? "grpc" : "grpcs";
    service.remove(QStringLiteral("path")); // gRPC services have none: the path is /pkg.Service/Method
    route["strip_path"] = false;
    DocNode out = DocNode::list();
    if (f.route->grpc->transcode) {
        const QString proto = protoFile(ws, f, warnings);
        if (proto.isEmpty())
            return false;
        route["protocols"] = QStringList { QStringLiteral("http"), QStringLiteral("https") };
        DocNode config;
        config["proto"] = proto;
        addPlugin(route, plugin(QStringLiteral("grpc-gateway"), config));
        if (!f.stripPrefix.isEmpty())
            warnings << QStringLiteral(
                "route %1: strip_prefix %2 not exported: Kong's grpc-gateway matches the "
                "google.api.http rules on the path the client sent, so clients must call the "
                "rules' paths without %2")
                            .arg(f.name, f.stripPrefix);
        warnings << QStringLiteral("route %1: gRPC errors and bad input are answered the way Kong's "
                                   "grpc-gateway does, not as problem+json")
                        .arg(f.name);
        out.append(route);
    } else {
        // Kong keeps gRPC routes (no methods, no strip_path) apart from HTTP ones: gRPC-Web
        // comes over HTTP/1.1 or HTTP/2 as plain http, so it gets a route of its own.
        DocNode web = route;
        web["name"] = f.name + QStringLiteral("-grpc-web");
        web["protocols"] = QStringList { QStringLiteral("http"), QStringLiteral("https") };
        addPlugin(web, plugin(QStringLiteral("grpc-web")));
        route["protocols"] = QStringList { QStringLiteral("grpc"), QStringLiteral("grpcs") };
        if (route.contains(QStringLiteral("methods"))) {
            route.remove(QStringLiteral("methods"));
            warnings << QStringLiteral("route %1: methods not exported on the gRPC route (Kong's grpc "
                                       "routes take none; gRPC calls are POST)")
                            .arg(f.name);
        }
        if (!f.stripPrefix.isEmpty())
            warnings << QStringLiteral("route %1: strip_prefix %2 not exported: Kong's grpc routes keep "
                                       "the /pkg.Service/Method path")
                            .arg(f.name, f.stripPrefix);
        out.append(route);
        out.append(web);
    }
    service["routes"] = out;
    return true;
}

} // namespace portico::exporter
