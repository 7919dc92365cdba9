#include "core/gateway/http2/Http2Connection.h"

#include "core/gateway/Worker.h"
#include "core/gateway/http2/Http2Stream.h"
#include "core/gateway/http2/Http2Support.h"

#include <QMetaObject>

namespace portico::gateway {

// nghttp2's callbacks, each forwarding to the connection in user_data.
struct Http2Connection::Callbacks
{
    static Http2Connection *self(void *user) { return static_cast<Http2Connection *>(user); }

    static int beginHeaders(nghttp2_session *, const nghttp2_frame *frame, void *user)
    {
        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
            return 0;
        Http2Connection *c = self(user);
        const int id = frame->hd.stream_id;
        c->m_streams.emplace(id, std::make_unique<Stream>(c, id));
        return 0;
    }

    static int header(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name, size_t nameLength,
                      const uint8_t *value, size_t valueLength, uint8_t, void *user)
    {
        if (frame->hd.type != NGHTTP2_HEADERS)
            return 0;
        Stream *s = self(user)->stream(frame->hd.stream_id);
        if (!s)
            return 0;
        const QByteArrayView n(reinterpret_cast<const char *>(name), qsizetype(nameLength));
        const QByteArrayView v(reinterpret_cast<const char *>(value), qsizetype(valueLength));
        if (frame->headers.cat == NGHTTP2_HCAT_REQUEST)
            s->addRequestField(n, v);
        else // trailers (nghttp2 has checked they end the stream and carry no pseudo-header)
            s->addTrailerField(n, v);
        return 0;
    }

    static int frameReceived(nghttp2_session *, const nghttp2_frame *frame, void *user)
    {
        Stream *s = self(user)->stream(frame->hd.stream_id);
        if (!s)
            return 0;
        const bool endStream = frame->hd.flags & NGHTTP2_FLAG_END_STREAM;
        switch (frame->hd.type) {
        case NGHTTP2_HEADERS:
            if (frame->headers.cat == NGHTTP2_HCAT_REQUEST)
                s->requestHeadComplete(endStream);
            else if (endStream) // trailers end the request
                s->requestComplete();
            break;
        case NGHTTP2_DATA:
            if (endStream)
                s->requestComplete();
            break;
        default:
            break;
        }
        return 0;
    }

    static int dataChunk(nghttp2_session *, uint8_t, int32_t streamId, const uint8_t *data, size_t length, void *user)
    {
        Http2Connection *c = self(user);
        if (Stream *s = c->stream(streamId))
            s->requestBody(reinterpret_cast<const char *>(data), length);
        else
            nghttp2_session_consume(c->m_session, streamId, length);
        return 0;
    }

    static int streamClose(nghttp2_session *, int32_t streamId, uint32_t errorCode, void *user)
    {
        Http2Connection *c = self(user);
        Stream *s = c->stream(streamId);
        if (!s)
            return 0;
        s->closed(errorCode);
        if (s->finished() || !s->started())
            c->retire(streamId);
        return 0;
    }
};

Http2Connection::Http2Connection(Worker *worker, std::unique_ptr<http::Transport> transport, DownstreamInfo info)
    : m_worker(worker)
    , m_transport(std::move(transport))
    , m_info(std::move(info))
{
    m_info.http2 = true;
    nghttp2_session_callbacks *cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, &Callbacks::beginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(cb, &Callbacks::header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &Callbacks::frameReceived);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &Callbacks::dataChunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, &Callbacks::streamClose);
    nghttp2_option *options = nullptr;
    nghttp2_option_new(&options);
    // Window updates follow what the pipeline takes (Stream::requestBody / setReadPaused).
    nghttp2_option_set_no_auto_window_update(options, 1);
    nghttp2_option_set_no_closed_streams(options, 1);
    // Rapid reset (CVE-2023-44487): a client that resets more than this burst, refilled at this
    // rate per second, gets a GOAWAY. CONTINUATION floods: nghttp2's limit of 8 frames.
    nghttp2_option_set_stream_reset_rate_limit(options, 200, 50);
    nghttp2_session_server_new2(&m_session, cb, this, options);
    nghttp2_option_del(options);
    nghttp2_session_callbacks_del(cb);

