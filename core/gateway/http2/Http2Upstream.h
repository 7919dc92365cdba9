#pragma once

#include "core/gateway/Cluster.h"
#include "core/gateway/UpstreamLink.h"
#include "core/http/Transport.h"

#include <QObject>

#include <nghttp2/nghttp2.h>

#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace portico::gateway {

class Worker;

// One HTTP/2 connection to an upstream target (upstreams.*.protocol h2c: prior knowledge over
// TCP; h2: TLS with ALPN "h2"), client side of nghttp2, carrying many exchanges at once: each is
// a Stream, the UpstreamLink its exchange speaks to. Owned by the worker's pool, which opens
// streams on it while it has room (the upstream's SETTINGS_MAX_CONCURRENT_STREAMS, at most
// kMaxStreams) and a new session when none has.
//
// Flow control: a stream's response window is given back only as its exchange takes the body and
// has not paused (setReadEnabled), so a slow client makes the upstream wait on that stream alone;
// request bodies go out as the upstream's windows allow, and pending() tells the exchange to pause
// its client meanwhile. A GOAWAY stops new streams; streams it refused fail as never processed
// (an idempotent request goes again on a fresh connection). The connection closes when idle.
class Http2UpstreamSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Http2UpstreamSession)

public:
    static constexpr int kMaxStreams = 100;
    static constexpr qint64 kMaxResponseHead = 256 * 1024; // as for HTTP/1.1 upstreams

    class Stream;

    // `connectTimeoutMs`: how long the connection may take (see connectOverdue()).
    Http2UpstreamSession(
        std::unique_ptr<http::Transport> transport, TargetState *target, bool tls, qint64 connectTimeoutMs);
    ~Http2UpstreamSession() override;

    // A stream for one exchange, or nullptr when the session takes no more.
    Stream *openStream();
    bool hasRoom() const;
    bool connected() const { return m_connected; }
    bool used() const { return m_streamsOpened > 0; }
    bool idle() const { return m_streams.empty(); }
    // No HTTP/2 from the upstream (not connected, or no SETTINGS) after the connect timeout: the
    // exchanges waiting on it give up (504) and new ones would wait in vain; the pool aborts it.
    bool connectOverdue(qint64 nowMs) const
    {
        return !m_gotSettings && nowMs - m_createdMs > m_connectTimeoutMs;
    }
    qint64 idleSinceMs() const { return m_idleSinceMs; }
    TargetState *target() const { return m_target; }
    // GOAWAY, then close once the streams still running end (or at once when none are).
    void shutdown();
    // Closes at once; exchanges still on it fail.
    void abort();

    std::function<void(Http2UpstreamSession *)> onRetired; // set by the pool; called once

private:
    struct Callbacks;
    friend struct Callbacks;
    friend class Stream;

    void onConnected();
    void onReadable();
    void receive(const char *data, size_t length);
    void requestSend();
    void sendPending();
    void fail(const QString &reason);
    QString notHttp2() const; // why a connection closed before HTTP/2 started
    void streamReleased(Stream *stream);
    void forget(Stream *stream);
    void purge();
    void retire();
    Stream *stream(int id) const;

    std::unique_ptr<http::Transport> m_transport;
    TargetState *m_target;
    bool m_tls;
    nghttp2_session *m_session = nullptr;
    QByteArray m_sendBuffer; // frames taken from nghttp2 for one write; its capacity is kept
    std::vector<std::unique_ptr<Stream>> m_streams; // in use by an exchange or not yet closed
    std::map<int, Stream *> m_byId;
    std::vector<std::unique_ptr<Stream>> m_retired; // deleted from the event loop
    std::vector<Stream *> m_batch; // got response bytes in this read
    int m_streamsOpened = 0;
    int m_depth = 0;
    bool m_sendWanted = false;
    bool m_connected = false;
    bool m_gotSettings = false; // the peer speaks HTTP/2
    bool m_goingAway = false;
    bool m_closed = false;
    bool m_purgeQueued = false;
    qint64 m_idleSinceMs = 0;
    qint64 m_createdMs = 0;
    qint64 m_connectTimeoutMs;
};

class Http2UpstreamSession::Stream final : public UpstreamLink
{
public:
    explicit Stream(Http2UpstreamSession *session);

    // UpstreamLink
    void beginExchange(Client *client, bool noBody) override;
    void setClient(Client *client) override { m_client = client; }
    bool ready() const override { return m_session->m_connected; }
    void sendRequest(const http::RequestHead &request, const TargetState &target, const ForwardInfo &forward,
        const std::vector<QByteArray> &resend, const std::vector<QByteArray> &fresh, bool complete) override;
    void sendBody(const char *data, size_t length) override;
    void endRequest(const http::HttpHeaders &trailers) override;
    qint64 pending() const override;
    void setReadEnabled(bool enabled) override;
    bool reusable() const override { return m_responseComplete && !m_reset; }
    void release(bool reusable) override;
    void sendTunnel(const char *, size_t) override { }
    void shutdownWrite() override { }

private:
    friend class Http2UpstreamSession;
    friend struct Http2UpstreamSession::Callbacks;

    static ssize_t readBody(nghttp2_session *session, int32_t streamId, uint8_t *buf, size_t length,
        uint32_t *flags, nghttp2_data_source *source, void *user);
    bool field(QByteArrayView name, QByteArrayView value); // false: reset the stream
    void headersDone(bool endStream);
    void body(const char *data, size_t length);
    void complete();
    void closed(uint32_t errorCode);
    void failed(const QString &reason);
    void resumeBody();
    void afterSend();

    Http2UpstreamSession *m_session;
    Client *m_client = nullptr;
    int m_id = 0;
    bool m_released = false;

    // Request body: bytes nghttp2 has not taken yet.
    QByteArray m_out;
    std::vector<std::pair<QByteArray, QByteArray>> m_trailers; // after the body, lower-case names
    qsizetype m_outPos = 0;
    bool m_eof = false;
    bool m_deferred = false;
    bool m_sentEof = false; // nghttp2 took the end of the request
    mutable bool m_wasBehind = false; // pending() told the exchange to pause its client

    // Response
    int m_status = 0;
    http::HttpHeaders m_fields;
    bool m_headDone = false;
    bool m_responseComplete = false;
    bool m_closed = false;
    bool m_reset = false;
    bool m_readPaused = false;
    bool m_inBatch = false;
    qint64 m_unconsumed = 0; // body bytes not yet given back to the stream's window
    qint64 m_headBytes = 0;
    QString m_failure; // why we reset the stream, for the exchange
};

} // namespace portico::gateway
