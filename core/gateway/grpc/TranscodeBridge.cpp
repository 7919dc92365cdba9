#include "core/gateway/grpc/TranscodeBridge.h"

#include "core/gateway/Problem.h"
#include "core/gateway/grpc/GrpcStatus.h"
#include "core/gateway/grpc/GrpcWeb.h"

#include <google/protobuf/descriptor.h>

#include <QJsonDocument>
#include <QJsonObject>

namespace portico::gateway::grpc {

namespace {

QString percentDecoded(const QByteArray &value)
{
    return QString::fromUtf8(QByteArray::fromPercentEncoding(value));
}

QJsonObject errorObject(const TranscodeBridge::Outcome &o)
{
    QJsonObject e;
    e.insert(QStringLiteral("grpc_status"), o.grpcStatus);
    e.insert(QStringLiteral("grpc_code"), QString::fromLatin1(statusName(o.grpcStatus).toByteArray()));
    if (!o.message.isEmpty())
        e.insert(QStringLiteral("message"), o.message);
    if (!o.detailsBase64.isEmpty())
        e.insert(QStringLiteral("details_bin"), QString::fromLatin1(o.detailsBase64));
    return e;
}

} // namespace

TranscodeBridge::TranscodeBridge(std::shared_ptr<const Transcoder> transcoder, Transcoder::Call call, qint64 maxMessageBytes)
    : m_transcoder(std::move(transcoder))
    , m_call(std::move(call))
    , m_maxMessageBytes(maxMessageBytes)
{
}

std::variant<QByteArray, TranscodeBridge::Transcoder::Error> TranscodeBridge::finishRequest(http::RequestHead &request, const QByteArray &json)
{
    auto encoded = m_transcoder->encodeRequest(m_call, json, request.query);
    if (auto *error = std::get_if<Transcoder::Error>(&encoded))
        return *error;
    const QByteArray &message = std::get<QByteArray>(encoded);
    QByteArray frame(kFrameHeader, '\0');
    const auto n = quint32(message.size());
    frame[1] = char(n >> 24);
    frame[2] = char(n >> 16);
    frame[3] = char(n >> 8);
    frame[4] = char(n);
    frame += message;
    request.method = "POST";
    request.path = m_call.grpcPath();
    request.query.clear();
    request.target = request.path;
    // The REST fields that describe the JSON body mean nothing to the gRPC upstream; the
    // others (authorization, tracing, custom headers) go along as metadata.
    for (const char *name : { "content-type", "content-length", "transfer-encoding", "accept", "accept-encoding",
             "content-encoding", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding" })
        request.headers.remove(name);
    request.headers.add(QByteArrayLiteral("content-type"), QByteArrayLiteral("application/grpc"));
    request.headers.add(QByteArrayLiteral("te"), QByteArrayLiteral("trailers"));
    return frame;
}

bool TranscodeBridge::responseHead(const http::ResponseHead &head)
{
    if (head.status != 200 || !isNativeGrpc(head.headers.value("content-type")))
        return false;
    for (const char *name : { "grpc-status", "grpc-message", "grpc-status-details-bin" }) {
        const QByteArray v = head.headers.value(name);
        if (!v.isEmpty())
            m_headStatus.set(name, v);
    }
    return true;
}

bool TranscodeBridge::responseBody(const char *data, size_t length, QList<QByteArray> *json, QString *error)
{
    m_pending.append(data, qsizetype(length));
    qsizetype pos = 0;
    while (m_pending.size() - pos >= kFrameHeader) {
        const auto *h = reinterpret_cast<const unsigned char *>(m_pending.constData() + pos);
        const quint32 n = (quint32(h[1]) << 24) | (quint32(h[2]) << 16) | (quint32(h[3]) << 8) | quint32(h[4]);
        if (h[0] != 0) {
            *error = h[0] == 1 ? QStringLiteral("the upstream sent a compressed message (none was accepted)")
                               : QStringLiteral("the upstream sent a frame with flags 0x%1").arg(h[0], 2, 16, QLatin1Char('0'));
            return false;
        }
        if (qint64(n) > m_maxMessageBytes) {
            *error = QStringLiteral("the upstream's message of %1 bytes is over the %2 allowed").arg(n).arg(m_maxMessageBytes);
            return false;
        }
        if (m_pending.size() - pos - kFrameHeader < qsizetype(n))
            break;
        const QByteArray message = m_pending.mid(pos + kFrameHeader, qsizetype(n));
        pos += kFrameHeader + qsizetype(n);
        const auto decoded = m_transcoder->decodeResponse(m_call, message);
        if (!decoded) {
            *error = QStringLiteral("the upstream's answer is not a valid %1")
                         .arg(QString::fromStdString(m_call.method->output_type()->full_name()));
            return false;
        }
        json->append(*decoded);
    }
    m_pending.remove(0, pos);
    return true;
}

bool TranscodeBridge::responseEnd(const http::HttpHeaders &trailers, Outcome *outcome, QString *error) const
{
    if (!m_pending.isEmpty()) {
        *error = QStringLiteral("the upstream's answer ended inside a message");
        return false;
    }
    const http::HttpHeaders &fields = trailers.contains("grpc-status") ? trailers : m_headStatus;
    bool ok = false;
    const int status = fields.value("grpc-status").trimmed().toInt(&ok);
    outcome->grpcStatus = ok && status >= 0 && status <= 16 ? status : 2;
    outcome->message = percentDecoded(fields.value("grpc-message"));
    if (!ok)
        outcome->message = QStringLiteral("the upstream's answer carried no valid grpc-status");
    outcome->detailsBase64 = fields.value("grpc-status-details-bin");
    return true;
}

QByteArray TranscodeBridge::problemBody(const Outcome &outcome, int httpStatus, const QByteArray &traceId,
                                        const QByteArray &requestId)
{
    filters::LocalReply reply { httpStatus, defaultTitle(httpStatus), outcome.message, {}, "grpc-error" };
    QJsonObject o = QJsonDocument::fromJson(gateway::problemBody(reply, traceId, requestId)).object();
    const QJsonObject e = errorObject(outcome);
    for (auto it = e.begin(); it != e.end(); ++it)
        o.insert(it.key(), it.value());
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray TranscodeBridge::streamErrorLine(const Outcome &outcome)
{
    return QJsonDocument(QJsonObject { { QStringLiteral("error"), errorObject(outcome) } }).toJson(QJsonDocument::Compact)
        + '\n';
}

} // namespace portico::gateway::grpc