    const config::Limits &limits = m_worker->config()->workspace().gateway.limits;
    const nghttp2_settings_entry settings[] = {
        { NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, uint32_t(kMaxConcurrentStreams) },
        { NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, uint32_t(std::min<qint64>(limits.maxHeaderBytes, 1 << 30)) },
        { NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
        { NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1 }, // WebSocket over HTTP/2 (RFC 8441)
    };
    nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    m_idleSinceMs = steadyMs();

    m_transport->onReadable = [this] { onReadable(); };
    m_transport->onDrained = [this] { sendPending(); }; // streams waiting for room resume
    m_transport->onError = [this](const char *) { closeConnection(); };
}

void Http2Connection::start(const QByteArray &preread)
{
    if (!preread.isEmpty())
        receive(preread.constData(), size_t(preread.size()));
    sendPending();
    if (!m_closed)
        onReadable(); // bytes that arrived with the preface may be waiting already
}

Http2Connection::~Http2Connection()
{
    m_retired.clear();
    m_streams.clear(); // deletes the exchanges, which close their upstream connections
    nghttp2_session_del(m_session);
}

Http2Connection::Stream *Http2Connection::stream(int streamId) const
{
    if (streamId == m_lastId && m_last)
        return m_last;
    const auto it = m_streams.find(streamId);
    if (it == m_streams.end())
        return nullptr;
    m_lastId = streamId;
    m_last = it->second.get();
    return m_last;
}

void Http2Connection::watch(Stream *stream)
{
    if (!stream->m_watched) {
        stream->m_watched = true;
        m_watched.push_back(stream->id());
    }
}

void Http2Connection::onReadable()
{
    if (m_closed)
        return;
    char buffer[64 * 1024];
    for (int rounds = 0; rounds < 16 && !m_closed; ++rounds) {
        const qint64 n = m_transport->read(buffer, sizeof(buffer));
        if (n == 0)
            break;
        if (n < 0) {
            closeConnection();
            return;
        }
        receive(buffer, size_t(n));
        if (n < qint64(sizeof(buffer)))
            break;
    }
    if (!m_closed)
        sendPending();
}

void Http2Connection::receive(const char *data, size_t length)
{
    ++m_depth;
    const ssize_t used = nghttp2_session_mem_recv(m_session, reinterpret_cast<const uint8_t *>(data), length);
    --m_depth;
    if (used < 0) {
        // A protocol violation: nghttp2 has queued its GOAWAY; say it, then close.
        m_draining = true;
        sendPending();
        closeGracefully();
    }
}

void Http2Connection::requestSend()
{
    if (m_depth > 0 || m_closed) {
        m_sendWanted = true;
        return;
    }
    sendPending();
}

void Http2Connection::sendPending()
{
    if (m_closed)
        return;
    for (int round = 0; round < 4 && !m_closed; ++round) {
        QByteArray &out = m_sendBuffer;
        out.resize(0); // keeps the capacity, unless the transport still queues the last write
        do {
            m_sendWanted = false;
            ++m_depth;
            h2::takeOutput(m_session, out);
            --m_depth;
        } while (m_sendWanted && !m_closed);
        if (!out.isEmpty() && !m_closed)
            m_transport->send(out);
        // By id: a stream's exchange may write (and streams close) from inside afterSend(), and
        // watch again.
        if (!m_watched.empty()) {
            // The list is swapped with a spare one (whose capacity is kept) unless a nested call
            // is visiting it already.
            std::vector<int> local;
            std::vector<int> &ids = m_visiting ? local : m_visitList;
            const bool outer = !m_visiting;
            m_visiting = true;
            ids.swap(m_watched);
            ++m_depth;
            for (int id : ids) {
                if (Stream *s = stream(id)) {
                    s->m_watched = false;
                    s->afterSend();
                }
            }
            --m_depth;
            ids.clear();
            if (outer)
                m_visiting = false;
        }
        if (!m_sendWanted) // a stream queued a frame (RST_STREAM after its answer): go again
            break;
    }
    if (!m_closed && !nghttp2_session_want_read(m_session) && !nghttp2_session_want_write(m_session))
        closeGracefully();
    else if (m_draining && !busy() && !m_closed)
        closeGracefully();
}

void Http2Connection::streamFinished(Stream *stream)
{
    m_idleSinceMs = steadyMs();
    if (stream->isClosed())
        retire(stream->id());
    if (m_draining && !busy())
        QMetaObject::invokeMethod(this, [this] { closeGracefully(); }, Qt::QueuedConnection);
}

void Http2Connection::retire(int streamId)
{
    const auto it = m_streams.find(streamId);
    if (it == m_streams.end())
        return;
    if (m_last == it->second.get())
        m_last = nullptr;
    m_retired.push_back(std::move(it->second));
    m_streams.erase(it);
    if (!m_purgeQueued) {
        m_purgeQueued = true;
        QMetaObject::invokeMethod(this, [this] { purgeRetired(); }, Qt::QueuedConnection);
    }
}

void Http2Connection::purgeRetired()
{
    m_purgeQueued = false;
    m_retired.clear();
}

bool Http2Connection::busy() const
{
    for (const auto &[id, s] : m_streams) {
        if (s->active())
            return true;
    }
    return false;
}

void Http2Connection::checkTimeouts(qint64 nowMs)
{
    if (m_closed)
        return;
    const qint64 idleTimeout = m_worker->config()->workspace().gateway.limits.idleTimeout.count();
    if (m_lingering) {
        // Queued frames wait for a client that reads within the idle timeout; after FIN, its
        // close is awaited kLingerMs after the last byte it sent.
        // A client that keeps sending does not keep it open either: idle timeout + kLingerMs in all.
        if (nowMs - m_idleSinceMs > (m_writeShut ? std::min<qint64>(kLingerMs, idleTimeout) : idleTimeout)
            || nowMs - m_lingerSinceMs > idleTimeout + kLingerMs)
            abort();
        return;
    }
    std::vector<Stream *> live;
    for (auto &[id, s] : m_streams) {
        if (s->active())
            live.push_back(s.get());
    }
    for (Stream *s : live)
        s->checkTimeouts(nowMs);
    if (m_closed)
        return;
    const bool isBusy = busy(); // walks every stream: once
    if (isBusy)
        m_idleSinceMs = nowMs; // idle is counted from when the last stream stopped being active
    if (!isBusy && nowMs - m_idleSinceMs > idleTimeout)
        drain();
    else
        sendPending();
}

void Http2Connection::drain()
{
    if (m_closed)
        return;
    if (!m_draining) {
        m_draining = true;
        nghttp2_submit_goaway(m_session, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(m_session),
                              NGHTTP2_NO_ERROR, nullptr, 0);
    }
    sendPending();
}

void Http2Connection::abort()
{
    if (m_closed)
        return;
    m_transport->close(false);
    closeConnection();
}

void Http2Connection::closeGracefully()
{
    if (m_closed || m_closing)
        return;
    // A lingering close, as nginx's: deleting the transport now would drop the frames still
    // queued (the end of an answer, the GOAWAY), and closing while the client still sends (an
    // HTTP/2 client acknowledges data with WINDOW_UPDATE as it reads) makes the kernel reset the
    // connection, which destroys what it has not read yet. So: write what is queued, then send
    // FIN, and read and drop what the client sends until it closes too, for at most kLingerMs
    // after the last byte it sent (checkTimeouts). Counted as active meanwhile, so that drain
    // waits for it (closeConnection uncounts).
    if (!m_lingering) {
        m_lingering = true;
        m_worker->state().activeRequests.fetch_add(1, std::memory_order_relaxed);
        m_idleSinceMs = m_lingerSinceMs = steadyMs();
        m_transport->onReadable = [this] { discardInput(); };
        m_transport->onDrained = [this] { closeGracefully(); };
        m_transport->setReadEnabled(true);
    }
    if (m_transport->pending() > 0 || m_writeShut)
        return; // onDrained comes back; then the client's close (discardInput)
    m_writeShut = true;
    m_idleSinceMs = steadyMs();
    m_transport->shutdownWrite();
    discardInput(); // it may have closed already
}

void Http2Connection::discardInput()
{
    char sink[16 * 1024];
    for (int rounds = 0; rounds < 64 && !m_closed; ++rounds) {
        const qint64 n = m_transport->read(sink, sizeof(sink));
        if (n == 0)
            return;
        if (n < 0) {
            // The client closed its side: it has read all it wanted.
            m_transport->close(false);
            closeConnection();
            return;
        }
        m_idleSinceMs = steadyMs();
    }
}

void Http2Connection::closeConnection()
{
    if (m_closing)
        return;
    m_closing = true;
    m_closed = true;
    if (m_lingering)
        m_worker->state().activeRequests.fetch_sub(1, std::memory_order_relaxed);
    std::vector<Stream *> live;
    for (auto &[id, s] : m_streams) {
        if (s->active())
            live.push_back(s.get());
    }
    for (Stream *s : live)
        s->closed(NGHTTP2_CANCEL);
    m_worker->connectionClosed(this);
    deleteLater();
}

} // namespace portico::gateway
