#include "core/capture/GrpcMessages.h"

#include "core/grpc/GrpcFrames.h"
#include "core/grpc/Schema.h"

#include <google/protobuf/descriptor.h>

#include <QJsonDocument>

namespace portico::capture {

QJsonArray grpcMessages(const Exchange &e, bool request, const grpc::Schema *schema)
{
    QJsonArray out;
    if (e.grpcService.isEmpty())
        return out;
    const google::protobuf::Descriptor *type = nullptr;
    if (schema) {
        if (const auto *method
            = schema->findMethodByPath(QStringLiteral("/%1/%2").arg(e.grpcService, e.grpcMethod)))
            type = request ? method->input_type() : method->output_type();
    }
    const QByteArray &body = request ? e.requestBody : e.responseBody;
    const grpc::GrpcFrames split = grpc::splitFrames(body);
    for (const grpc::GrpcFrame &f : split.frames) {
        QString error;
        if (type && f.complete && !f.compressed) {
            if (const auto json = schema->toJson(type, f.payload)) {
                out.append(QJsonDocument::fromJson(*json).object());
                continue;
            }
            error = QStringLiteral("not a valid %1").arg(QString::fromStdString(type->full_name()));
        }
        QJsonObject raw { { QStringLiteral("raw"), QString::fromLatin1(f.payload.toBase64()) },
            { QStringLiteral("length"), qint64(f.length) }, { QStringLiteral("compressed"), f.compressed } };
        if (!f.complete)
            raw.insert(QStringLiteral("truncated"), true);
        if (!error.isEmpty())
            raw.insert(QStringLiteral("error"), error);
        out.append(raw);
    }
    // A body cut by the capture cap inside a prefix is the cap's doing, not a broken call.
    const bool truncated = request ? e.requestTruncated : e.responseTruncated;
    if (!split.error.isEmpty() && !(truncated && split.error.contains(QStringLiteral("no message prefix"))))
        out.append(QJsonObject { { QStringLiteral("error"), split.error } });
    return out;
}

QString grpcMessagesText(const Exchange &e, bool request, const grpc::Schema *schema)
{
    return QString::fromUtf8(QJsonDocument(grpcMessages(e, request, schema)).toJson(QJsonDocument::Indented));
}

} // namespace portico::capture
