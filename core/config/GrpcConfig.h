#pragma once

// The grpc section (grpc.protos, grpc.proto_paths) and a route's grpc key: read, checked,
// written, and the schemas compiled (core/grpc/Schema.h). Schema errors are diagnostics located
// in the .proto file that has them.

#include "core/config/Diagnostic.h"
#include "core/config/ValidationSink.h"
#include "core/config/WorkspaceTree.h"
#include "core/config/YamlReader.h"

namespace portico::config {

GrpcSettings parseGrpc(YamlReader &r, const YAML::Node &node, const QString &path);
RouteGrpc parseRouteGrpc(YamlReader &r, const YAML::Node &node, const QString &path);
std::optional<WorkspaceTree> writeGrpc(const TreeWriter &w, const GrpcSettings &g);
WorkspaceTree writeRouteGrpc(const TreeWriter &w, const RouteGrpc &g, const QString &path);

// The files named exist (reported at their place in the workspace file), the services that
// routes name are in the compiled schema (ws.grpcSchema), transcoding is not offered yet.
void validateGrpc(ValidationSink &sink, const Workspace &ws);

// Compiles ws.grpc (paths resolved against the workspace's folder) into ws.grpcSchema. Nothing
// is compiled while a listed file or proto path is missing (validateGrpc reports that); a schema
// that does not compile leaves ws.grpcSchema null and its errors in the result.
Diagnostics compileGrpcSchema(Workspace &ws);

} // namespace portico::config
