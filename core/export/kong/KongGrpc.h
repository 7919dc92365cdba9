#pragma once

// gRPC in the Kong export: a gRPC route's service speaks grpc (h2c) or grpcs (h2); a transcoding
// route takes REST (protocols http, https) through the grpc-gateway plugin with the service's
// .proto file; a native one is two Kong routes, gRPC (grpc, grpcs) and gRPC-Web (http, https with
// the grpc-web plugin), as Kong keeps those protocols apart.

#include "core/export/DocNode.h"
#include "core/export/ExportSupport.h"

namespace portico::exporter {

// Rewrites `service` (a Kong service with its one route) for a gRPC route; false when the route
// cannot be exported (warnings say why). Routes that are not gRPC are left alone.
bool kongGrpcService(const config::Workspace &ws, const FlatRoute &f, const config::Upstream &u,
    DocNode &service, QStringList &warnings);

} // namespace portico::exporter
