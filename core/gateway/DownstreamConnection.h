#pragma once

#include "core/gateway/ProxyStream.h"
#include "core/http/MessageParser.h"
#include "core/http/Transport.h"

#include <QHostAddress>
#include <QObject>

#include <memory>

namespace portico::gateway {

class Worker;

// One client connection on a worker: reads and parses requests one at a time (pipelined requests
// wait in the input buffer, so responses leave in order), hands each to a ProxyStream, enforces
// the head/idle timeouts, and becomes a raw tunnel after an upgrade.
class DownstreamConnection final : public QObject, private http::MessageParser::Sink
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DownstreamConnection)

public:
    DownstreamConnection(Worker *worker, std::unique_ptr<http::Transport> transport, const QHostAddress &peer,
                         bool tls, const QByteArray &localEnd = {});
    ~DownstreamConnection() override;

    void send(const QByteArray &data) { m_transport->send(data); }
    qint64 pending() const { return m_transport->pending(); }
    void setReadPaused(bool paused);
    void beginTunnel();
    void abort();
    void closeGracefully();
    void streamDone(ProxyStream *stream);
    void checkTimeouts(qint64 nowMs);
    // Graceful shutdown: close now if idle, else after the current response.
    void drain();

    const QHostAddress &peerAddress() const { return m_peer; }
    // peerAddress() as text, formatted once per connection rather than once per request.
    const QByteArray &peerAddressLatin1() const { return m_peerLatin1; }
    bool isTls() const { return m_tls; }
    // The listener address this connection came in on, "host:port" (see Exchange::listener).
    const QByteArray &localEndLatin1() const { return m_localEnd; }
    bool busy() const { return m_stream != nullptr || m_lingering; }

private:
    void onReadable();
    void processInput();
    void resetInput();
    void closeConnection();
    void rejectRequest(int status, const QString &detail);
    // MessageParser::Sink
    void onRequestHead(http::RequestHead &&head) override;
    void onBody(const char *data, size_t length) override;
    void onMessageComplete() override;

    Worker *m_worker;
    std::unique_ptr<http::Transport> m_transport;
    http::MessageParser m_parser;
    QHostAddress m_peer;
    QByteArray m_peerLatin1;
    QByteArray m_localEnd;
    bool m_tls;
    QByteArray m_input;
    qsizetype m_inputPos = 0;
    ProxyStream *m_stream = nullptr;
    // The stream that finished last. streamDone() runs with that stream still on the call stack,
    // so it cannot be deleted there; it is deleted when the next one finishes or the connection
    // goes. (deleteLater() would post an event and wake the event loop through a syscall for
    // every request.)
    std::unique_ptr<ProxyStream> m_retired;
    bool m_readPaused = false;
    bool m_tunnel = false;
    bool m_closed = false;
    bool m_closing = false;
    bool m_processing = false;
    bool m_eof = false;
    // Timeouts: waiting for a request since (idle), head started at (header timeout).
    qint64 m_waitingSinceMs = 0;
    qint64 m_headStartedMs = 0;
    bool m_firstRequest = true;
    bool m_lingering = false; // closing once the queued response bytes are written
};

} // namespace portico::gateway
