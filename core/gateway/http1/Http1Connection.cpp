#include "core/gateway/http1/Http1Connection.h"

#include "core/gateway/UpstreamRequest.h"
#include "core/gateway/Worker.h"
#include "core/gateway/http2/Http2Connection.h"
#include "core/http/HttpSyntax.h"
#include "core/http/RawTransport.h"
#include "core/http/TlsTransport.h"

#include <unistd.h>

namespace portico::gateway {

Http1Connection::Http1Connection(Worker *worker, std::unique_ptr<http::Transport> transport,
    const QHostAddress &peer, bool tls, const QByteArray &localEnd)
    : Http1Connection(worker, std::move(transport), [&] {
        DownstreamInfo info;
        info.peer = peer;
        info.peerText = peer.toString().toLatin1();
        info.listener = localEnd;
        info.tls = tls;
        return info;
    }())
{
}

Http1Connection::Http1Connection(Worker *worker, std::unique_ptr<http::Transport> transport,
    const DownstreamInfo &info, const QByteArray &preread)
    : m_worker(worker)
    , m_transport(std::move(transport))
    , m_parser(http::MessageParser::Mode::Request, this)
    , m_info(info)
{
    const config::Limits &limits = m_worker->config()->workspace().gateway.limits;
    m_parser.setLimits(limits.maxHeaderBytes, limits.maxBodyBytes);
    m_waitingSinceMs = steadyMs();
    m_headStartedMs = m_waitingSinceMs; // the first request's head is timed from the accept
    m_transport->onReadable = [this] { onReadable(); };
    m_transport->onDrained = [this] {
        if (m_stream)
            m_stream->onDrained();
    };
    m_transport->onError = [this](const char *reason) {
        if (m_firstRequest && m_info.forward == DownstreamInfo::Forward::Tunnel && m_transport->isEncrypted())
            m_worker->interceptFailed(m_info, QString::fromUtf8(reason)); // e.g. a client that pins
        m_closed = true;
        if (m_stream)
            m_stream->onReset();
        closeConnection();
    };
    if (!preread.isEmpty()) {
        m_input = preread;
        QMetaObject::invokeMethod(
            this, [this] { processInput(); }, Qt::QueuedConnection);
    }
}

Http1Connection::~Http1Connection()
{
    delete m_stream;
}

// The response side of the current stream, in HTTP/1.1 framing.

void Http1Connection::sendInformational(int status, const http::HttpHeaders &headers)
{
    QByteArray h = "HTTP/1.1 " + QByteArray::number(status) + ' ' + http::reasonPhrase(status) + "\r\n";
    for (const auto &[name, value] : headers.entries())
        h += name + ": " + value + "\r\n";
    h += "\r\n";
    if (status == 100) {
        m_transport->send(h); // the client is waiting for it before it sends the body
        return;
    }
    m_responseBytes += h.size();
    m_out += h;
}

void Http1Connection::beginHead(int status, QByteArrayView reason, qsizetype sizeHint)
{
    if (m_out.isEmpty())
        m_out.reserve(sizeHint); // room for a small body too: head and body leave in one write
    m_headStart = m_out.size();
    m_out += "HTTP/1.1 ";
    m_out += QByteArray::number(status);
    m_out += ' ';
    m_out += reason.isEmpty() ? http::reasonPhrase(status) : reason;
    m_out += "\r\n";
}

void Http1Connection::addField(QByteArrayView name, QByteArrayView value)
{
    // Appended piece by piece: `name + ": " + ...` would allocate a temporary per part.
    m_out.append(name);
    m_out += ": ";
    m_out.append(value);
    m_out += "\r\n";
}

void Http1Connection::endHead(const HeadOptions &options, HeadObserver *observer)
{
    const auto add = [&](QByteArrayView name, QByteArrayView value) {
        addField(name, value);
        if (observer)
            observer->field(name, value);
    };
    if (!options.noBody) {
        if (options.bodyLength >= 0) {
            add("Content-Length", QByteArray::number(options.bodyLength));
        } else if (m_httpMinor >= 1) {
            add("Transfer-Encoding", "chunked");
            m_chunkedOut = true;
        } else {
            m_closeAfter = true; // HTTP/1.0 client, unknown length: the close ends the body
        }
    }
    if (!m_keepAlive || m_worker->state().draining() || (!m_requestComplete && !options.upgrade))
        m_closeAfter = true;
    if (!options.upgrade) {
        if (m_closeAfter)
            add("Connection", "close");
        else if (m_httpMinor == 0)
            add("Connection", "keep-alive");
    }
    m_out += "\r\n";
    // Response bytes count what the client receives: head, framing and body (as request bytes do).
    m_responseBytes += m_out.size() - m_headStart;
}

void Http1Connection::sendData(const char *data, size_t length)
{
    if (length == 0)
        return;
    const qsizetype before = m_out.size();
    if (m_chunkedOut) {
        m_out += QByteArray::number(qulonglong(length), 16);
        m_out += "\r\n";
        m_out.append(data, qsizetype(length));
        m_out += "\r\n";
    } else {
        m_out.append(data, qsizetype(length));
    }
    m_responseBytes += m_out.size() - before;
}

void Http1Connection::sendTrailers(const http::HttpHeaders &trailers)
{
    if (!m_chunkedOut)
        return;
    const qsizetype before = m_out.size();
    m_out += "0\r\n";
    for (const auto &[name, value] : trailers.entries()) {
        if (!forwardableTrailer(name, value))
            continue;
        m_out += name;
        m_out += ": ";
        m_out += value;
        m_out += "\r\n";
    }
    m_out += "\r\n";
    m_chunkedOut = false;
    m_responseBytes += m_out.size() - before;
}

void Http1Connection::endResponse()
{
    if (m_chunkedOut) {
        m_out += "0\r\n\r\n";
        m_responseBytes += 5;
        m_chunkedOut = false;
    }
}

void Http1Connection::flush()
{
    if (m_out.isEmpty() || !m_transport)
        return;
    m_transport->send(m_out);
    m_out.resize(0); // keeps the capacity unless the transport had to queue (share) it
}

void Http1Connection::sendTunnelData(const char *data, size_t length)
{
    m_transport->send(QByteArray(data, qsizetype(length)));
    m_responseBytes += qint64(length);
}

void Http1Connection::endTunnel()
{
    m_closeAfter = true;
    closeGracefully();
}

void Http1Connection::setReadPaused(bool paused)
{
    m_readPaused = paused;
    m_transport->setReadEnabled(!paused);
    if (!paused && !m_processing)
        QMetaObject::invokeMethod(this, [this] { processInput(); }, Qt::QueuedConnection);
}

void Http1Connection::onReadable()
{
    if (m_closed)
        return;
    char buffer[64 * 1024];
    for (int rounds = 0; rounds < 16; ++rounds) {
        const qint64 n = m_transport->read(buffer, sizeof(buffer));
        if (n == 0)
            break;
        if (n < 0) {
            m_eof = true;
            if (m_tunnel) {
                if (m_stream)
                    m_stream->onTunnelEof();
                m_transport->setReadEnabled(false);
                return;
            }
            if (m_stream && !m_stream->isDone()) {
                // The client went away (or half-closed) mid-exchange; nobody is left to answer.
                m_stream->onReset();
            }
            closeConnection();
            return;
        }
        if (m_tunnel) {
            if (m_stream)
                m_stream->onTunnelData(buffer, size_t(n));
            continue;
        }
        if (m_inputPos > 0 && m_inputPos == m_input.size())
            resetInput();
        if (m_input.isEmpty() && m_headStartedMs == 0)
            m_headStartedMs = steadyMs();
        m_input.append(buffer, n);
        if (n < qint64(sizeof(buffer)))
            break;
    }
    if (m_firstRequest && !m_tunnel && m_inputPos == 0) {
        const Http2Check h2 = switchToHttp2();
        if (h2 != Http2Check::No)
            return; // handed over, or the rest of a possible preface is still to come
    }
    processInput();
}

void Http1Connection::resetInput()
{
    // Keep a small buffer's capacity for the next request instead of a free + malloc per request;
    // give a big one (a large pipelined burst) back.
    if (m_input.capacity() <= 64 * 1024)
        m_input.resize(0);
    else
        m_input.clear();
    m_inputPos = 0;
}

void Http1Connection::processInput()
{
    if (m_processing || m_closed || m_tunnel || m_lingering)
        return;
    m_processing = true;
    while (!m_closed && m_inputPos < m_input.size()) {
        if (m_parser.paused()) {
            if (m_stream)
                break; // a response is still being produced: the next request waits
            m_parser.resume();
            m_headStartedMs = steadyMs();
        }
        const qint64 used = m_parser.feed(m_input.constData() + m_inputPos, m_input.size() - m_inputPos);
        m_inputPos += used;
        if (m_parser.failed()) {
            rejectRequest(m_parser.errorStatus(), m_parser.errorDetail());
            break;
        }
        if (m_parser.upgrade() && m_stream) {
            // Bytes after an upgrade request belong to the tunnel (once the upstream agrees).
            break;
        }
        if (used == 0)
            break;
    }
    if (m_inputPos == m_input.size() && !m_tunnel)
        resetInput();
    if (m_input.size() > 4 * 1024 * 1024 && !m_readPaused)
        m_transport->setReadEnabled(false); // a pipelining client far ahead of us: stop reading
    m_processing = false;
}

void Http1Connection::onRequestHead(http::RequestHead &&head)
{
    m_headStartedMs = 0;
    m_firstRequest = false;
    RequestFraming framing;
    framing.chunked = m_parser.chunked();
    framing.contentLength = m_parser.contentLength();
    framing.expectContinue = m_parser.expectsContinue();
    framing.bodyless = !framing.chunked && framing.contentLength <= 0 && !m_parser.upgrade();
    m_keepAlive = m_parser.keepAlive() && !m_worker->state().draining();
    beginStream(std::move(head), framing);
    m_stream->start();
}

void Http1Connection::beginStream(http::RequestHead &&head, RequestFraming framing)
{
    m_httpMinor = head.httpMinor;
    m_requestComplete = framing.bodyless;
    m_responseBytes = 0;
    m_chunkedOut = false;
    m_closeAfter = false;
    m_stream = createExchange(m_worker, *this, std::move(head), framing);
}

void Http1Connection::onBody(const char *data, size_t length)
{
    if (m_stream)
        m_stream->onRequestBody(data, length);
}

void Http1Connection::onTrailers(http::HttpHeaders &&trailers)
{
    if (m_stream)
        m_stream->onRequestTrailers(std::move(trailers));
}

void Http1Connection::onMessageComplete()
{
    m_requestComplete = true;
    if (m_stream)
        m_stream->onRequestComplete();
}

void Http1Connection::rejectRequest(int status, const QString &detail)
{
    if (m_stream && !m_stream->isDone()) {
        m_stream->failRequest(status, detail);
        return;
    }
    http::RequestHead head;
    head.method = "-";
    head.path = "-";
    m_keepAlive = false;
    beginStream(std::move(head), RequestFraming {});
    m_stream->failRequest(status, detail);
}

void Http1Connection::streamDone()
{
    StreamHandler *stream = m_stream;
    if (!stream)
        return;
    flush();
    const bool close = m_closeAfter || m_eof;
    m_stream = nullptr;
    m_retired.reset(stream);
    if (m_closed)
        return;
    if (close) {
        closeGracefully();
        return;
    }
    m_waitingSinceMs = steadyMs();
    m_headStartedMs = 0;
    // The next request on this connection obeys the limits of the config now running.
    const config::Limits &limits = m_worker->config()->workspace().gateway.limits;
    m_parser.setLimits(limits.maxHeaderBytes, limits.maxBodyBytes);
    if (m_readPaused) {
        m_readPaused = false;
        m_transport->setReadEnabled(true);
    }
    if (m_inputPos < m_input.size())
        QMetaObject::invokeMethod(this, [this] { processInput(); }, Qt::QueuedConnection);
    else
        m_transport->setReadEnabled(true);
}

void Http1Connection::beginTunnel()
{
    flush(); // the 101 leaves before any tunnelled byte
    m_tunnel = true;
    m_transport->setReadEnabled(true);
    if (m_inputPos < m_input.size() && m_stream) {
        const QByteArray rest = m_input.mid(m_inputPos);
        m_input.clear();
        m_inputPos = 0;
        m_stream->onTunnelData(rest.constData(), size_t(rest.size()));
    }
}

void Http1Connection::abort()
{
    m_transport->close(false);
    closeConnection();
}

void Http1Connection::closeGracefully()
{
    if (m_closed)
        return;
    if (m_transport->pending() > 0) {
        // Deleting the transport (closeConnection) now would drop the unsent end of the response,
        // e.g. a large download to a `Connection: close` or HTTP/1.0 client. Linger until it is
        // written; checkTimeouts bounds the wait by the idle timeout.
        if (!m_lingering) {
            m_lingering = true;
            // Counted as active so that drain waits for these bytes too (closeConnection uncounts).
            m_worker->state().activeRequests.fetch_add(1, std::memory_order_relaxed);
            m_waitingSinceMs = steadyMs();
            m_transport->setReadEnabled(false);
            m_transport->onDrained = [this] { closeGracefully(); };
        }
        return;
    }
    m_transport->close(true);
    closeConnection();
}

void Http1Connection::closeConnection()
{
    if (m_closing)
        return;
    m_closing = true;
    m_closed = true;
    if (m_lingering)
        m_worker->state().activeRequests.fetch_sub(1, std::memory_order_relaxed);
    if (m_stream && !m_stream->isDone())
        m_stream->onReset();
    m_worker->connectionClosed(this);
    deleteLater();
}

void Http1Connection::drain()
{
    if (!m_stream)
        closeGracefully();
}

void Http1Connection::checkTimeouts(qint64 nowMs)
{
    if (m_closed)
        return;
    if (m_lingering) {
        if (nowMs - m_waitingSinceMs > m_worker->config()->workspace().gateway.limits.idleTimeout.count())
            abort(); // the client stopped reading the rest of its response
        return;
    }
    if (m_stream) {
        m_stream->checkTimeouts(nowMs);
        return;
    }
    const config::Limits &limits = m_worker->config()->workspace().gateway.limits;
    if (m_headStartedMs && nowMs - m_headStartedMs > limits.headerTimeout.count()) {
        // processInput() empties m_input once the parser has taken the bytes, so a started head
        // shows in the parser, not in the buffer.
        if (m_firstRequest && m_inputPos == m_input.size() && !m_parser.inMessage()) {
            closeGracefully(); // connected and never said anything
            return;
        }
        rejectRequest(408, QStringLiteral("the request head did not arrive within %1 ms").arg(limits.headerTimeout.count()));
        return;
    }
    if (!m_headStartedMs && m_input.size() == m_inputPos && nowMs - m_waitingSinceMs > limits.idleTimeout.count())
        closeGracefully();
}

// HTTP/2 on the same listener: ALPN chose "h2", or a cleartext client opened with the HTTP/2
// connection preface (prior knowledge, RFC 9113 3.3). The connection continues in the HTTP/2
// codec with what was read so far.
Http1Connection::Http2Check Http1Connection::switchToHttp2()
{
    // The proxy listener speaks HTTP/1.1 (what HTTP_PROXY clients send); inside a tunnel ALPN decides.
    if (!m_worker->config()->workspace().gateway.http2 || m_info.forward == DownstreamInfo::Forward::Listener)
        return Http2Check::No;
    if (m_transport->negotiatedProtocol() != "h2") {
        const QByteArrayView in(m_input);
        const QByteArrayView preface = Http2Connection::kPreface;
        if (in.size() < preface.size())
            return !in.isEmpty() && preface.startsWith(in) ? Http2Check::Wait : Http2Check::No;
        if (!in.startsWith(preface))
            return Http2Check::No;
    }
    m_closed = true;
    m_closing = true;
    m_worker->adoptHttp2(this, std::move(m_transport), m_info, m_input);
    deleteLater();
    return Http2Check::Switched;
}

} // namespace portico::gateway

