#include "core/gateway/http2/Http2Upstream.h"

#include "core/gateway/UpstreamRequest.h"
#include "core/gateway/http2/Http2Support.h"
#include "core/gateway/pipeline/PipelineSupport.h"

#include <QMetaObject>

#include <algorithm>
#include <cstring>

namespace portico::gateway {

namespace {

constexpr int32_t kStreamWindow = 1 << 20; // response bytes in flight per stream
constexpr int32_t kConnectionWindow = 16 << 20; // and per connection

QByteArrayView view(const uint8_t *data, size_t length)
{
    return { reinterpret_cast<const char *>(data), qsizetype(length) };
}

} // namespace

// nghttp2's callbacks, each forwarding to the session in user_data.
struct Http2UpstreamSession::Callbacks
{
    static Http2UpstreamSession *self(void *user) { return static_cast<Http2UpstreamSession *>(user); }

    static int header(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name, size_t nameLength,
        const uint8_t *value, size_t valueLength, uint8_t, void *user)
    {
        if (frame->hd.type != NGHTTP2_HEADERS)
            return 0;
        Stream *s = self(user)->stream(frame->hd.stream_id);
        if (s && !s->field(view(name, nameLength), view(value, valueLength)))
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; // resets the stream
        return 0;
    }

    static int frameReceived(nghttp2_session *, const nghttp2_frame *frame, void *user)
    {
        Http2UpstreamSession *c = self(user);
        if (frame->hd.type == NGHTTP2_SETTINGS) {
            c->m_gotSettings = true;
            return 0;
        }
        if (frame->hd.type == NGHTTP2_GOAWAY) {
            c->m_goingAway = true; // no new streams; those it refused close with REFUSED_STREAM
            return 0;
        }
        Stream *s = c->stream(frame->hd.stream_id);
        if (!s)
            return 0;
        const bool endStream = frame->hd.flags & NGHTTP2_FLAG_END_STREAM;
        if (frame->hd.type == NGHTTP2_HEADERS)
            s->headersDone(endStream);
        else if (frame->hd.type == NGHTTP2_DATA && endStream)
            s->complete();
        return 0;
    }

    static int dataChunk(
        nghttp2_session *session, uint8_t, int32_t streamId, const uint8_t *data, size_t length, void *user)
    {
        if (Stream *s = self(user)->stream(streamId))
            s->body(reinterpret_cast<const char *>(data), length);
        else
            nghttp2_session_consume(session, streamId, length);
        return 0;
    }

    static int streamClose(nghttp2_session *, int32_t streamId, uint32_t errorCode, void *user)
    {
        if (Stream *s = self(user)->stream(streamId))
            s->closed(errorCode);
        return 0;
    }
};

Http2UpstreamSession::Http2UpstreamSession(
    std::unique_ptr<http::Transport> transport, TargetState *target, bool tls, qint64 connectTimeoutMs)
    : m_transport(std::move(transport))
    , m_target(target)
    , m_tls(tls)
    , m_connectTimeoutMs(connectTimeoutMs)
{
    nghttp2_session_callbacks *cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_header_callback(cb, &Callbacks::header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &Callbacks::frameReceived);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &Callbacks::dataChunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, &Callbacks::streamClose);
    nghttp2_option *options = nullptr;
    nghttp2_option_new(&options);
    // Windows follow what the exchanges take (Stream::body / setReadEnabled).
    nghttp2_option_set_no_auto_window_update(options, 1);
    // Until the upstream's SETTINGS say otherwise.
    nghttp2_option_set_peer_max_concurrent_streams(options, kMaxStreams);
    nghttp2_session_client_new2(&m_session, cb, this, options);
    nghttp2_option_del(options);
    nghttp2_session_callbacks_del(cb);
    m_idleSinceMs = m_createdMs = steadyMs();

