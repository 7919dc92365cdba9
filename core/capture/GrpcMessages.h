#pragma once

// The messages of a captured gRPC call as JSON: each message decoded with the method's input or
// output type when a schema knows the method (proto3 JSON mapping), else as its raw frame
// {"raw": base64, "length": N, "compressed": bool}. A frame that is cut short (the capture's
// body cap), compressed, or not valid protobuf for its type stays raw, with "truncated" or
// "error" saying why.

#include "core/capture/Exchange.h"

#include <QJsonArray>
#include <QJsonObject>

namespace portico::grpc {
class Schema;
}

namespace portico::capture {

// `request`: the messages of the request body (input type), else the response's (output type).
// A body that is not all frames gets a last entry {"error": "..."}.
QJsonArray grpcMessages(const Exchange &e, bool request, const grpc::Schema *schema);

// The messages as text for HAR: the JSON array, indented.
QString grpcMessagesText(const Exchange &e, bool request, const grpc::Schema *schema);

} // namespace portico::capture
