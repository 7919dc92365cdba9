#include "core/capture/GrpcReplay.h"

#include "core/grpc/GrpcFrames.h"
#include "core/grpc/Schema.h"

#include <google/protobuf/descriptor.h>

#include <QJsonDocument>
#include <QtEndian>

namespace portico::capture {

namespace {

QByteArray contentType(const HeaderList &headers)
{
    return headerValue(headers, "content-type").trimmed().toLower();
}

} // namespace

bool isNativeGrpc(const HeaderList &requestHeaders)
{
    const QByteArray type = contentType(requestHeaders);
    return type.startsWith("application/grpc") && !type.startsWith("application/grpc-web");
}

const google::protobuf::MethodDescriptor *grpcReplayMethod(
    const Exchange &original, const grpc::Schema *schema, QString *why)
{
    if (original.grpcService.isEmpty()
        || !contentType(original.requestHeaders).startsWith("application/grpc")) {
        *why = QStringLiteral("exchange %1 is not a gRPC call").arg(original.id);
        return nullptr;
    }
    const QString path = QStringLiteral("/%1/%2").arg(original.grpcService, original.grpcMethod);
    if (!schema) {
        *why
            = QStringLiteral("no gRPC schema is loaded (grpc.protos of the workspace, -c FILE): %1 cannot be "
                             "encoded from JSON")
                  .arg(path);
        return nullptr;
    }
    const google::protobuf::MethodDescriptor *method = schema->findMethodByPath(path);
    if (!method) {
        *why = QStringLiteral("the gRPC schema has no method %1").arg(path);
        return nullptr;
    }
    if (method->client_streaming() || method->server_streaming()) {
        *why = QStringLiteral("%1 is a %2 call: only unary calls can be replayed with an edited message")
                   .arg(path,
                       method->client_streaming() && method->server_streaming()
                           ? QStringLiteral("bidirectional streaming")
                           : method->client_streaming() ? QStringLiteral("client streaming")
                                                        : QStringLiteral("server streaming"));
        return nullptr;
    }
    return method;
}

QString grpcReplayInputType(const Exchange &original, const grpc::Schema *schema, QString *why)
{
    const google::protobuf::MethodDescriptor *method = grpcReplayMethod(original, schema, why);
    return method ? QString::fromStdString(method->input_type()->full_name()) : QString();
}

GrpcReplayBody grpcReplayBody(const Exchange &original, const QByteArray &json, const grpc::Schema *schema)
{
    GrpcReplayBody out;
    const google::protobuf::MethodDescriptor *method = grpcReplayMethod(original, schema, &out.error);
    if (!method)
        return out;
    out.type = QString::fromStdString(method->input_type()->full_name());
    if (json.size() > kMaxGrpcReplayJson) {
        out.error = QStringLiteral("the edited %1 is %2 bytes of JSON, more than the %3 a replay takes")
                        .arg(out.type)
                        .arg(json.size())
                        .arg(kMaxGrpcReplayJson);
        return out;
    }
    const grpc::Schema::Encoded encoded = schema->fromJson(method->input_type(), json);
    if (!encoded.error.isEmpty()) {
        out.error = encoded.error;
        return out;
    }
    QByteArray frame(5, '\0'); // not compressed, whatever grpc-encoding says (allowed per message)
    qToBigEndian(quint32(encoded.bytes.size()), frame.data() + 1);
    frame += encoded.bytes;
    if (contentType(original.requestHeaders).startsWith("application/grpc-web-text"))
        frame = frame.toBase64();
    out.body = frame;
    return out;
}

std::optional<QByteArray> grpcRequestJson(const Exchange &original, const grpc::Schema *schema)
{
    QString why;
    const google::protobuf::MethodDescriptor *method = grpcReplayMethod(original, schema, &why);
    if (!method || original.requestTruncated)
        return std::nullopt;
    QByteArray body = original.requestBody;
    if (contentType(original.requestHeaders).startsWith("application/grpc-web-text")) {
        auto decoded = QByteArray::fromBase64Encoding(body, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return std::nullopt;
        body = *decoded;
    }
    const grpc::GrpcFrames split = grpc::splitFrames(body, 64u * 1024 * 1024, 2);
    if (split.frames.size() != 1 || !split.error.isEmpty() || split.frames.first().compressed
        || !split.frames.first().complete)
        return std::nullopt;
    const auto json = schema->toJson(method->input_type(), split.frames.first().payload);
    if (!json)
        return std::nullopt;
    return QJsonDocument::fromJson(*json).toJson(QJsonDocument::Indented);
}

} // namespace portico::capture
