#include "core/gateway/UpstreamConnection.h"

#include "core/gateway/UpstreamRequest.h"
#include "core/gateway/Worker.h"

namespace portico::gateway {

namespace {

void appendChunk(QByteArray &out, const char *data, size_t length)
{
    out += QByteArray::number(qulonglong(length), 16);
    out += "\r\n";
    out.append(data, qsizetype(length));
    out += "\r\n";
}

} // namespace

UpstreamConnection::UpstreamConnection(std::unique_ptr<http::Transport> transport, TargetState *target,
                                       bool connecting, Worker *pool)
    : m_transport(std::move(transport))
    , m_pool(pool)
    , m_parser(http::MessageParser::Mode::Response, this)
    , m_target(target)
    , m_state(connecting ? State::Connecting : State::Busy)
{
    m_parser.setLimits(256 * 1024, -1);
    m_transport->onConnected = [this] {
        if (m_state == State::Connecting) {
            m_state = State::Busy;
            if (m_client)
                m_client->onUpstreamConnected();
        }
    };
    m_transport->onReadable = [this] { onReadable(); };
    m_transport->onDrained = [this] {
        if (m_client && (m_state == State::Busy || m_state == State::Tunnel))
            m_client->onUpstreamDrained();
    };
    m_transport->onError = [this](const char *reason) {
        const State was = m_state;
        m_state = State::Closed;
        if (m_client && (was == State::Busy || was == State::Connecting || was == State::Tunnel))
            m_client->onUpstreamError(QString::fromLatin1(reason));
        retire();
    };
}

UpstreamConnection::~UpstreamConnection() = default;

void UpstreamConnection::beginExchange(Client *client, bool noBody)
{
    m_client = client;
    m_state = m_state == State::Connecting ? State::Connecting : State::Busy;
    m_complete = false;
    m_parser.setExpectNoBody(noBody);
    m_parser.resume();
    ++m_uses;
    setReadEnabled(true);
}

void UpstreamConnection::setIdle()
{
    m_client = nullptr;
    m_state = State::Idle;
    m_idleSinceMs = steadyMs();
}

void UpstreamConnection::sendRequest(const http::RequestHead &request, const TargetState &target,
                                     const ForwardInfo &forward, const std::vector<QByteArray> &resend,
                                     const std::vector<QByteArray> &fresh, bool complete)
{
    m_chunked = forward.chunked;
    const QByteArray head = buildUpstreamRequestHead(request, target, forward);
    QByteArray body;
    for (const auto *pieces : { &resend, &fresh }) {
        for (const QByteArray &piece : *pieces) {
            if (m_chunked)
                appendChunk(body, piece.constData(), size_t(piece.size()));
            else
                body += piece;
        }
    }
    if (complete && m_chunked)
        body += "0\r\n\r\n";
    m_transport->send(head, body); // one write for both
}

void UpstreamConnection::sendBody(const char *data, size_t length)
{
    if (!m_chunked) {
        m_transport->send(QByteArray(data, qsizetype(length)));
        return;
    }
    QByteArray chunk;
    chunk.reserve(qsizetype(length) + 12);
    appendChunk(chunk, data, length);
    m_transport->send(chunk);
}

void UpstreamConnection::endRequest(const http::HttpHeaders &trailers)
{
    if (!m_chunked)
        return; // a body of declared length has no place for trailers
    if (trailers.isEmpty()) {
        m_transport->send(QByteArrayLiteral("0\r\n\r\n"));
        return;
    }
    QByteArray last = QByteArrayLiteral("0\r\n");
    for (const auto &[name, value] : trailers.entries()) {
        if (!forwardableTrailer(name, value))
            continue;
        last += name;
        last += ": ";
        last += value;
        last += "\r\n";
    }
    last += "\r\n";
    m_transport->send(last);
}

void UpstreamConnection::release(bool reusable)
{
    m_client = nullptr;
    if (reusable && this->reusable())
        m_pool->release(this);
    else
        closeNow();
}

void UpstreamConnection::closeNow()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    m_client = nullptr;
    m_transport->close(false);
    retire();
}

void UpstreamConnection::retire()
{
    m_client = nullptr;
    if (onRetired) {
        auto cb = std::move(onRetired);
        onRetired = nullptr;
        cb(this);
    }
    deleteLater();
}

