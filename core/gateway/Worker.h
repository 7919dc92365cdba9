#pragma once

#include "core/gateway/GatewayState.h"
#include "core/gateway/UpstreamConnection.h"
#include "core/gateway/pipeline/DownstreamStream.h"

#include <QHash>
#include <QObject>

#include <unordered_set>
#include <vector>

class QNetworkAccessManager;
class QSocketNotifier;
class QTimer;

namespace portico {
class Counter;
class Histogram;
}

namespace portico::gateway {

class ClientConnection;
class Http2UpstreamSession;

// One event-loop thread of the data plane. Each worker accepts on its own SO_REUSEPORT socket
// per listener (the kernel spreads connections), serves its connections to the end, and keeps
// its own pool of idle upstream connections, so workers share nothing on the hot path but the
// config pointer, the metrics atomics and the capture queue.
class Worker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Worker)

public:
    Worker(GatewayState *state, int index);
    ~Worker() override;

    // Called on the worker thread (queued by the Gateway).
    // `forwardProxy`: proxy.listen (absolute-form requests and CONNECT), not a gateway listener.
    void addListener(
        int fd, bool tls, std::shared_ptr<const http::TlsContext> tlsContext, bool forwardProxy = false);
    void closeListeners();
    void shutdownConnections(); // after draining: close what is left

    GatewayState &state() { return *m_state; }
    RuntimeConfigPtr config();
    int index() const { return m_index; }

    // A way to `target` for one exchange, as the cluster's protocol says: for HTTP/1.1 an idle
    // pooled connection or a new one, for HTTP/2 a new stream on a session with room or on a new
    // session. `*pooled` = true when it came from a connection used before; `pooled` null: insist
    // on a fresh connection (a pooled one just failed).
    UpstreamLink *acquire(TargetState *target, const Cluster &cluster, bool *pooled, QString *error);
    void release(UpstreamConnection *connection); // an HTTP/1.1 connection goes back to the pool

    QNetworkAccessManager &network();
    // `protocol`: what the client spoke, "HTTP/1.1" or "HTTP/2" (DownstreamInfo::protocol()).
    void recordRequest(const QByteArray &route, const QByteArray &method, int status, double seconds,
                       double upstreamSeconds, const QByteArray &protocol);

    void connectionClosed(ClientConnection *connection);
    // The HTTP/1.1 codec saw HTTP/2 (ALPN "h2" or the h2c preface): the connection continues as
    // an Http2Connection with the bytes read so far; `from` is no longer counted (nor closed).
    void adoptHttp2(ClientConnection *from, std::unique_ptr<http::Transport> transport, const DownstreamInfo &info,
                    const QByteArray &preread);
    // After a CONNECT: the tunnel's bytes continue as a connection of their own (see
    // DownstreamStream::continueInTunnel); `from` is no longer counted (nor closed).
    void adoptTunnelConnection(ClientConnection *from, std::unique_ptr<http::Transport> transport,
        const DownstreamInfo &info, const QByteArray &preread);
    // A client refused the TLS handshake inside a tunnel (it does not trust the local CA, or it
    // pins the server's certificate): captured, with what to do about it.
    void interceptFailed(const DownstreamInfo &info, const QString &reason);
    // The way to an origin server the forward proxy reaches for an app (cached for a minute).
    std::shared_ptr<Cluster> originCluster(const ForwardOrigin &origin, const QHostAddress &address);
    int connectionCount() const { return int(m_connections.size()); }
    int busyConnectionCount() const;

Q_SIGNALS:
    void idleNow(); // draining and no connection left

private:
    struct Listener
    {
        int fd = -1;
        bool tls = false;
        bool forwardProxy = false;
        std::shared_ptr<const http::TlsContext> tlsContext;
        QSocketNotifier *notifier = nullptr;
    };
    void accept(Listener *listener);
    // Counts a new client connection against gateway.limits.max_connections; false = close it.
    bool admitConnection();
    void connectionGone();
    void sweep();
    std::unique_ptr<http::Transport> connectTo(TargetState *target, const Cluster &cluster, QString *error);
    UpstreamLink *acquireHttp2(TargetState *target, const Cluster &cluster, bool *pooled, QString *error);

    GatewayState *m_state;
    int m_index;
    RuntimeConfigPtr m_config;
    int m_configRevision = -1;
    std::vector<std::unique_ptr<Listener>> m_listeners;
    std::unordered_set<ClientConnection *> m_connections;
    QHash<QByteArray, std::vector<UpstreamConnection *>> m_idle;
    QHash<QByteArray, std::vector<Http2UpstreamSession *>> m_http2; // by target key, busy or idle
    struct OriginEntry
    {
        std::shared_ptr<Cluster> cluster;
        qint64 expiresMs = 0;
    };
    QHash<QByteArray, OriginEntry> m_origins; // forward proxy: by scheme, host, port, address
    int m_originsRevision = -1;
    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_sweeper = nullptr;
    Counter *m_refused = nullptr;
    // The metrics a route's requests update, found with one hash of the route name per request;
    // the few (method, status, protocol) counters of a route are searched in a row.
    struct RouteMetrics
    {
        struct Requests
        {
            QByteArray method;
            QByteArray protocol;
            int status = 0;
            Counter *counter = nullptr;
        };
        std::vector<Requests> requests;
        Histogram *duration = nullptr;
        Histogram *upstream = nullptr;
    };
    QHash<QByteArray, RouteMetrics> m_routeMetrics;
};

} // namespace portico::gateway
