#include "core/gateway/http2/Http2Upstream.h"

#include "core/gateway/UpstreamRequest.h"
#include "core/gateway/http2/Http2Support.h"
#include "core/gateway/pipeline/PipelineSupport.h"

#include <QMetaObject>

namespace portico::gateway {

// One exchange's stream on an Http2UpstreamSession (the session's own half is Http2Upstream.cpp).

Http2UpstreamSession::Stream::Stream(Http2UpstreamSession *session)
    : m_session(session)
{
}

void Http2UpstreamSession::Stream::beginExchange(Client *client, bool)
{
    m_client = client; // HEAD: nghttp2 knows from the request that no body follows
}

void Http2UpstreamSession::Stream::sendRequest(const http::RequestHead &request, const TargetState &target,
    const ForwardInfo &forward, const std::vector<QByteArray> &resend, const std::vector<QByteArray> &fresh,
    bool complete)
{
    const auto fields = buildUpstreamHttp2Fields(request, target, forward);
    std::vector<nghttp2_nv> nva;
    nva.reserve(fields.size());
    for (const auto &[name, value] : fields)
        nva.push_back(h2::nv(name, value));
    for (const auto *pieces : { &resend, &fresh }) {
        for (const QByteArray &piece : *pieces)
            m_out += piece;
    }
    m_eof = complete;
    nghttp2_data_provider provider;
    provider.source.ptr = this;
    provider.read_callback = &Stream::readBody;
    const bool bodyless = complete && m_out.isEmpty();
    const int32_t id = nghttp2_submit_request(
        m_session->m_session, nullptr, nva.data(), nva.size(), bodyless ? nullptr : &provider, this);
    if (id < 0) {
        // Reported from the event loop: the exchange is still inside this call.
        const QString reason = QStringLiteral("cannot open an HTTP/2 stream: %1")
                                   .arg(QString::fromLatin1(nghttp2_strerror(id)));
        QMetaObject::invokeMethod(
            m_session,
            [session = m_session, self = this, reason] {
                for (auto &s : session->m_streams) {
                    if (s.get() == self && !self->m_released) {
                        self->m_closed = true;
                        self->m_reset = true;
                        self->failed(reason);
                        session->forget(self);
                        return;
                    }
                }
            },
            Qt::QueuedConnection);
        return;
    }
    m_id = id;
    m_sentEof = bodyless;
    m_session->m_byId[id] = this;
    m_session->requestSend();
}

void Http2UpstreamSession::Stream::sendBody(const char *data, size_t length)
{
    if (length == 0 || m_eof || m_closed)
        return;
    m_out.append(data, qsizetype(length)); // h2::takeQueued empties the queue once all is taken
    resumeBody();
}

void Http2UpstreamSession::Stream::endRequest(const http::HttpHeaders &trailers)
{
    if (m_eof)
        return;
    for (const auto &[name, value] : trailers.entries()) {
        if (forwardableTrailer(name, value))
            m_trailers.emplace_back(name.toLower(), value);
    }
    m_eof = true;
    resumeBody();
}

void Http2UpstreamSession::Stream::resumeBody()
{
    if (m_deferred && m_id > 0 && !m_closed) {
        m_deferred = false;
        nghttp2_session_resume_data(m_session->m_session, m_id);
    }
    m_session->requestSend();
}

ssize_t Http2UpstreamSession::Stream::readBody(nghttp2_session *, int32_t, uint8_t *buf, size_t length,
    uint32_t *flags, nghttp2_data_source *source, void *)
{
    auto *self = static_cast<Stream *>(source->ptr);
    const size_t n = h2::takeQueued(self->m_out, self->m_outPos, buf, length);
    if (self->m_out.isEmpty()) {
        if (self->m_eof) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            self->m_sentEof = true;
            h2::endWithTrailers(self->m_session->m_session, self->m_id, self->m_trailers, flags);
            return ssize_t(n);
        }
        if (n == 0) {
            self->m_deferred = true;
            return NGHTTP2_ERR_DEFERRED;
        }
    }
    return ssize_t(n);
}

qint64 Http2UpstreamSession::Stream::pending() const
{
    // The connection's queue counts for every stream on it: a slow upstream slows them all.
    const qint64 queued = qint64(m_out.size() - m_outPos) + m_session->m_transport->pending();
    if (queued > detail::kHighWater)
        m_wasBehind = true;
    return queued;
}

void Http2UpstreamSession::Stream::afterSend()
{
    if (m_wasBehind && m_client && pending() <= detail::kHighWater / 2) {
        m_wasBehind = false;
        m_client->onUpstreamDrained();
    }
}

