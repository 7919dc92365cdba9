#pragma once

// A schema described in plain values, for code that does not include libprotobuf: the exporters
// (Envoy's descriptor set, Kong's .proto path, OpenAPI paths and JSON schemas) and the GUI's list
// of a service's REST mappings.

#include "core/grpc/Schema.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace portico::grpc {

// One way REST reaches a method: a google.api.http rule (or one of its additional_bindings), or,
// for a method without any rule, the fallback POST /pkg.Service/Method with the whole request as
// its JSON body (what Portico's transcoder, Envoy's auto_mapping and grpc-gateway answer).
struct RestMapping
{
    QString service; // full name, "demo.users.v1.Users"
    QString method; // "GetUser"
    QString verb; // GET, PUT, POST, DELETE, PATCH, or a custom rule's kind as written
    QString pattern; // path template, "/v1/users/{id}"
    QString body; // "", "*" or a field name
    QString responseBody;
    QString inputType; // full names of the messages
    QString outputType;
    bool additional = false; // from additional_bindings
    bool fallback = false; // no rule: POST /pkg.Service/Method
    bool clientStreaming = false;
    bool serverStreaming = false;
    QString grpcPath() const { return QStringLiteral("/%1/%2").arg(service, method); }
    bool operator==(const RestMapping &) const = default;
};

// The full names of the schema's services, in file order.
QStringList serviceNames(const Schema &schema);
// The full name of a service named fully or by a unique short name; "" when there is none.
QString serviceFullName(const Schema &schema, const QString &service);

// The mappings of one service (full or unique short name), in method order; empty when the
// schema has no such service. Client and bidirectional streaming methods are listed too (REST
// cannot call them: their flags say so).
QList<RestMapping> restMappings(const Schema &schema, const QString &service);

// The file that defines a service ("demo/users/v1/users.proto", as imported) and, when it was
// compiled from a .proto file on disk, that file's absolute path ("" for a descriptor set or a
// built-in file).
QString serviceFileName(const Schema &schema, const QString &service);
QString serviceDiskFile(const Schema &schema, const QString &service);

// The schema as a serialized google.protobuf.FileDescriptorSet: the listed files and every file
// they import, each after its imports, options (google.api.http) kept. What protoc writes with
// --include_imports --descriptor_set_out, and what Envoy's grpc_json_transcoder reads.
QByteArray descriptorSet(const Schema &schema);

// A message field as its proto3 JSON form sees it.
struct FieldShape
{
    enum class Kind { Bool, Int32, Uint32, Int64, Uint64, Float, Double, String, Bytes, Enum, Message };
    QString name; // as in the .proto, "page_size" (path templates and queries use it)
    QString jsonName; // "pageSize" (JSON bodies use it)
    Kind kind = Kind::String; // for a map: the value's kind
    QString typeName; // Enum and Message: the full name (for a map: the value's)
    bool repeated = false;
    bool map = false; // map<K, V>: JSON object keyed by K's text
    bool operator==(const FieldShape &) const = default;
};

struct MessageShape
{
    QString fullName;
    QList<FieldShape> fields; // in declaration order
};

// Nothing when the schema has no such message.
std::optional<MessageShape> messageShape(const Schema &schema, const QString &fullName);
// The value names of an enum, in declaration order (empty when there is no such enum).
QStringList enumValues(const Schema &schema, const QString &fullName);

} // namespace portico::grpc
