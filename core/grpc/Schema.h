#pragma once

// The workspace's protobuf schemas (grpc.protos, grpc.proto_paths): compiled once at load into one
// DescriptorPool that nothing changes afterwards, so one Schema is shared by every thread that
// reads it (the gateway's workers, the capture reader, the CLI). Built by loadSchema().
//
// Besides the pool it indexes what the gateway looks up per call: a method by its gRPC path
// ("/pkg.Service/Method"), and every google.api.http rule (with its additional_bindings) so
// that a transcoder can match REST requests against them.

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace google::protobuf {
class DescriptorPool;
class Descriptor;
class MethodDescriptor;
class ServiceDescriptor;
class DynamicMessageFactory;
} // namespace google::protobuf

namespace portico::grpc {

// One REST mapping of a method (google.api.http): the rule itself or one of its
// additional_bindings (which never nest further).
struct HttpBinding
{
    QString verb; // GET, PUT, POST, DELETE, PATCH, or a custom rule's kind as written
    QString pattern; // the path template, "/v1/users/{id}"
    QString body; // "", "*" or a field name
    QString responseBody;
    bool additional = false; // from additional_bindings
    const google::protobuf::MethodDescriptor *method = nullptr;
    bool operator==(const HttpBinding &) const = default;
};

// The workspace's problem with a schema, located in the .proto file (1-based line and column; 0
// when the problem has no place in a file, e.g. a file that does not exist).
struct SchemaError
{
    QString file; // the file on disk when known, else the name as imported
    int line = 0;
    int column = 0;
    QString message;
};

class Schema
{
public:
    struct Parts; // the pool and what it was built from (Schema.cpp)
    explicit Schema(std::unique_ptr<Parts> parts);
    ~Schema();
    Schema(const Schema &) = delete;
    Schema &operator=(const Schema &) = delete;

    const google::protobuf::DescriptorPool &pool() const;
    const Parts &parts() const { return *m_parts; } // for core/grpc's own files (SchemaParts.h)
    // The services of the listed files (not of their imports), in file order.
    const QList<const google::protobuf::ServiceDescriptor *> &services() const;
    // By full name ("demo.users.v1.Users"), or by the short name when only one service has it.
    const google::protobuf::ServiceDescriptor *findService(const QString &name) const;
    // From a request's :path, "/demo.users.v1.Users/GetUser"; null when the schema has no such method.
    const google::protobuf::MethodDescriptor *findMethodByPath(const QString &path) const;
    // Every google.api.http rule of every service, in service and method order.
    const QList<HttpBinding> &httpBindings() const;
    QList<HttpBinding> httpBindings(const google::protobuf::MethodDescriptor *method) const;

    // `bytes` (one message, uncompressed) as proto3 JSON of `type`; nothing when it does not
    // parse as that type.
    std::optional<QByteArray> toJson(const google::protobuf::Descriptor *type, const QByteArray &bytes) const;
    // `json` (one proto3 JSON object of `type`) serialised as protobuf, or why not: malformed
    // JSON, not an object, a wrong type or an unknown field, each named the way libprotobuf's
    // JSON parser names it (the field, the value). Nesting past libprotobuf's limit (100) is refused.
    struct Encoded
    {
        QByteArray bytes;
        QString error; // empty: `bytes` is the message
    };
    Encoded fromJson(const google::protobuf::Descriptor *type, const QByteArray &json) const;

private:
    std::unique_ptr<Parts> m_parts;
};

using SchemaPtr = std::shared_ptr<const Schema>;

struct SchemaLoadResult
{
    SchemaPtr schema; // null when there are errors
    QList<SchemaError> errors;
};

// `protos`: .proto files (compiled, imports found under `protoPaths`, then beside the file) or
// FileDescriptorSet files (.pb, .desc, .protoset: read as binary descriptor sets); all paths
// absolute or relative to the working directory. google/api/annotations.proto, google/api/http.proto
// and the well-known types (google/protobuf/*.proto) are built in.
SchemaLoadResult loadSchema(const QStringList &protos, const QStringList &protoPaths);

// The texts of the built-in google/api files, by import name (BuiltinProtos.cpp).
const char *builtinProto(const QString &name);

} // namespace portico::grpc