void Http2UpstreamSession::Stream::setReadEnabled(bool enabled)
{
    m_readPaused = !enabled;
    if (enabled && m_unconsumed > 0 && m_id > 0 && !m_closed) {
        nghttp2_session_consume_stream(m_session->m_session, m_id, size_t(m_unconsumed));
        m_unconsumed = 0;
        m_session->requestSend();
    }
}

void Http2UpstreamSession::Stream::release(bool)
{
    if (m_released)
        return;
    m_released = true;
    m_client = nullptr;
    if (m_id > 0 && !m_closed) {
        if (m_responseComplete && m_sentEof)
            return; // ended both ways: nghttp2 closes it, then it is forgotten
        // Not ended (the exchange gave up, or the upstream answered before the body was sent).
        nghttp2_submit_rst_stream(m_session->m_session, NGHTTP2_FLAG_NONE, m_id, NGHTTP2_CANCEL);
        m_session->requestSend();
        return; // forgotten when nghttp2 closes it
    }
    m_session->forget(this);
}

bool Http2UpstreamSession::Stream::field(QByteArrayView name, QByteArrayView value)
{
    m_headBytes += name.size() + value.size() + 32;
    if (m_headBytes > kMaxResponseHead) {
        m_failure
            = QStringLiteral("the upstream's response head is larger than %1 bytes").arg(kMaxResponseHead);
        return false;
    }
    if (name == ":status")
        m_status = value.toInt();
    else if (!name.startsWith(':'))
        m_fields.add(name.toByteArray(), value.toByteArray());
    return true;
}

void Http2UpstreamSession::Stream::headersDone(bool endStream)
{
    if (!m_headDone && m_status >= 100 && m_status < 200) {
        // Interim (103 Early Hints and the like); 100 Continue is ours to send or not.
        if (m_status != 100 && m_client)
            m_client->onUpstreamInformational(
                { m_status, http::reasonPhrase(m_status), 1, std::move(m_fields) });
        m_status = 0;
        m_fields.clear();
        return;
    }
    if (!m_headDone) {
        m_headDone = true;
        http::ResponseHead head { m_status, http::reasonPhrase(m_status), 1, std::move(m_fields), endStream };
        m_fields.clear();
        if (m_client)
            m_client->onUpstreamResponseHead(std::move(head));
    } else if (m_client) {
        m_client->onUpstreamTrailers(std::move(m_fields));
        m_fields.clear();
    }
    if (endStream)
        complete();
}

void Http2UpstreamSession::Stream::body(const char *data, size_t length)
{
    // The connection's window comes back at once (another stream may need it); the stream's only
    // when its exchange is not paused, so a slow client holds back this stream alone.
    nghttp2_session_consume_connection(m_session->m_session, length);
    if (m_readPaused || !m_client)
        m_unconsumed += qint64(length);
    else
        nghttp2_session_consume_stream(m_session->m_session, m_id, length);
    if (!m_client)
        return;
    if (!m_inBatch) {
        m_inBatch = true;
        m_session->m_batch.push_back(this);
    }
    m_client->onUpstreamBody(data, length);
}

void Http2UpstreamSession::Stream::complete()
{
    if (m_responseComplete)
        return;
    m_responseComplete = true;
    if (m_client)
        m_client->onUpstreamReadBatchDone();
    if (m_client)
        m_client->onUpstreamComplete();
}

void Http2UpstreamSession::Stream::closed(uint32_t errorCode)
{
    m_closed = true;
    if (m_id > 0)
        m_session->m_byId.erase(m_id);
    if (!m_responseComplete) {
        m_reset = true;
        QString reason = m_failure;
        if (reason.isEmpty()) {
            reason = errorCode == NGHTTP2_REFUSED_STREAM
                ? QStringLiteral("upstream refused the stream (not processed)")
                : QStringLiteral("upstream reset the stream (%1)")
                      .arg(QString::fromLatin1(nghttp2_http2_strerror(errorCode)));
        }
        failed(reason);
    }
    if (m_released)
        m_session->forget(this);
}

void Http2UpstreamSession::Stream::failed(const QString &reason)
{
    m_released = true; // the link retires itself: its exchange will not touch it again
    if (m_responseComplete)
        return; // the exchange has its answer; what happens to the connection now is not its news
    if (Client *c = std::exchange(m_client, nullptr))
        c->onUpstreamError(reason);
}

} // namespace portico::gateway
