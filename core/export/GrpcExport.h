#pragma once

// What the exporters share about gRPC routes (routes[].grpc) and their upstreams.

#include "core/export/ExportSupport.h"

namespace portico::exporter {

// The descriptor set Envoy's grpc_json_transcoder reads, written beside envoy.yaml.
inline const QString kGrpcDescriptorFile = QStringLiteral("portico-grpc.pb");

// A route with a grpc key whose upstream speaks HTTP/2 (h2c or h2): native gRPC and gRPC-Web
// proxied, or REST transcoded (transcodes()).
bool isGrpcRoute(const config::Workspace &ws, const FlatRoute &f);
bool transcodes(const config::Workspace &ws, const FlatRoute &f);

// Whether gRPC routes (isGrpcRoute) are all that reach the upstream, at least one: then the
// targets that export gRPC (Kong, nginx) need not warn that its h2c/h2 becomes HTTP/1.1.
bool servesOnlyGrpc(const config::Workspace &ws, const QString &upstream);

// "route R: ..." when a transcoding route's services cannot be described (no schema loaded, or
// a service missing from it); empty when they can.
QString schemaProblem(const config::Workspace &ws, const FlatRoute &f);

} // namespace portico::exporter
