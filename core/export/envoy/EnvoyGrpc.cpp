#include "core/export/envoy/EnvoyGrpc.h"

#include "core/export/GrpcExport.h"
#include "core/grpc/SchemaDescription.h"

namespace portico::exporter {

using namespace portico::config;

namespace {

const QString kTranscoder = QStringLiteral("envoy.filters.http.grpc_json_transcoder");
const QString kTranscoderType = QStringLiteral(
    "type.googleapis.com/envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder");

} // namespace

DocNode EnvoyGrpc::transcoder(const QStringList &services, bool ignoreUnknown) const
{
    DocNode cfg;
    cfg["@type"] = kTranscoderType;
    cfg["proto_descriptor"] = kGrpcDescriptorFile;
    cfg["services"] = services;
    // The route chosen for the REST request stays (not the one of /pkg.Service/Method).
    cfg["match_incoming_request_route"] = true;
    cfg["auto_mapping"] = true; // a method without a rule: POST /pkg.Service/Method, as Portico
    cfg["convert_grpc_status"] = true;
    cfg["print_options"]["stream_newline_delimited"] = true; // server streaming as NDJSON
    if (ignoreUnknown)
        cfg["ignore_unknown_query_parameters"] = true;
    else
        cfg["request_validation_options"]["reject_unknown_query_parameters"] = true;
    cfg["request_validation_options"]["reject_unknown_method"] = true; // no rule: 404, as Portico
    return cfg;
}

bool EnvoyGrpc::route(const FlatRoute &f, DocNode &n)
{
    if (!isGrpcRoute(m_ws, f))
        return true;
    m_grpcWeb = true;
    const RouteGrpc &g = *f.route->grpc;
    DocNode &rt = n["route"];
    if (!g.transcode) {
        // The client's grpc-timeout bounds the call, as in Portico.
        rt["max_stream_duration"]["grpc_timeout_header_max"] = "0s";
        return true;
    }
    if (const QString problem = schemaProblem(m_ws, f); !problem.isEmpty()) {
        m_warnings << problem + QStringLiteral("; not exported");
        return false;
    }
    QStringList services;
    for (const QString &s : g.services) {
        // Envoy wants full names; the workspace may use a unique short one.
        const QString full = grpc::serviceFullName(*m_ws.grpcSchema, s);
        services << (full.isEmpty() ? s : full);
    }
    for (const QString &s : std::as_const(services)) {
        if (!m_services.contains(s))
            m_services << s;
    }
    n["typed_per_filter_config"][kTranscoder] = transcoder(services, g.ignoreUnknownFields);
    if (!f.stripPrefix.isEmpty()) {
        // Envoy matches the rules on the path as the client sent it; a rewrite would only touch
        // the /pkg.Service/Method path the transcoder made.
        rt.remove(QStringLiteral("regex_rewrite"));
        m_warnings << QStringLiteral(
            "route %1: strip_prefix %2 not exported: Envoy's grpc_json_transcoder matches the "
            "google.api.http rules on the path the client sent, so clients must call the rules' "
            "paths without %2")
                          .arg(f.name, f.stripPrefix);
    }
    m_warnings << QStringLiteral(
        "route %1: gRPC errors are answered as google.rpc.Status JSON (convert_grpc_status), not "
        "problem+json")
                      .arg(f.name);
    return true;
}

void EnvoyGrpc::filters(DocNode &list) const
{
    if (m_grpcWeb) {
        DocNode web;
        web["name"] = "envoy.filters.http.grpc_web";
        web["typed_config"]["@type"]
            = QStringLiteral("type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWeb");
        list.append(web);
    }
    if (!m_services.isEmpty()) {
        // Off by default: only the transcoding routes turn it on, with their own services.
        DocNode t;
        t["name"] = kTranscoder;
        t["typed_config"] = transcoder(m_services, false);
        t["disabled"] = true;
        list.append(t);
    }
}

void EnvoyGrpc::files(ExportResult &result) const
{
    if (m_services.isEmpty() || !m_ws.grpcSchema)
        return;
    result.files.append(ExportFile { kGrpcDescriptorFile, grpc::descriptorSet(*m_ws.grpcSchema) });
}

} // namespace portico::exporter
