#pragma once

// The proto3 JSON of a message printed straight from its wire bytes over the descriptor, for the
// transcoder's answers: no message is parsed, no TypeResolver built (libprotobuf's
// MessageToJsonString does both per call for a pool that is not the generated one, some 35k
// instructions for a small message). It covers the common shape: proto3 messages of integers,
// bools, enums, strings of printable ASCII, bytes and nested messages, singular or repeated, in
// field-number order as every serialiser writes them. Whatever it cannot print byte for byte as
// libprotobuf would (floats, maps, well-known types, unknown fields or enum values, non-ASCII
// text, a field sent twice, explicit default values, malformed input...) it declines, and the
// caller asks libprotobuf, which also decides whether the bytes are a valid message at all.

#include <QByteArray>

namespace google::protobuf {
class Descriptor;
}

namespace portico::grpc::wirejson {

// True with the JSON in *out; false when declined (not a verdict on the bytes: ask libprotobuf).
bool print(const google::protobuf::Descriptor *type, const char *data, qsizetype size, QByteArray *out);

} // namespace portico::grpc::wirejson
