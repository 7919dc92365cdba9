#pragma once

// Replaying a unary gRPC call with its request message edited as proto3 JSON: the JSON is
// checked and encoded with the method's input type (grpc::Schema::fromJson), then framed the way
// the call was (one uncompressed length-prefixed message; base64 for application/grpc-web-text).
// Only unary calls: a streaming call's messages are not one editable message.

#include "core/capture/Exchange.h"

#include <optional>

namespace google::protobuf {
class MethodDescriptor;
}

namespace portico::grpc {
class Schema;
}

namespace portico::capture {

// The largest edited message accepted (gRPC's default receive limit).
inline constexpr qsizetype kMaxGrpcReplayJson = 4 * 1024 * 1024;

// The unary method `original` calls, or null with *why (not a gRPC call, no schema, a method the
// schema does not have, a streaming call).
const google::protobuf::MethodDescriptor *grpcReplayMethod(
    const Exchange &original, const grpc::Schema *schema, QString *why);

// The input type's full name ("demo.Msg") of that method, or empty with *why (for callers that
// do not include libprotobuf, such as the GUI).
QString grpcReplayInputType(const Exchange &original, const grpc::Schema *schema, QString *why);

struct GrpcReplayBody
{
    QByteArray body; // the request body to send
    QString type; // the message type, "demo.Msg"
    QString error; // empty: `body` is ready
};

// The request body that replays `original` with `json` as its one request message.
GrpcReplayBody grpcReplayBody(const Exchange &original, const QByteArray &json, const grpc::Schema *schema);

// The captured request message as indented proto3 JSON, for an editor; nothing when the call is
// not an editable unary call or its message does not decode (cut short, compressed, not the type).
std::optional<QByteArray> grpcRequestJson(const Exchange &original, const grpc::Schema *schema);

// True for native gRPC (application/grpc, +proto, ...), which needs HTTP/2; false for gRPC-Web.
bool isNativeGrpc(const HeaderList &requestHeaders);

} // namespace portico::capture
