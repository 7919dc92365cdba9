#include "core/gateway/http2/Http2Stream.h"

#include "core/gateway/UpstreamRequest.h"
#include "core/gateway/Worker.h"
#include "core/gateway/http2/Http2Support.h"
#include "core/gateway/pipeline/PipelineSupport.h"

#include <QRandomGenerator>
#include <QVarLengthArray>

#include <charconv>

namespace portico::gateway {

using h2::connectionSpecific;

namespace {

// The common methods share static data: no allocation for them.
QByteArray methodName(QByteArrayView m)
{
    static const QByteArray kGet = QByteArrayLiteral("GET");
    static const QByteArray kPost = QByteArrayLiteral("POST");
    if (m == "GET")
        return kGet;
    if (m == "POST")
        return kPost;
    return m.toByteArray();
}

} // namespace

Http2Connection::Stream::Stream(Http2Connection *connection, int id)
    : m_connection(connection)
    , m_id(id)
    , m_limits(connection->m_worker->config()->workspace().gateway.limits)
{
}

Http2Connection::Stream::~Stream()
{
    delete m_handler;
    // An emptied body buffer of ordinary size goes back to the connection for the next stream.
    auto &spare = m_connection->m_spareBuffers;
    if (m_out.isEmpty() && m_out.isDetached() && m_out.capacity() > 0 && m_out.capacity() <= kSpareBufferBytes
        && spare.size() < kSpareBuffers)
        spare.push_back(std::move(m_out));
}

// Request side

void Http2Connection::Stream::addRequestField(QByteArrayView name, QByteArrayView value)
{
    m_headBytes += name.size() + value.size() + 4;
    if (m_headBytes > m_limits.maxHeaderBytes) {
        m_tooLarge = true;
        return;
    }
    if (name.startsWith(':')) {
        if (name == ":method")
            m_request.method = methodName(value);
        else if (name == ":path")
            m_request.target = value.toByteArray();
        else if (name == ":authority")
            m_authority = value.toByteArray();
        else if (name == ":protocol")
            m_connectProtocol = value.toByteArray();
        return; // :scheme: the listener says whether it is TLS
    }
    if (name == "cookie") {
        m_cookies.append(value.toByteArray());
        return;
    }
    if (name == "te" || connectionSpecific(name)) {
        m_badHead = m_badHead || name != "te" || value != "trailers"; // nghttp2 checks this too
        // "te: trailers" is kept for HTTP/2 upstreams, which need it for gRPC (an HTTP/1.1
        // upstream never gets TE: it is hop-by-hop there).
        if (!m_badHead)
            m_request.headers.add(QByteArrayLiteral("te"), QByteArrayLiteral("trailers"));
        return;
    }
    m_request.headers.add(name.toByteArray(), value.toByteArray());
}

void Http2Connection::Stream::addTrailerField(QByteArrayView name, QByteArrayView value)
{
    // Counted with the head: the same limit bounds both sections.
    m_headBytes += name.size() + value.size() + 4;
    if (m_headBytes > m_limits.maxHeaderBytes)
        m_tooLarge = true;
    else if (live() && m_connectProtocol.isEmpty())
        m_requestTrailers.add(name.toByteArray(), value.toByteArray());
}

void Http2Connection::Stream::requestHeadComplete(bool endStream)
{
    http::RequestHead &r = m_request;
    const qsizetype mark = r.target.indexOf('?');
    r.path = mark < 0 ? r.target : r.target.left(mark);
    r.query = mark < 0 ? QByteArray() : r.target.mid(mark + 1);
    r.httpMinor = 1;
    if (!m_authority.isEmpty() && !r.headers.contains("host"))
        r.headers.entries().prepend({ QByteArrayLiteral("host"), m_authority });
    if (!m_cookies.isEmpty())
        r.headers.add(QByteArrayLiteral("cookie"), m_cookies.join("; "));
    if (!m_connectProtocol.isEmpty()) {
        // Extended CONNECT (RFC 8441; nghttp2 has checked :scheme, :path and :authority). Only
        // WebSocket is known; it becomes the HTTP/1.1 handshake an upstream understands, with a
        // key of our own (the HTTP/2 client sends none and expects no Sec-WebSocket-Accept).
        if (r.method != "CONNECT" || m_connectProtocol.compare("websocket", Qt::CaseInsensitive) != 0) {
            refuse(501, QStringLiteral("extended CONNECT for '%1' is not supported (only websocket)")
                            .arg(QString::fromLatin1(m_connectProtocol)));
            return;
        }
        r.method = "GET";
        r.headers.remove("sec-websocket-key");
        r.headers.add(QByteArrayLiteral("upgrade"), QByteArrayLiteral("websocket"));
        r.headers.add(QByteArrayLiteral("connection"), QByteArrayLiteral("Upgrade"));
        QByteArray key(16, Qt::Uninitialized);
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(key.data()), 4);
        r.headers.add(QByteArrayLiteral("sec-websocket-key"), key.toBase64());
        if (!r.headers.contains("sec-websocket-version"))
            r.headers.add(QByteArrayLiteral("sec-websocket-version"), QByteArrayLiteral("13"));
        endStream = true; // no request body: the DATA that follows is the tunnel's
    }
    RequestFraming framing;
    framing.bodyless = endStream;
    bool lengthOk = true;
    const QByteArray length = r.headers.value("content-length");
    if (!length.isEmpty())
        framing.contentLength = length.toLongLong(&lengthOk);
    m_declaredLength = framing.contentLength;
    framing.chunked = !endStream && framing.contentLength < 0;
    framing.expectContinue = r.headers.value("expect").compare("100-continue", Qt::CaseInsensitive) == 0;
    m_expectContinue = framing.expectContinue;
    r.headers.remove("expect");
    m_requestComplete = endStream;
    const config::Limits &limits = m_limits;
    if (m_tooLarge) {
        refuse(431, QStringLiteral("the request header fields are larger than %1 bytes").arg(limits.maxHeaderBytes));
        return;
    }
    if (!lengthOk || framing.contentLength < -1 || m_badHead) {
        refuse(400, QStringLiteral("malformed request header fields"));
        return;
    }
    if (framing.contentLength > limits.maxBodyBytes) {
        refuse(413, QStringLiteral("the request body is larger than %1 bytes").arg(limits.maxBodyBytes));
        return;
    }
    m_handler = createExchange(m_connection->m_worker, *this, std::move(m_request), framing);
    m_handler->start();
}

