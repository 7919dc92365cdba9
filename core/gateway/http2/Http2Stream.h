#pragma once

#include "core/config/Workspace.h"
#include "core/gateway/http2/Http2Connection.h"

#include <nghttp2/nghttp2.h>

#include <utility>
#include <vector>

namespace portico::gateway {

// One HTTP/2 stream: collects the request head from nghttp2's header callbacks, then is the
// DownstreamStream of the exchange it starts. The response head becomes a HEADERS frame (names
// in lower case, connection-specific fields dropped, RFC 9113 8.2.2), the body DATA frames fed
// from a buffer through nghttp2's data provider.
class Http2Connection::Stream final : public DownstreamStream
{
public:
    Stream(Http2Connection *connection, int id);
    ~Stream();

    int id() const { return m_id; }

    // Request side, from the connection's nghttp2 callbacks.
    void addRequestField(QByteArrayView name, QByteArrayView value);
    void requestHeadComplete(bool endStream);
    void addTrailerField(QByteArrayView name, QByteArrayView value);
    void requestBody(const char *data, size_t length);
    void requestComplete();
    // nghttp2 closed the stream: a reset from the client (or an error) unless our side had
    // answered in full.
    void closed(uint32_t errorCode);
    bool started() const { return m_handler != nullptr; }
    bool finished() const { return m_finished; }
    bool isClosed() const { return m_closed; }
    bool live() const { return m_handler && !m_finished; }
    // Live, or it still owes the client frames: its answer's end waits for the client's, or the
    // client has not taken the whole body yet (its flow-control window is shut). A connection
    // with an active stream is busy: drain and the idle timeout wait for it.
    bool active() const { return live() || holding() || owesBody(); }
    void checkTimeouts(qint64 nowMs);
    // After the connection wrote (when watched): tell an exchange that paused its upstream that
    // room is back; reset a stream answered in full whose client still sends.
    void afterSend();
    bool m_watched = false; // in the connection's list for afterSend()

    // DownstreamStream
    const DownstreamInfo &info() const override { return m_connection->m_info; }
    void sendInformational(int status, const http::HttpHeaders &headers) override;
    void beginHead(int status, QByteArrayView reason, qsizetype sizeHint) override;
    void addField(QByteArrayView name, QByteArrayView value) override;
    void endHead(const HeadOptions &options, HeadObserver *observer) override;
    void sendData(const char *data, size_t length) override;
    void sendTrailers(const http::HttpHeaders &trailers) override;
    void endResponse() override;
    void flush() override;
    qint64 pending() const override;
    qint64 responseBytes() const override { return m_responseBytes; }
    void setReadPaused(bool paused) override;
    void closeAfterResponse() override { }
    void abort() override;
    void beginTunnel() override;
    void sendTunnelData(const char *data, size_t length) override;
    void endTunnel() override;
    void streamDone() override;

private:
    static ssize_t readBody(nghttp2_session *session, int32_t streamId, uint8_t *buf, size_t length,
                            uint32_t *flags, nghttp2_data_source *source, void *user);
    void refuse(int status, const QString &detail);
    void resumeBody();
    // Answered in full while the client still sends: whether to read the rest instead of a reset.
    bool worthReadingOn() const;
    void submitHead(Head &head, bool noBody, bool upgrade);
    // Whether the answer's END_STREAM waits for the client's (see the definition), and the wait.
    bool holdEnd() const;
    void startHold();
    void releaseEnd();
    bool holding() const { return m_holdUntilMs >= 0 && !m_holdReleased && !m_closed; }
    bool owesBody() const { return m_submitted && !m_answered && !m_closed && !m_aborted; }

    static constexpr qint64 kDiscardBytes = 64 * 1024; // what is left of a body worth reading on
    static constexpr qint64 kHoldMs = 1000;
    static constexpr qsizetype kSpareBufferBytes = 64 * 1024; // larger body buffers are freed
    static constexpr size_t kSpareBuffers = 32; // per connection

    Http2Connection *m_connection;
    int m_id;
    StreamHandler *m_handler = nullptr;
    const config::Limits m_limits; // of the config running when the stream opened

    // Request
    http::RequestHead m_request;
    QByteArray m_authority;
    QByteArrayList m_cookies; // RFC 9113 8.2.3: joined with "; " for HTTP/1.1 upstreams
    http::HttpHeaders m_requestTrailers;
    qint64 m_headBytes = 0;
    qint64 m_bodyBytes = 0;
    qint64 m_declaredLength = -1; // content-length, if the client sent one
    qint64 m_discarded = 0;       // body bytes read after the exchange ended
    qint64 m_unconsumed = 0; // body bytes not yet given back to the client's window
    bool m_tooLarge = false;
    bool m_badHead = false;
    bool m_readPaused = false;
    bool m_requestComplete = false;
    bool m_expectContinue = false;
    // RFC 8441: CONNECT with :protocol websocket, passed upstream as an HTTP/1.1 Upgrade; once
    // the upstream says 101 the stream's DATA frames carry the WebSocket bytes both ways.
    QByteArray m_connectProtocol;
    bool m_tunnel = false;
    bool m_clientEnded = false; // END_STREAM before the tunnel began
    bool m_resetSent = false;
    bool m_aborted = false;
    QByteArray m_early; // tunnel bytes the client sent before the upstream accepted
    // Response
    int m_status = 0;
    // The response head's fields are built in the connection's scratch head (one head is built at a
    // time; nghttp2 copies them when the head is submitted). A body-less answer whose HEADERS wait
    // for the client's END_STREAM keeps its own copy here until then.
    std::unique_ptr<Http2Connection::Head> m_heldHead;
    std::vector<std::pair<QByteArray, QByteArray>> m_trailers; // sent after the last DATA frame
    QByteArray m_out;        // body bytes nghttp2 has not taken yet
    qsizetype m_outPos = 0;
    qint64 m_responseBytes = 0;
    bool m_submitted = false; // the response HEADERS are queued
    bool m_eof = false;       // the body is complete
    bool m_deferred = false;  // the data provider waits for bytes
    bool m_answered = false; // the response went out in full (END_STREAM)
    bool m_holdReleased = false;
    qint64 m_holdUntilMs = -1; // when an answer's held END_STREAM goes out anyway
    qint64 m_progressMs = 0; // when nghttp2 last took body bytes (or the exchange ended)
    mutable bool m_wasBehind = false; // pending() told the exchange the client is behind
    bool m_finished = false;  // streamDone(): the exchange has ended
    bool m_closed = false;    // nghttp2 closed the stream
};

} // namespace portico::gateway
