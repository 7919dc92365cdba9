#include "core/export/GrpcExport.h"

namespace portico::exporter {

using namespace portico::config;

bool isGrpcRoute(const Workspace &ws, const FlatRoute &f)
{
    const Upstream *u = findUpstream(ws, f.upstream);
    return f.route->grpc && !f.route->mock && u && u->protocol != UpstreamProtocol::Http1;
}

bool transcodes(const Workspace &ws, const FlatRoute &f)
{
    return isGrpcRoute(ws, f) && f.route->grpc->transcode;
}

bool servesOnlyGrpc(const Workspace &ws, const QString &upstream)
{
    bool any = false;
    for (const FlatRoute &f : flattenRoutes(ws)) {
        bool reaches = f.upstream == upstream;
        for (const AggregatePart &p : f.route->aggregate)
            reaches = reaches || p.upstream == upstream;
        if (reaches && !isGrpcRoute(ws, f))
            return false;
        any = any || reaches;
    }
    return any;
}

QString schemaProblem(const Workspace &ws, const FlatRoute &f)
{
    if (!ws.grpcSchema)
        return QStringLiteral("route %1: grpc.transcode needs the gRPC schemas (grpc.protos), which are "
                              "not loaded")
            .arg(f.name);
    for (const QString &s : f.route->grpc->services) {
        if (!ws.grpcSchema->findService(s))
            return QStringLiteral("route %1: service %2 is not in the gRPC schemas").arg(f.name, s);
    }
    return {};
}

} // namespace portico::exporter