void Http2Connection::Stream::refuse(int status, const QString &detail)
{
    http::RequestHead head = std::move(m_request);
    if (head.method.isEmpty())
        head.method = "-";
    if (head.path.isEmpty())
        head.path = "-";
    RequestFraming framing;
    framing.bodyless = true;
    m_handler = createExchange(m_connection->m_worker, *this, std::move(head), framing);
    m_handler->failRequest(status, detail);
}

void Http2Connection::Stream::requestBody(const char *data, size_t length)
{
    if (!m_connectProtocol.isEmpty()) {
        // Tunnel bytes: to the exchange once the upstream accepted, held (unacknowledged, so the
        // client's window bounds them) until then.
        if (m_tunnel && live()) {
            if (m_readPaused)
                m_unconsumed += qint64(length);
            else
                nghttp2_session_consume(m_connection->m_session, m_id, length);
            m_handler->onTunnelData(data, length);
        } else {
            m_early.append(data, qsizetype(length));
        }
        return;
    }
    m_bodyBytes += qint64(length);
    if (m_readPaused && live())
        m_unconsumed += qint64(length);
    else
        nghttp2_session_consume(m_connection->m_session, m_id, length);
    if (!live()) {
        // Answered already: the rest of a small body is read and dropped (see afterSend).
        m_discarded += qint64(length);
        if (m_answered)
            m_connection->watch(this);
        return;
    }
    const qint64 cap = m_limits.maxBodyBytes;
    if (m_bodyBytes > cap) {
        m_handler->failRequest(413, QStringLiteral("the request body is larger than %1 bytes").arg(cap));
        return;
    }
    m_handler->onRequestBody(data, length);
}

void Http2Connection::Stream::requestComplete()
{
    if (!m_connectProtocol.isEmpty()) {
        // The client's END_STREAM closes its half of the tunnel.
        if (m_tunnel && live())
            m_handler->onTunnelEof();
        else
            m_clientEnded = true;
        return;
    }
    if (m_requestComplete)
        return;
    m_requestComplete = true;
    releaseEnd();
    if (live() && m_tooLarge) {
        m_handler->failRequest(431, QStringLiteral("the request header and trailer fields are larger than %1 bytes")
                                        .arg(m_limits.maxHeaderBytes));
        return;
    }
    if (live() && !m_requestTrailers.isEmpty())
        m_handler->onRequestTrailers(std::move(m_requestTrailers));
    if (live())
        m_handler->onRequestComplete();
}