void UpstreamConnection::onReadable()
{
    char buffer[64 * 1024];
    for (;;) {
        const qint64 n = m_transport->read(buffer, sizeof(buffer));
        if (n == 0)
            break;
        if (n < 0) {
            // EOF: completes a close-delimited body; anything else is an error for the client.
            const State was = m_state;
            if (was == State::Tunnel) {
                m_state = State::Closed;
                if (m_client)
                    m_client->onTunnelEof();
                m_transport->close(false);
                retire();
                return;
            }
            m_reusable = false;
            if (was == State::Busy && m_parser.inMessage() && m_parser.headComplete()) {
                m_parser.feedEof();
                if (m_complete) {
                    // A close-delimited body ended; the stream closes this connection.
                    m_complete = false;
                    Client *c = m_client;
                    if (!c) {
                        closeNow();
                        return;
                    }
                    c->onUpstreamComplete(); // flushes what the batch produced
                    return;
                }
            }
            m_state = State::Closed;
            m_transport->close(false);
            if (m_client && (was == State::Busy || was == State::Connecting))
                m_client->onUpstreamError(QStringLiteral("upstream closed the connection"));
            retire();
            return;
        }
        if (m_state == State::Idle || m_state == State::Closed) {
            // Bytes nobody asked for: this connection cannot be trusted any more.
            closeNow();
            return;
        }
        if (m_state == State::Tunnel) {
            if (m_client)
                m_client->onTunnelData(buffer, size_t(n));
            if (!m_readEnabled)
                return;
            continue;
        }
        qint64 offset = 0;
        while (offset < n && m_state == State::Busy) {
            const qint64 used = m_parser.feed(buffer + offset, n - offset);
            offset += used;
            if (m_parser.failed()) {
                m_reusable = false;
                m_state = State::Closed;
                m_transport->close(false);
                if (m_client)
                    m_client->onUpstreamError(m_parser.errorDetail());
                retire();
                return;
            }
            if (m_upgraded) {
                m_state = State::Tunnel;
                if (offset < n && m_client)
                    m_client->onTunnelData(buffer + offset, size_t(n - offset));
                offset = n;
                break;
            }
            if (m_parser.paused()) {
                if (m_informational) {
                    m_informational = false;
                    m_parser.resume();
                    continue;
                }
                if (offset < n)
                    m_reusable = false; // bytes after a complete response
                break;
            }
            if (used == 0)
                break;
        }
        if (m_complete) {
            // Complete before anything is flushed: the exchange gives the target's in-flight
            // count back first, so a client that has the whole answer and sends its next request
            // at once never finds the target still counted busy (least_connections).
            Client *c = m_client;
            m_complete = false;
            if (c)
                c->onUpstreamComplete(); // flushes what the batch produced
            return;
        }
        if (m_client)
            m_client->onUpstreamReadBatchDone();
        if (m_state != State::Busy && m_state != State::Tunnel)
            return;
        if (!m_readEnabled)
            return; // the client is behind: the rest stays in the socket until it catches up
    }
}

void UpstreamConnection::onResponseHead(http::ResponseHead &&head)
{
    if (head.status >= 100 && head.status < 200 && head.status != 101) {
        m_informational = true;
        if (head.status != 100 && m_client)
            m_client->onUpstreamInformational(std::move(head));
        return;
    }
    if (head.status == 101)
        m_upgraded = true;
    if (!m_parser.keepAlive())
        m_reusable = false;
    if (m_client)
        m_client->onUpstreamResponseHead(std::move(head));
}

void UpstreamConnection::onBody(const char *data, size_t length)
{
    if (m_client)
        m_client->onUpstreamBody(data, length);
}

void UpstreamConnection::onTrailers(http::HttpHeaders &&trailers)
{
    if (m_client && !m_informational && !m_upgraded)
        m_client->onUpstreamTrailers(std::move(trailers));
}

void UpstreamConnection::onMessageComplete()
{
    if (m_informational || m_upgraded)
        return;
    if (!m_parser.keepAlive())
        m_reusable = false;
    m_complete = true;
}

} // namespace portico::gateway
