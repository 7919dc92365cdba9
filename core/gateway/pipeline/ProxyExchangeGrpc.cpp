// The gRPC parts of ProxyExchange: gRPC-Web translation, the grpc-timeout deadline and REST <->
// gRPC transcoding (the exchange's other half is ProxyExchange.cpp).
#include "core/gateway/pipeline/ProxyExchange.h"

#include "core/gateway/Problem.h"
#include "core/gateway/Worker.h"
#include "core/gateway/grpc/GrpcStatus.h"
#include "core/gateway/pipeline/PipelineSupport.h"

#include <utility>

namespace portico::gateway {

using namespace detail;

// gRPC-Web to an HTTP/2 upstream becomes native gRPC; to an HTTP/1.1 one it goes as it came.
bool ProxyExchange::decideGrpcWeb(const Cluster &cluster)
{
    QByteArray waiting;
    const bool paused = m_grpcWeb->waiting() > kHighWater;
    const bool native = cluster.config().protocol != config::UpstreamProtocol::Http1;
    if (!m_grpcWeb->decide(native, m_request, m_framing, waiting)) {
        refuseGrpcWeb();
        return false;
    }
    if (paused)
        m_down.setReadPaused(false);
    if (!waiting.isEmpty())
        m_upstream.sendBody(waiting.constData(), size_t(waiting.size()));
    if (m_requestComplete && !m_framing.bodyless && !m_grpcWeb->requestEnd()) {
        refuseGrpcWeb();
        return false;
    }
    return true;
}

void ProxyExchange::refuseGrpcWeb()
{
    sendLocalReply({ 400, QStringLiteral("Bad Request"),
        QStringLiteral("gRPC-Web request body: %1").arg(m_grpcWeb->requestError()), {}, "bad-grpc-web" });
}

QByteArray ProxyExchange::clientContentType() const
{
    // A gRPC-Web request bridged to native gRPC has the native type by now.
    const QByteArray type = m_request.headers.value("content-type");
    if (!m_grpcWeb)
        return type;
    return grpc::webContentType(type, m_grpcWeb->text() ? grpc::WebMode::Text : grpc::WebMode::Binary);
}

void ProxyExchange::grpcDeadlineExceeded()
{
    const QString detail = QStringLiteral("the call's grpc-timeout passed at the gateway");
    if (!m_writer.started()) {
        sendLocalReply({ 504, QStringLiteral("Gateway Timeout"), detail, {}, "upstream-timeout" });
        return;
    }
    // Mid-answer (a stream): end the call as its server would have, DEADLINE_EXCEEDED in the
    // trailers, and reset the upstream's stream.
    m_upstream.release(false);
    m_recorder.setError(detail);
    http::HttpHeaders trailers;
    trailers.set("grpc-status", QByteArray::number(int(grpc::Status::DeadlineExceeded)));
    trailers.set("grpc-message", grpc::percentEncodeMessage(detail.toUtf8()));
    m_down.sendTrailers(trailers);
    m_writer.endBody();
    m_down.flush();
    finish();
}

// REST <-> gRPC transcoding.

void ProxyExchange::prepareTranscode(std::shared_ptr<Cluster> cluster, config::Duration timeout)
{
    const auto &transcoder = m_match.route->transcoder;
    auto matched = transcoder->match(m_request.method, QString::fromUtf8(m_request.path));
    if (const auto *e = std::get_if<portico::grpc::Transcoder::Error>(&matched)) {
        sendLocalReply({ e->status, defaultTitle(e->status), e->detail, {}, "no-grpc-method" });
        return;
    }
    const qint64 cap = m_config->workspace().gateway.limits.maxBodyBytes;
    m_transcode = std::make_unique<grpc::TranscodeBridge>(
        transcoder, std::get<portico::grpc::Transcoder::Call>(std::move(matched)), cap);
    m_transcodeCluster = std::move(cluster);
    m_transcodeTimeout = timeout;
    if (m_requestComplete)
        launchTranscode();
}

void ProxyExchange::launchTranscode()
{
    if (m_transcodeLaunched)
        return;
    m_transcodeLaunched = true;
    auto frame = m_transcode->finishRequest(m_request, std::exchange(m_transcodeJson, {}));
    if (const auto *e = std::get_if<portico::grpc::Transcoder::Error>(&frame)) {
        sendLocalReply({ e->status, defaultTitle(e->status), e->detail, {}, "bad-grpc-request" });
        return;
    }
    const QByteArray &body = std::get<QByteArray>(frame);
    m_ctx.notes.append(
        QLatin1StringView("transcoded to ") + QLatin1StringView(m_transcode->call().grpcPath()));
    m_framing = RequestFraming {};
    m_framing.contentLength = body.size();
    m_forward.chunked = false;
    m_forward.contentLength = body.size();
    m_upstream.start(std::move(m_transcodeCluster), &m_request, &m_forward, m_framing, m_transcodeTimeout);
    m_upstream.sendBody(body.constData(), size_t(body.size()));
    m_upstream.requestComplete(m_requestTrailers);
}

void ProxyExchange::transcodeHead(http::ResponseHead &&head)
{
    if (!m_transcode->responseHead(head)) {
        transcodeBroken(QStringLiteral("the upstream did not answer in gRPC (HTTP %1, content-type '%2')")
                            .arg(head.status)
                            .arg(QString::fromLatin1(head.headers.value("content-type").left(100))));
        return;
    }
    if (m_transcode->streaming() && !head.endsMessage)
        writeStreamHead(); // newline-delimited JSON from the first message on
}

void ProxyExchange::writeStreamHead()
{
    http::ResponseHead head;
    head.status = 200;
    head.headers.set("Content-Type", "application/x-ndjson");
    m_recorder.outcome().status = 200;
    m_filters.responseHead(m_ctx, head);
    m_filters.skipResponseBodyFilters(); // a stream is not one JSON document
    m_writer.setNoBody(m_request.method == "HEAD");
    m_writer.writeHead(head, -1);
}

void ProxyExchange::transcodeBody(const char *data, size_t length)
{
    QList<QByteArray> messages;
    QString error;
    if (!m_transcode->responseBody(data, length, &messages, &error)) {
        transcodeBroken(error);
        return;
    }
    for (QByteArray &json : messages) {
        if (m_transcode->streaming()) {
            json += '\n';
            m_writer.writeBody(json.constData(), size_t(json.size()));
        } else if (m_transcodeUnary) {
            transcodeBroken(QStringLiteral("the upstream sent several messages for a unary call"));
            return;
        } else {
            m_transcodeUnary = std::move(json);
        }
    }
}

void ProxyExchange::finishTranscode()
{
    m_upstream.releaseAfterResponse();
    grpc::TranscodeBridge::Outcome outcome;
    QString error;
    if (!m_transcode->responseEnd(m_responseTrailers, &outcome, &error)) {
        transcodeBroken(error);
        return;
    }
    if (outcome.grpcStatus != 0)
        m_ctx.notes.append(QStringLiteral("grpc-status %1 %2")
                               .arg(outcome.grpcStatus)
                               .arg(QString::fromLatin1(grpc::statusName(outcome.grpcStatus).toByteArray())));
    if (m_writer.started()) {
        // A stream: its status is already 200; a failure is its last line.
        if (outcome.grpcStatus != 0) {
            const QByteArray line = grpc::TranscodeBridge::streamErrorLine(outcome);
            m_writer.writeBody(line.constData(), size_t(line.size()));
            m_recorder.setError(QStringLiteral("gRPC stream ended with status %1: %2").arg(outcome.grpcStatus).arg(outcome.message));
        }
        m_writer.endBody();
        m_down.flush();
        finish();
        return;
    }
    http::ResponseHead head;
    QByteArray body;
    if (outcome.grpcStatus == 0 && (m_transcodeUnary || m_transcode->streaming())) {
        head.status = 200;
        head.headers.set("Content-Type", m_transcode->streaming() ? "application/x-ndjson" : "application/json");
        body = m_transcodeUnary.value_or(QByteArray());
    } else if (outcome.grpcStatus == 0) {
        transcodeBroken(QStringLiteral("the upstream ended a unary call without a message"));
        return;
    } else {
        head.status = portico::grpc::httpStatusForGrpc(outcome.grpcStatus);
        head.headers.set("Content-Type", "application/problem+json");
        head.headers.set("Cache-Control", "no-store");
        body = grpc::TranscodeBridge::problemBody(outcome, head.status, m_trace.traceId, m_requestId);
        m_filters.skipResponseBodyFilters(); // the gateway's words, like a local reply
    }
    m_recorder.outcome().status = head.status;
    m_filters.responseHead(m_ctx, head);
    m_writer.setNoBody(m_request.method == "HEAD");
    sendBuffered(head, std::move(body));
}

void ProxyExchange::transcodeBroken(const QString &why)
{
    if (m_done)
        return;
    if (!m_writer.started()) {
        sendLocalReply({ 502, QStringLiteral("Bad Gateway"), why, {}, "bad-grpc-answer" });
        return;
    }
    m_upstream.release(false);
    m_recorder.setError(why);
    m_down.flush();
    m_down.abort();
    finish();
}

} // namespace portico::gateway