void Http2Connection::Stream::setReadPaused(bool paused)
{
    m_readPaused = paused;
    if (!paused && m_unconsumed > 0 && !m_closed) {
        nghttp2_session_consume(m_connection->m_session, m_id, size_t(m_unconsumed));
        m_unconsumed = 0;
        m_connection->requestSend(); // the WINDOW_UPDATE
    }
}

void Http2Connection::Stream::closed(uint32_t errorCode)
{
    m_closed = true;
    if (live() && !(m_answered && errorCode == NGHTTP2_NO_ERROR))
        m_handler->onReset();
}

void Http2Connection::Stream::checkTimeouts(qint64 nowMs)
{
    if (holding() && nowMs >= m_holdUntilMs)
        releaseEnd(); // the client stopped short of the length it announced
    if (live()) {
        m_handler->checkTimeouts(nowMs);
    } else if (owesBody() && nowMs - m_progressMs > m_limits.idleTimeout.count()) {
        // The exchange has ended but the client has not opened its window for the rest of the
        // body within the idle timeout: the stream is reset, not kept for ever.
        abort();
    }
}

// Response side

void Http2Connection::Stream::sendInformational(int status, const http::HttpHeaders &headers)
{
    if (m_submitted || m_closed)
        return;
    const QByteArray code = QByteArray::number(status);
    std::vector<nghttp2_nv> nva { h2::nv(QByteArrayLiteral(":status"), code) };
    std::vector<QByteArray> names;
    names.reserve(size_t(headers.size()));
    for (const auto &[name, value] : headers.entries()) {
        names.push_back(name.toLower());
        if (!connectionSpecific(names.back()))
            nva.push_back(h2::nv(names.back(), value));
    }
    nghttp2_submit_headers(m_connection->m_session, NGHTTP2_FLAG_NONE, m_id, nullptr, nva.data(), nva.size(), nullptr);
    if (status == 100)
        m_connection->requestSend(); // the client waits for it before it sends the body
}

void Http2Connection::Stream::beginHead(int status, QByteArrayView reason, qsizetype sizeHint)
{
    Q_UNUSED(reason); // HTTP/2 has no reason phrase
    Q_UNUSED(sizeHint); // the hint counts an HTTP/1.1 body too; the connection's buffer has grown to fit
    m_status = status;
    m_connection->m_head.clear();
}

void Http2Connection::Stream::addField(QByteArrayView name, QByteArrayView value)
{
    Head &head = m_connection->m_head;
    const qsizetype at = head.buffer.size();
    head.buffer.resize(at + name.size() + value.size());
    char *lower = head.buffer.data() + at;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char c = name[i];
        lower[i] = c >= 'A' && c <= 'Z' ? char(c + ('a' - 'A')) : c;
    }
    if (connectionSpecific(QByteArrayView(lower, name.size()))) {
        head.buffer.resize(at);
        return;
    }
    if (!value.isEmpty())
        memcpy(lower + name.size(), value.data(), size_t(value.size()));
    head.fields.push_back({ at, name.size(), at + name.size(), value.size() });
}

void Http2Connection::Stream::endHead(const HeadOptions &options, HeadObserver *observer)
{
    // An empty body is no DATA at all: END_STREAM on the HEADERS (gRPC's trailers-only answers
    // must come that way).
    const bool empty = !options.noBody && options.bodyLength == 0 && !options.upgrade;
    if (!options.noBody && options.bodyLength > 0) {
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof(digits), options.bodyLength).ptr;
        const QByteArrayView length(digits, end - digits);
        addField("content-length", length);
        if (observer)
            observer->field("content-length", length);
    }
    if (m_closed || m_submitted)
        return;
    if (options.upgrade) {
        if (m_connectProtocol.isEmpty()) {
            abort(); // an upgrade nobody asked for (an HTTP/2 client cannot send Upgrade)
            return;
        }
        // The upstream's 101 is the HTTP/2 client's 200 (RFC 8441 5); its handshake fields
        // were for us, the stream stays open for the tunnel.
        m_status = 200;
        submitHead(m_connection->m_head, false, true);
        return;
    }
    const bool noBody = options.noBody || empty;
    m_eof = noBody;
    if (noBody && holdEnd()) {
        // END_STREAM rides on these HEADERS: they wait for the client's body, in a copy of their own.
        m_heldHead = std::make_unique<Head>(m_connection->m_head);
        startHold();
        return;
    }
    submitHead(m_connection->m_head, noBody, false);
}