    m_transport->onConnected = [this] { onConnected(); };
    m_transport->onReadable = [this] { onReadable(); };
    m_transport->onDrained = [this] {
        for (size_t i = 0; i < m_streams.size(); ++i)
            m_streams[i]->afterSend();
    };
    m_transport->onError = [this](const char *reason) {
        fail(m_connected || !m_tls ? QString::fromLatin1(reason)
                                   : notHttp2() + QStringLiteral(": ") + QString::fromLatin1(reason));
    };
}

QString Http2UpstreamSession::notHttp2() const
{
    return m_tls
        ? QStringLiteral("the TLS handshake for HTTP/2 failed (does the upstream offer h2 with ALPN?)")
        : QStringLiteral("upstream closed the connection");
}

Http2UpstreamSession::~Http2UpstreamSession()
{
    m_retired.clear();
    m_streams.clear();
    nghttp2_session_del(m_session);
}

Http2UpstreamSession::Stream *Http2UpstreamSession::stream(int id) const
{
    const auto it = m_byId.find(id);
    return it == m_byId.end() ? nullptr : it->second;
}

bool Http2UpstreamSession::hasRoom() const
{
    if (m_closed || m_goingAway)
        return false;
    const uint32_t peerLimit
        = nghttp2_session_get_remote_settings(m_session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
    const size_t limit = std::min<size_t>(kMaxStreams, peerLimit);
    // Stream ids run out after 2^30 requests: then a fresh connection.
    return m_streams.size() < limit && nghttp2_session_get_next_stream_id(m_session) < (1u << 31) - 1;
}

Http2UpstreamSession::Stream *Http2UpstreamSession::openStream()
{
    if (!hasRoom())
        return nullptr;
    m_streams.push_back(std::make_unique<Stream>(this));
    ++m_streamsOpened;
    return m_streams.back().get();
}

void Http2UpstreamSession::onConnected()
{
    if (m_closed)
        return;
    if (m_tls && m_transport->negotiatedProtocol() != "h2") {
        const QByteArray agreed = m_transport->negotiatedProtocol();
        fail(QStringLiteral("the upstream did not agree to HTTP/2 (ALPN offered h2, got %1)")
                 .arg(agreed.isEmpty() ? QStringLiteral("nothing") : QString::fromLatin1(agreed)));
        return;
    }
    m_connected = true;
    const nghttp2_settings_entry settings[] = {
        { NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
        { NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, uint32_t(kStreamWindow) },
        { NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, uint32_t(kMaxResponseHead) },
    };
    nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    nghttp2_session_set_local_window_size(m_session, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
    // The exchanges that waited for the connection send their requests; one write for all.
    ++m_depth;
    std::vector<Stream *> waiting;
    for (auto &s : m_streams)
        waiting.push_back(s.get());
    for (Stream *s : waiting) {
        if (s->m_client && !s->m_released && !m_closed)
            s->m_client->onUpstreamConnected();
    }
    --m_depth;
    sendPending();
}

void Http2UpstreamSession::onReadable()
{
    if (m_closed)
        return;
    char buffer[64 * 1024];
    for (int rounds = 0; rounds < 16 && !m_closed; ++rounds) {
        const qint64 n = m_transport->read(buffer, sizeof(buffer));
        if (n == 0)
            break;
        if (n < 0) {
            fail(m_connected ? QStringLiteral("upstream closed the connection") : notHttp2());
            return;
        }
        receive(buffer, size_t(n));
        if (n < qint64(sizeof(buffer)))
            break;
    }
    // One flush per read batch for every exchange that got bytes in it.
    std::vector<Stream *> batch;
    batch.swap(m_batch);
    for (Stream *s : batch) {
        s->m_inBatch = false;
        if (s->m_client)
            s->m_client->onUpstreamReadBatchDone();
    }
    sendPending();
}

void Http2UpstreamSession::receive(const char *data, size_t length)
{
    ++m_depth;
    const ssize_t used = nghttp2_session_mem_recv(m_session, reinterpret_cast<const uint8_t *>(data), length);
    --m_depth;
    if (used < 0)
        fail(m_gotSettings
                ? QStringLiteral("HTTP/2 protocol error from the upstream: %1")
                      .arg(QString::fromLatin1(nghttp2_strerror(int(used))))
                : QStringLiteral("the upstream does not speak HTTP/2 (no SETTINGS frame after the preface)"));
}

void Http2UpstreamSession::requestSend()
{
    if (m_depth > 0) {
        m_sendWanted = true;
        return;
    }
    sendPending();
}

void Http2UpstreamSession::sendPending()
{
    if (m_closed || !m_connected)
        return;
    QByteArray &out = m_sendBuffer;
    out.resize(0); // keeps the capacity, unless the transport still queues the last write
    do {
        m_sendWanted = false;
        ++m_depth;
        h2::takeOutput(m_session, out);
        --m_depth;
    } while (m_sendWanted && !m_closed);
    if (!out.isEmpty())
        m_transport->send(out);
    for (size_t i = 0; i < m_streams.size(); ++i)
        m_streams[i]->afterSend();
    if (!m_closed && !nghttp2_session_want_read(m_session) && !nghttp2_session_want_write(m_session)) {
        // nghttp2 is done with the connection: a GOAWAY either way, or a peer that broke the
        // protocol (nghttp2 answered with GOAWAY); any stream still open fails.
        fail(m_gotSettings
                ? QStringLiteral("the upstream ended the HTTP/2 connection")
                : QStringLiteral("the upstream does not speak HTTP/2 (no SETTINGS frame after the preface)"));
    }
}

void Http2UpstreamSession::abort()
{
    if (m_gotSettings)
        fail(QStringLiteral("the connection to the upstream was closed"));
    else if (m_connected)
        fail(QStringLiteral("the upstream sent no HTTP/2 SETTINGS within the connect timeout (%1 ms)")
                 .arg(m_connectTimeoutMs));
    else
        fail(QStringLiteral("could not connect to the upstream within %1 ms").arg(m_connectTimeoutMs));
}

void Http2UpstreamSession::shutdown()
{
    if (m_closed)
        return;
    m_goingAway = true;
    if (m_connected && m_streams.empty()) {
        nghttp2_submit_goaway(m_session, NGHTTP2_FLAG_NONE, 0, NGHTTP2_NO_ERROR, nullptr, 0);
        sendPending();
    }
    if (!m_closed && m_streams.empty()) {
        m_closed = true;
        m_transport->close(true);
        retire();
    }
}

void Http2UpstreamSession::fail(const QString &reason)
{
    if (m_closed)
        return;
    m_closed = true;
    m_transport->close(true); // what nghttp2 queued (a GOAWAY) still goes out
    std::vector<Stream *> live;
    for (auto &s : m_streams)
        live.push_back(s.get());
    for (Stream *s : live) {
        s->m_closed = true;
        s->m_reset = true;
        s->failed(reason);
        forget(s);
    }
    retire();
}

// The stream's exchange is gone and nghttp2 is done with it.
void Http2UpstreamSession::forget(Stream *stream)
{
    const auto it = std::find_if(
        m_streams.begin(), m_streams.end(), [stream](const auto &s) { return s.get() == stream; });
    if (it == m_streams.end())
        return;
    if (stream->m_id > 0)
        m_byId.erase(stream->m_id);
    m_retired.push_back(std::move(*it));
    m_streams.erase(it);
    if (m_streams.empty()) {
        m_idleSinceMs = steadyMs();
        if (m_goingAway && !m_closed)
            QMetaObject::invokeMethod(
                this, [this] { shutdown(); }, Qt::QueuedConnection);
    }
    if (!m_purgeQueued) {
        m_purgeQueued = true;
        QMetaObject::invokeMethod(
            this, [this] { purge(); }, Qt::QueuedConnection);
    }
}

void Http2UpstreamSession::purge()
{
    m_purgeQueued = false;
    m_retired.clear();
}

void Http2UpstreamSession::retire()
{
    if (onRetired) {
        auto cb = std::move(onRetired);
        onRetired = nullptr;
        cb(this);
    }
    deleteLater();
}

} // namespace portico::gateway
