#pragma once

// gRPC in the Envoy export: grpc_json_transcoder for transcoding routes (enabled per route, with
// the schema's descriptor set written beside envoy.yaml), grpc_web for routes to h2c/h2 upstreams,
// grpc-timeout honoured on native gRPC routes.

#include "core/export/DocNode.h"
#include "core/export/ExportResult.h"
#include "core/export/ExportSupport.h"

namespace portico::exporter {

class EnvoyGrpc
{
public:
    EnvoyGrpc(const config::Workspace &ws, QStringList &warnings)
        : m_ws(ws)
        , m_warnings(warnings)
    {
    }

    // Adds the gRPC parts of one route entry (`n`, with its "route" action) to it; false when
    // the route cannot be exported (a transcoding route without its schema).
    bool route(const FlatRoute &f, DocNode &n);
    // The HTTP filters the routes need, to go before the router.
    void filters(DocNode &list) const;
    // The descriptor set, when a route transcodes.
    void files(ExportResult &result) const;

private:
    DocNode transcoder(const QStringList &services, bool ignoreUnknown) const;

    const config::Workspace &m_ws;
    QStringList &m_warnings;
    QStringList m_services; // every transcoded service, in first-use order
    bool m_grpcWeb = false;
};

} // namespace portico::exporter