void Http2Connection::Stream::submitHead(Head &head, bool noBody, bool upgrade)
{
    char code[3]
        = { char('0' + m_status / 100 % 10), char('0' + m_status / 10 % 10), char('0' + m_status % 10) };
    QVarLengthArray<nghttp2_nv, 24> nva;
    nva.push_back({ reinterpret_cast<uint8_t *>(const_cast<char *>(":status")),
        reinterpret_cast<uint8_t *>(code), 7, sizeof(code), NGHTTP2_NV_FLAG_NONE });
    m_responseBytes += 9 + 10 + qint64(sizeof(code)); // frame header, ":status: "
    auto *base = reinterpret_cast<uint8_t *>(head.buffer.data());
    for (const Head::Field &f : head.fields) {
        const QByteArrayView name(head.buffer.constData() + f.name, f.nameLength);
        if (upgrade && name == "sec-websocket-accept")
            continue;
        // A value unique to this answer would only churn the HPACK table (and evict what repeats):
        // sent as a literal, never indexed.
        const uint8_t flags = name == "x-request-id" ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE;
        nva.push_back({ base + f.name, base + f.value, size_t(f.nameLength), size_t(f.valueLength), flags });
        m_responseBytes += f.nameLength + f.valueLength + 4;
    }
    nghttp2_data_provider provider;
    provider.source.ptr = this;
    provider.read_callback = &Stream::readBody;
    const int rc = nghttp2_submit_response(
        m_connection->m_session, m_id, nva.data(), nva.size(), noBody ? nullptr : &provider);
    m_submitted = rc == 0;
    if (noBody) {
        m_answered = m_submitted;
        m_connection->watch(this);
    }
}

bool Http2Connection::Stream::holdEnd() const
{
    // An answer that ends (END_STREAM) while the client is still uploading is lost on clients
    // that only look for the end once their upload is done: Debian 12's curl 7.88 then waits
    // until its own timeout. So when what is left of the request body is small and announced
    // (content-length, no 100-continue to wait for), the answer's END_STREAM waits for the
    // client's, bounded by kHoldMs. An unannounced body (gRPC streams) is never waited for: a
    // streaming client may be waiting for the answer before it ends.
    return !m_holdReleased && m_connectProtocol.isEmpty() && !m_requestComplete && !m_closed
        && !m_expectContinue && m_declaredLength >= 0 && m_declaredLength - m_bodyBytes <= kDiscardBytes;
}

void Http2Connection::Stream::startHold()
{
    if (m_holdUntilMs < 0)
        m_holdUntilMs = steadyMs() + kHoldMs;
}

void Http2Connection::Stream::releaseEnd()
{
    if (m_holdReleased || m_holdUntilMs < 0)
        return;
    m_holdReleased = true;
    if (m_closed)
        return;
    if (m_heldHead) {
        const std::unique_ptr<Head> head = std::move(m_heldHead);
        submitHead(*head, true, false);
    } else {
        resumeBody();
    }
    m_connection->requestSend();
}

void Http2Connection::Stream::sendData(const char *data, size_t length)
{
    if (length == 0 || m_eof || m_closed)
        return;
    if (m_out.capacity() == 0 && !m_connection->m_spareBuffers.empty()) {
        m_out = std::move(m_connection->m_spareBuffers.back());
        m_connection->m_spareBuffers.pop_back();
    }
    m_out.append(data, qsizetype(length)); // h2::takeQueued empties the queue once all is taken
    m_responseBytes += qint64(length);
    resumeBody();
}

void Http2Connection::Stream::sendTrailers(const http::HttpHeaders &trailers)
{
    if (m_eof || m_closed)
        return;
    for (const auto &[name, value] : trailers.entries()) {
        if (forwardableTrailer(name, value))
            m_trailers.emplace_back(name.toLower(), value);
    }
}

void Http2Connection::Stream::endResponse()
{
    if (m_eof)
        return;
    m_eof = true;
    resumeBody();
}

void Http2Connection::Stream::resumeBody()
{
    if (m_deferred && m_submitted && !m_closed) {
        m_deferred = false;
        nghttp2_session_resume_data(m_connection->m_session, m_id);
    }
}

