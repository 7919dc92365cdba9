#pragma once

#include "core/grpc/Transcoder.h"
#include "core/http/HttpMessage.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <variant>

namespace portico::gateway::grpc {

// One REST exchange transcoded to a gRPC call (routes[].grpc.transcode), for the exchange
// pipeline (ProxyExchange): the JSON request is kept until it is complete, becomes one framed
// protobuf message to POST /pkg.Service/Method, and the answer's frames come back as JSON, one
// object for a unary call, one line each for server streaming (newline-delimited JSON). The
// call's grpc-status decides the HTTP status (google.rpc.Code's mapping); a failure is
// problem+json carrying the gRPC code, message and details.
class TranscodeBridge
{
public:
    using Transcoder = portico::grpc::Transcoder;

    TranscodeBridge(std::shared_ptr<const Transcoder> transcoder, Transcoder::Call call, qint64 maxMessageBytes);

    const Transcoder::Call &call() const { return m_call; }
    bool streaming() const { return m_call.serverStreaming(); }

    // Request: the whole JSON body makes the request rewritten for the upstream (method, path,
    // gRPC fields) and its framed message, or why the REST request cannot be sent.
    std::variant<QByteArray, Transcoder::Error> finishRequest(http::RequestHead &request, const QByteArray &json);

    // Answer. responseHead(): false when it is not a gRPC answer (the pipeline answers 502).
    bool responseHead(const http::ResponseHead &head);
    // Complete messages of `data` as JSON, in order; false with `error` set on a bad frame or a
    // message that is not the method's output type.
    bool responseBody(const char *data, size_t length, QList<QByteArray> *json, QString *error);
    // The call's status from the trailers (or a trailers-only head); false when the body ended
    // inside a frame.
    struct Outcome
    {
        int grpcStatus = 2; // UNKNOWN when the upstream said nothing
        QString message;
        QByteArray detailsBase64; // grpc-status-details-bin as sent (a google.rpc.Status)
    };
    bool responseEnd(const http::HttpHeaders &trailers, Outcome *outcome, QString *error) const;

    // problem+json for a failed call (`httpStatus` from the gRPC code).
    static QByteArray problemBody(const Outcome &outcome, int httpStatus, const QByteArray &traceId,
                                  const QByteArray &requestId);
    // The last line of a stream that failed after it started: {"error": {...}}.
    static QByteArray streamErrorLine(const Outcome &outcome);

private:
    std::shared_ptr<const Transcoder> m_transcoder;
    Transcoder::Call m_call;
    qint64 m_maxMessageBytes;
    QByteArray m_pending; // response bytes not yet a whole frame
    http::HttpHeaders m_headStatus; // grpc-status and friends of a trailers-only answer
};

} // namespace portico::gateway::grpc
