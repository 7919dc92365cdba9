#pragma once

// JSON forms of captured exchanges, shared by `portico-cli traffic ... --json` and the admin API
// (GET /exchanges, GET /exchanges/{id}) so scripts see one shape everywhere.
//
// Summary: id, started_at (RFC 3339, UTC, ms), method, url, host, path, status, duration_ms
// (null if unknown), route, consumer, upstream, trace_id, request_bytes, response_bytes, error,
// parent_id, protocol ("HTTP/1.1", "HTTP/2", "" when the capture did not record it). Full exchange: the
// summary plus scheme, query, client_address, upstream_target, api_version, span_id, parent_span_id, retries,
// notes, timings_us {received, upstream_connect, first_upstream_byte, last_byte} (null = unknown), and
// request/response objects with headers
// ([[name, value], ...] in wire order), body (UTF-8 text, or base64 with body_encoding "base64"),
// body_size, truncated (and response.bodies_dropped).

#include "core/capture/Exchange.h"

#include <QJsonObject>

namespace portico::grpc {
class Schema;
}

namespace portico::capture {

QString rfc3339(qint64 msSinceEpoch);
QJsonObject summaryToJson(const ExchangeSummary &s);
// A gRPC call's request and response also get "messages" (GrpcMessages.h): decoded when `schema`
// knows the method, raw frames otherwise.
QJsonObject exchangeToJson(const Exchange &e, const grpc::Schema *schema = nullptr);

} // namespace portico::capture