namespace portico::gateway {

int Http1Connection::rawDescriptor() const
{
    const auto *raw = dynamic_cast<const http::RawTransport *>(m_transport.get());
    return raw ? raw->descriptor() : -1;
}

// After a CONNECT: the tunnel's bytes are a connection of their own (decrypted with the host's
// leaf, or plain HTTP), served by a new codec object; this one bows out as after an HTTP/2 switch.
bool Http1Connection::continueInTunnel(
    std::shared_ptr<const http::TlsContext> tls, const DownstreamInfo &inner)
{
    flush();
    auto *raw = dynamic_cast<http::RawTransport *>(m_transport.get());
    if (!raw || raw->pending() > 0 || m_closed)
        return false;
    QByteArray preread = m_input.mid(m_inputPos);
    std::unique_ptr<http::Transport> next;
    if (tls) {
        if (!preread.isEmpty())
            return false; // the client's hello was read already: too late to take the TLS over
        const int fd = raw->takeDescriptor();
        next.reset(http::TlsTransport::serverSide(fd, std::move(tls)));
        if (!next) {
            ::close(fd);
            return false;
        }
    } else {
        next = std::move(m_transport);
    }
    m_closed = true;
    m_closing = true;
    m_worker->adoptTunnelConnection(this, std::move(next), inner, preread);
    deleteLater();
    return true;
}

} // namespace portico::gateway
