#pragma once

// REST <-> gRPC transcoding for one route (routes[].grpc.transcode): which method a REST request
// calls (its google.api.http rules, or POST /pkg.Service/Method for a method without one), the
// protobuf message its path, query and JSON body make, and the JSON a response message becomes
// (proto3 JSON mapping: int64 as strings, enums by name, well-known types). What Envoy's
// grpc_json_transcoder and grpc-gateway do; built once per config, shared by the workers.
//
// Client input is checked field by field: a wrong type, malformed JSON or an unknown field is an
// error naming the field path (400), so the upstream never sees a guess.

#include "core/grpc/PathTemplate.h"
#include "core/grpc/Schema.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <variant>
#include <vector>

namespace google::protobuf {
class Message;
class FieldDescriptor;
} // namespace google::protobuf

namespace portico::grpc {

class Transcoder
{
public:
    struct Call
    {
        const google::protobuf::MethodDescriptor *method = nullptr;
        QString body;         // "*", a field name, or "" (everything from the path and query)
        QString responseBody; // "" = the whole response message
        QList<PathTemplate::Binding> pathBindings;
        QByteArray path; // the gRPC path when known (kept per rule), else grpcPath() formats it
        QByteArray grpcPath() const; // "/pkg.Service/Method"
        bool serverStreaming() const;
    };
    struct Error
    {
        int status = 400; // 400 bad input; 404 no such method; 501 a call kind REST cannot make
        QString detail;
    };

    // Null with *error when a service is not in `schema` or one of its rules does not parse.
    static std::shared_ptr<const Transcoder> build(
        SchemaPtr schema, const QStringList &services, bool ignoreUnknownFields, QString *error);
    ~Transcoder();

    // The call a REST request makes, by its method and path (as the upstream would get it).
    std::variant<Call, Error> match(QByteArrayView httpMethod, QStringView path) const;

    // The request message, serialised: the JSON body (as `call.body` says), then the query's
    // fields, then the path's (which win).
    std::variant<QByteArray, Error> encodeRequest(const Call &call, const QByteArray &json, QByteArrayView query) const;
    // One response message as JSON (`call.responseBody` applied); nothing when it is not a
    // valid message of the method's output type.
    std::optional<QByteArray> decodeResponse(const Call &call, const QByteArray &message) const;

    const Schema &schema() const { return *m_schema; }

private:
    struct Rule
    {
        QString verb;
        PathTemplate path;
        QString body;
        QString responseBody;
        const google::protobuf::MethodDescriptor *method = nullptr;
        QByteArray grpcPath;
    };
    struct Impl;

    Transcoder();
    std::optional<Error> setField(google::protobuf::Message &message, const QString &fieldPath, const QString &value,
                                  bool fromQuery) const;

    SchemaPtr m_schema;
    std::vector<Rule> m_rules;
    QList<const google::protobuf::ServiceDescriptor *> m_services;
    bool m_ignoreUnknown = false;
    std::unique_ptr<Impl> m_impl;
};

// The HTTP status of a gRPC status code (google.rpc.Code's mapping): NOT_FOUND 404,
// INVALID_ARGUMENT 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403, RESOURCE_EXHAUSTED 429,
// UNAVAILABLE 503, DEADLINE_EXCEEDED 504, UNIMPLEMENTED 501, ALREADY_EXISTS and ABORTED 409,
// FAILED_PRECONDITION and OUT_OF_RANGE 400, CANCELLED 499, the rest 500.
int httpStatusForGrpc(int code);

} // namespace portico::grpc
