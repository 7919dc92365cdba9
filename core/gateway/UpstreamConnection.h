#pragma once

#include "core/gateway/Cluster.h"
#include "core/gateway/UpstreamLink.h"
#include "core/http/MessageParser.h"
#include "core/http/Transport.h"

#include <QObject>

#include <memory>

namespace portico::gateway {

// One connection to an upstream target, owned by a worker. While a request uses it, events go to
// its Client (the exchange's UpstreamExchange); between requests it waits idle in the worker's pool, where any
// readable event (the upstream closing it, or stray bytes) retires it.
class Worker;

// One HTTP/1.1 connection to an upstream target, owned by a worker. While a request uses it, events
// go to its Client (the exchange's UpstreamExchange); between requests it waits idle in the
// worker's pool, where any readable event (the upstream closing it, or stray bytes) retires it.
class UpstreamConnection final : public QObject, public UpstreamLink, private http::MessageParser::Sink
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamConnection)

public:
    enum class State { Connecting, Busy, Idle, Tunnel, Closed };

    // `pool`: where release(true) returns it.
    UpstreamConnection(std::unique_ptr<http::Transport> transport, TargetState *target, bool connecting, Worker *pool);
    ~UpstreamConnection() override;

    // UpstreamLink
    void beginExchange(Client *client, bool noBody) override;
    void setClient(Client *client) override { m_client = client; }
    bool ready() const override { return m_state == State::Busy; }
    void sendRequest(const http::RequestHead &request, const TargetState &target, const ForwardInfo &forward,
                     const std::vector<QByteArray> &resend, const std::vector<QByteArray> &fresh,
                     bool complete) override;
    void sendBody(const char *data, size_t length) override;
    void endRequest(const http::HttpHeaders &trailers) override;
    qint64 pending() const override { return m_transport->pending(); }
    void setReadEnabled(bool enabled) override
    {
        m_readEnabled = enabled;
        m_transport->setReadEnabled(enabled);
    }
    bool reusable() const override { return m_reusable && m_state == State::Busy; }
    void release(bool reusable) override;
    void sendTunnel(const char *data, size_t length) override { m_transport->send(QByteArray(data, qsizetype(length))); }
    void shutdownWrite() override { m_transport->shutdownWrite(); }

    // Closes it for good (the pool's word; exchanges call release()).
    void closeNow();
    State state() const { return m_state; }
    void setIdle();
    bool wasReused() const { return m_uses > 1; }
    TargetState *target() const { return m_target; }
    qint64 idleSinceMs() const { return m_idleSinceMs; }

    std::function<void(UpstreamConnection *)> onRetired; // set by the pool

private:
    void onReadable();
    void retire();
    // MessageParser::Sink
    void onResponseHead(http::ResponseHead &&head) override;
    void onBody(const char *data, size_t length) override;
    void onTrailers(http::HttpHeaders &&trailers) override;
    void onMessageComplete() override;

    std::unique_ptr<http::Transport> m_transport;
    Worker *m_pool;
    http::MessageParser m_parser;
    TargetState *m_target;
    Client *m_client = nullptr;
    State m_state;
    bool m_reusable = true;
    // The exchange paused reading (its client is behind): onReadable stops after the read in hand,
    // instead of reading on until the socket is empty.
    bool m_readEnabled = true;
    bool m_informational = false;
    bool m_complete = false;
    bool m_upgraded = false;
    bool m_chunked = false; // the request body goes chunked
    int m_uses = 0;
    qint64 m_idleSinceMs = 0;
};

} // namespace portico::gateway
