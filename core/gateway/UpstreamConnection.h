#pragma once

#include "core/gateway/Cluster.h"
#include "core/http/MessageParser.h"
#include "core/http/Transport.h"

#include <QObject>

#include <memory>

namespace portico::gateway {

// One connection to an upstream target, owned by a worker. While a request uses it, events go to
// its Client (the exchange's UpstreamExchange); between requests it waits idle in the worker's pool, where any
// readable event (the upstream closing it, or stray bytes) retires it.
class UpstreamConnection final : public QObject, private http::MessageParser::Sink
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamConnection)

public:
    class Client
    {
    public:
        virtual ~Client() = default;
        virtual void onUpstreamConnected() = 0;
        virtual void onUpstreamInformational(http::ResponseHead &&head) = 0; // 1xx other than 100/101
        virtual void onUpstreamResponseHead(http::ResponseHead &&head) = 0;
        virtual void onUpstreamBody(const char *data, size_t length) = 0;
        virtual void onUpstreamComplete() = 0;
        // End of one read batch: a good moment to flush what the batch produced in one write.
        virtual void onUpstreamReadBatchDone() = 0;
        virtual void onUpstreamError(const QString &reason) = 0;
        virtual void onUpstreamDrained() = 0;
        // After a 101 answer: raw bytes in both directions from now on.
        virtual void onTunnelData(const char *data, size_t length) = 0;
        virtual void onTunnelEof() = 0;
    };

    enum class State { Connecting, Busy, Idle, Tunnel, Closed };

    UpstreamConnection(std::unique_ptr<http::Transport> transport, TargetState *target, bool connecting);
    ~UpstreamConnection() override;

    void setClient(Client *client) { m_client = client; }
    // Prepares for the next response (`noBody`: the request was HEAD).
    void beginExchange(Client *client, bool noBody);
    void send(const QByteArray &data) { m_transport->send(data); }
    void send(const QByteArray &head, const QByteArray &body) { m_transport->send(head, body); }
    qint64 pending() const { return m_transport->pending(); }
    void setReadEnabled(bool enabled) { m_transport->setReadEnabled(enabled); }
    void shutdownWrite() { m_transport->shutdownWrite(); }
    void close();

    State state() const { return m_state; }
    void setIdle();
    bool reusable() const { return m_reusable && m_state == State::Busy; }
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
    void onMessageComplete() override;

    std::unique_ptr<http::Transport> m_transport;
    http::MessageParser m_parser;
    TargetState *m_target;
    Client *m_client = nullptr;
    State m_state;
    bool m_reusable = true;
    bool m_informational = false;
    bool m_complete = false;
    bool m_upgraded = false;
    int m_uses = 0;
    qint64 m_idleSinceMs = 0;
};

} // namespace portico::gateway