ssize_t Http2Connection::Stream::readBody(nghttp2_session *, int32_t, uint8_t *buf, size_t length,
                                          uint32_t *flags, nghttp2_data_source *source, void *)
{
    auto *self = static_cast<Stream *>(source->ptr);
    const size_t n = h2::takeQueued(self->m_out, self->m_outPos, buf, length);
    if (n > 0) {
        self->m_responseBytes += 9; // a DATA frame header per read
        if (self->m_finished)
            self->m_progressMs = steadyMs();
    }
    if (self->m_out.isEmpty()) {
        if (self->m_eof && n == 0 && self->holdEnd()) {
            self->startHold(); // releaseEnd() resumes the provider for the EOF
            self->m_deferred = true;
            return NGHTTP2_ERR_DEFERRED;
        }
        if (self->m_eof && !self->holdEnd()) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            self->m_answered = true;
            self->m_connection->watch(self);
            h2::endWithTrailers(self->m_connection->m_session, self->m_id, self->m_trailers, flags);
            return ssize_t(n);
        }
        if (n == 0) {
            self->m_deferred = true;
            return NGHTTP2_ERR_DEFERRED;
        }
    }
    return ssize_t(n);
}

void Http2Connection::Stream::flush()
{
    m_connection->requestSend();
}

qint64 Http2Connection::Stream::pending() const
{
    const qint64 queued = qint64(m_out.size() - m_outPos) + m_connection->m_transport->pending();
    if (queued > detail::kHighWater) {
        m_wasBehind = true;
        m_connection->watch(const_cast<Stream *>(this));
    }
    return queued;
}

void Http2Connection::Stream::afterSend()
{
    if (m_wasBehind && live()) {
        if (pending() <= detail::kHighWater / 2) {
            m_wasBehind = false;
            m_handler->onDrained();
        } else {
            m_connection->watch(this); // still behind: look again after the next write
        }
    }
    // Answered in full while the client still sends (a 413 before the body, a refused
    // WebSocket): RST_STREAM NO_ERROR tells it to stop (RFC 9113 8.1) and frees the stream slot.
    const bool clientDone = m_connectProtocol.isEmpty() ? m_requestComplete : m_clientEnded;
    if (m_answered && !clientDone && !m_closed && !m_resetSent && !worthReadingOn()) {
        m_resetSent = true;
        nghttp2_submit_rst_stream(m_connection->m_session, NGHTTP2_FLAG_NONE, m_id, NGHTTP2_NO_ERROR);
        m_connection->m_sendWanted = true; // sendPending goes round again
    }
}

bool Http2Connection::Stream::worthReadingOn() const
{
    // Many clients (curl among them) report a reset as an error even with NO_ERROR while they
    // are still uploading, so the end of a small body is read instead, as nginx does; a large or
    // endless one (a tunnel, a body over the limit) is cut.
    if (!m_connectProtocol.isEmpty() || m_bodyBytes > m_limits.maxBodyBytes || m_discarded > kDiscardBytes)
        return false;
    return m_declaredLength < 0 || m_declaredLength - m_bodyBytes <= kDiscardBytes;
}

void Http2Connection::Stream::abort()
{
    m_aborted = true;
    if (!m_closed)
        nghttp2_submit_rst_stream(m_connection->m_session, NGHTTP2_FLAG_NONE, m_id, NGHTTP2_INTERNAL_ERROR);
    m_connection->requestSend();
}

void Http2Connection::Stream::beginTunnel()
{
    if (m_connectProtocol.isEmpty() || !live()) {
        abort(); // an upgrade cannot happen on an ordinary HTTP/2 stream
        return;
    }
    m_tunnel = true;
    if (!m_early.isEmpty()) {
        const QByteArray early = std::exchange(m_early, QByteArray());
        nghttp2_session_consume(m_connection->m_session, m_id, size_t(early.size()));
        m_handler->onTunnelData(early.constData(), size_t(early.size()));
    }
    if (m_clientEnded && live())
        m_handler->onTunnelEof();
}

void Http2Connection::Stream::sendTunnelData(const char *data, size_t length)
{
    sendData(data, length);
    m_connection->requestSend();
}

void Http2Connection::Stream::endTunnel()
{
    endResponse();
    m_connection->requestSend();
}

void Http2Connection::Stream::streamDone()
{
    // An exchange that ended has said all: without END_STREAM the client would wait and the
    // stream would hold one of the connection's slots.
    if (m_submitted && !m_eof && !m_aborted)
        endResponse();
    m_finished = true;
    m_progressMs = steadyMs();
    m_connection->requestSend();
    m_connection->streamFinished(this);
}

} // namespace portico::gateway
