#include "core/gateway/DownstreamConnection.h"

#include "core/gateway/Worker.h"

namespace portico::gateway {

DownstreamConnection::DownstreamConnection(Worker *worker, std::unique_ptr<http::Transport> transport,
                                           const QHostAddress &peer, bool tls, const QByteArray &localEnd)
    : m_worker(worker)
    , m_transport(std::move(transport))
    , m_parser(http::MessageParser::Mode::Request, this)
    , m_peer(peer)
    , m_peerLatin1(peer.toString().toLatin1())
    , m_localEnd(localEnd)
    , m_tls(tls)
{
    const config::Limits &limits = m_worker->config()->workspace().gateway.limits;
    m_parser.setLimits(limits.maxHeaderBytes, limits.maxBodyBytes);
    m_waitingSinceMs = steadyMs();
    m_headStartedMs = m_waitingSinceMs; // the first request's head is timed from the accept
    m_transport->onReadable = [this] { onReadable(); };
    m_transport->onDrained = [this] {
        if (m_stream)
            m_stream->onDownstreamDrained();
    };
    m_transport->onError = [this](const char *) {
        m_closed = true;
        if (m_stream)
            m_stream->onDownstreamClosed();
        closeConnection();
    };
}

DownstreamConnection::~DownstreamConnection()
{
    delete m_stream;
}

void DownstreamConnection::setReadPaused(bool paused)
{
    m_readPaused = paused;
    m_transport->setReadEnabled(!paused);
    if (!paused && !m_processing)
        QMetaObject::invokeMethod(this, [this] { processInput(); }, Qt::QueuedConnection);
}

void DownstreamConnection::onReadable()
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
                    m_stream->onDownstreamTunnelEof();
                m_transport->setReadEnabled(false);
                return;
            }
            if (m_stream && !m_stream->isDone()) {
                // The client went away (or half-closed) mid-exchange; nobody is left to answer.
                m_stream->onDownstreamClosed();
            }
            closeConnection();
            return;
        }
        if (m_tunnel) {
            if (m_stream)
                m_stream->onDownstreamTunnelData(buffer, size_t(n));
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
    processInput();
}

void DownstreamConnection::resetInput()
{
    // Keep a small buffer's capacity for the next request instead of a free + malloc per request;
    // give a big one (a large pipelined burst) back.
    if (m_input.capacity() <= 64 * 1024)
        m_input.resize(0);
    else
        m_input.clear();
    m_inputPos = 0;
}

void DownstreamConnection::processInput()
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

void DownstreamConnection::onRequestHead(http::RequestHead &&head)
{
    m_headStartedMs = 0;
    m_firstRequest = false;
    ProxyStream::RequestFraming framing;
    framing.chunked = m_parser.chunked();
    framing.contentLength = m_parser.contentLength();
    framing.keepAlive = m_parser.keepAlive() && !m_worker->state().draining();
    framing.expectContinue = m_parser.expectsContinue();
    framing.bodyless = !framing.chunked && framing.contentLength <= 0 && !m_parser.upgrade();
    m_stream = new ProxyStream(this, m_worker, std::move(head), framing);
    m_stream->start();
}

void DownstreamConnection::onBody(const char *data, size_t length)
{
    if (m_stream)
        m_stream->onRequestBody(data, length);
}

void DownstreamConnection::onMessageComplete()
{
    if (m_stream)
        m_stream->onRequestComplete();
}

void DownstreamConnection::rejectRequest(int status, const QString &detail)
{
    if (m_stream && !m_stream->isDone()) {
        m_stream->replyWithError(status, detail);
        return;
    }
    http::RequestHead head;
    head.method = "-";
    head.path = "-";
    ProxyStream::RequestFraming framing;
    framing.keepAlive = false;
    m_stream = new ProxyStream(this, m_worker, std::move(head), framing);
    m_stream->replyWithError(status, detail);
}

void DownstreamConnection::streamDone(ProxyStream *stream)
{
    if (stream != m_stream)
        return;
    const bool close = stream->closeAfter() || m_eof;
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

void DownstreamConnection::beginTunnel()
{
    m_tunnel = true;
    m_transport->setReadEnabled(true);
    if (m_inputPos < m_input.size() && m_stream) {
        const QByteArray rest = m_input.mid(m_inputPos);
        m_input.clear();
        m_inputPos = 0;
        m_stream->onDownstreamTunnelData(rest.constData(), size_t(rest.size()));
    }
}

void DownstreamConnection::abort()
{
    m_transport->close(false);
    closeConnection();
}

void DownstreamConnection::closeGracefully()
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

void DownstreamConnection::closeConnection()
{
    if (m_closing)
        return;
    m_closing = true;
    m_closed = true;
    if (m_lingering)
        m_worker->state().activeRequests.fetch_sub(1, std::memory_order_relaxed);
    if (m_stream && !m_stream->isDone())
        m_stream->onDownstreamClosed();
    m_worker->connectionClosed(this);
    deleteLater();
}

void DownstreamConnection::drain()
{
    if (!m_stream)
        closeGracefully();
}

void DownstreamConnection::checkTimeouts(qint64 nowMs)
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

} // namespace portico::gateway
