#pragma once

#include "core/gateway/grpc/GrpcWeb.h"
#include "core/http/HttpMessage.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace portico::gateway {
struct RequestFraming;
}

namespace portico::gateway::grpc {

// One gRPC-Web exchange between a gRPC-Web client and a native gRPC upstream (HTTP/2), for the
// exchange pipeline (ProxyExchange), which hands it the request and the answer as they stream.
//
// A request is gRPC-Web by its Content-Type (create() says so at once); whether it is translated
// is known only once the backend is chosen (decide()): an HTTP/2 upstream speaks native gRPC, an
// HTTP/1.1 one gets the request as it came. Body bytes that arrive before then wait here.
//
// Translated: the request goes with Content-Type application/grpc[+FMT] and "te: trailers", its
// body passed through (binary) or base64-decoded as it streams (-text; its length is then
// unknown, so the framing becomes "length unknown"); a body that is not valid base64, holds a
// frame with unknown flags or ends inside a frame is refused (requestError()). A native gRPC
// answer goes back as application/grpc-web[-text][+FMT], its frames passed through (or
// base64-encoded as they come, for -text), and its trailers (grpc-status, grpc-message, metadata)
// as the final frame of the body (flag 0x80). A trailers-only answer (the head ends the stream)
// gets its grpc-* fields moved from the head into that frame; an answer without any grpc-status
// ends with grpc-status 13 (INTERNAL), as a native client would conclude. An answer that is not
// gRPC (an HTTP/1.1 error page, a 502 of the gateway's own) passes as it is.
class GrpcWebBridge
{
public:
    // Null unless `request`'s Content-Type is gRPC-Web.
    static std::unique_ptr<GrpcWebBridge> create(const http::RequestHead &request);
    explicit GrpcWebBridge(WebMode mode);

    // The backend is known: translate (rewrites `request` and `framing`) or pass through.
    // Returns what waited, to send on (translated or not); false: it was refused (requestError()).
    bool decide(
        bool nativeUpstream, http::RequestHead &request, RequestFraming &framing, QByteArray &pending);
    bool decided() const { return m_decided; }
    bool translating() const { return m_translate; }
    qint64 waiting() const { return m_pendingBytes; } // bytes held until decide()

    // Request body: before decide() it is held; after, `out` gets what to send upstream.
    bool requestBody(const char *data, size_t length, QByteArray &out);
    bool requestEnd(); // the client's body is complete; false when it ended inside a frame
    const QString &requestError() const { return m_error; }

    // The upstream's answer. responseHead() rewrites a gRPC answer's head; the body pieces and
    // the end (with the upstream's trailers) come back in the gRPC-Web form.
    void responseHead(http::ResponseHead &head);
    bool translatingResponse() const { return m_translateResponse; }
    bool text() const { return m_mode == WebMode::Text; } // else the body passes unchanged
    QByteArray responseBody(const char *data, size_t length);
    QByteArray responseEnd(const http::HttpHeaders &trailers);

private:
    bool translate(QByteArrayView in, QByteArray &out);

    WebMode m_mode;
    bool m_decided = false;
    bool m_translate = false;
    bool m_translateResponse = false;
    std::vector<QByteArray> m_pending;
    qint64 m_pendingBytes = 0;
    Base64Decoder m_decoder;
    FrameTracker m_requestFrames;
    Base64Encoder m_encoder;
    http::HttpHeaders m_headTrailers; // a trailers-only answer's grpc-* fields
    QString m_error;
};

} // namespace portico::gateway::grpc
