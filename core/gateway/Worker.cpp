#include "core/gateway/Worker.h"

#include "core/capture/CaptureStore.h"
#include "core/gateway/http1/Http1Connection.h"
#include "core/gateway/http2/Http2Connection.h"
#include "core/gateway/http2/Http2Upstream.h"
#include "core/http/RawTransport.h"
#include "core/http/SocketAddress.h"
#include "core/http/TlsContext.h"
#include "core/http/TlsTransport.h"

#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QSocketNotifier>
#include <QTimer>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace portico::gateway {

namespace {
// Idle upstream connections kept per target and worker. As many as requests are in flight at a
// peak: fewer closes connections that the next burst opens again (h2load at 4 x 100 streams opened
// one upstream connection per 5 requests with 256).
constexpr int kMaxIdlePerTarget = 1024;
constexpr qint64 kUpstreamIdleMs = 30'000;

// The methods of RFC 9110, PATCH (RFC 5789) and WebDAV's, which HTTP/1.1's parser knows too.
bool registeredMethod(QByteArrayView m)
{
    static constexpr QByteArrayView kKnown[] = { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS",
        "CONNECT", "TRACE", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH",
        "REPORT", "MKACTIVITY", "CHECKOUT", "MERGE", "PURGE", "LINK", "UNLINK", "BIND", "REBIND", "UNBIND",
        "ACL", "MKCALENDAR", "SUBSCRIBE", "UNSUBSCRIBE", "NOTIFY", "M-SEARCH", "SOURCE",
        "-" /* a request refused before its method was read */ };
    return std::find(std::begin(kKnown), std::end(kKnown), m) != std::end(kKnown);
}

// The local end of an accepted connection as host:port ("127.0.0.1:8080", "[::1]:8080"): the
// listener address a replay of its requests goes back to.
QByteArray localEndOf(int fd)
{
    sockaddr_storage ss {};
    socklen_t len = sizeof(ss);
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0)
        return {};
    auto [a, port] = http::fromSockaddr(ss);
    a.setScopeId(QString());
    const QByteArray host = a.toString().toLatin1();
    return (a.protocol() == QAbstractSocket::IPv6Protocol ? '[' + host + ']' : host) + ':'
        + QByteArray::number(port);
}

QHostAddress peerOf(const sockaddr_storage &ss)
{
    return http::fromSockaddr(ss).first;
}
} // namespace

Worker::Worker(GatewayState *state, int index)
    : m_state(state)
    , m_index(index)
{
}

Worker::~Worker()
{
    closeListeners();
    shutdownConnections();
}

RuntimeConfigPtr Worker::config()
{
    const int rev = m_state->revision();
    if (rev != m_configRevision) {
        m_config = m_state->config();
        m_configRevision = rev;
    }
    return m_config;
}

void Worker::addListener(
    int fd, bool tls, std::shared_ptr<const http::TlsContext> tlsContext, bool forwardProxy)
{
    auto l = std::make_unique<Listener>();
    l->fd = fd;
    l->tls = tls;
    l->forwardProxy = forwardProxy;
    l->tlsContext = std::move(tlsContext);
    l->notifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, this);
    Listener *raw = l.get();
    connect(l->notifier, &QSocketNotifier::activated, this, [this, raw] { accept(raw); });
    m_listeners.push_back(std::move(l));
    if (!m_sweeper) {
        m_sweeper = new QTimer(this);
        m_sweeper->setInterval(100);
        connect(m_sweeper, &QTimer::timeout, this, &Worker::sweep);
        m_sweeper->start();
    }
}

void Worker::closeListeners()
{
    for (auto &l : m_listeners) {
        delete l->notifier;
        ::close(l->fd);
    }
    m_listeners.clear();
    if (m_state->draining()) {
        // Told now, not at the next sweep: an HTTP/2 connection whose last exchange ends meanwhile
        // must start its lingering close (which counts as active) before that exchange stops
        // counting, or drain would see nothing active while its bytes are still on the way.
        const auto all = m_connections;
        for (ClientConnection *c : all)
            c->drain();
    }
}

void Worker::accept(Listener *listener)
{
    for (int i = 0; i < 64; ++i) {
        sockaddr_storage ss {};
        socklen_t len = sizeof(ss);
        const int fd = ::accept4(listener->fd, reinterpret_cast<sockaddr *>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            return; // EAGAIN (another worker took it), or EMFILE and friends: try on the next wake-up
        }
        if (m_state->draining()) {
            ::close(fd);
            continue;
        }
        if (!admitConnection()) {
            ::close(fd);
            continue;
        }
        std::unique_ptr<http::Transport> transport;
        if (listener->tls) {
            transport.reset(http::TlsTransport::serverSide(fd, listener->tlsContext));
            if (!transport) {
                ::close(fd);
                continue;
            }
        } else {
            transport = std::make_unique<http::RawTransport>(fd);
        }
        Http1Connection *c = nullptr;
        if (listener->forwardProxy) {
            const QHostAddress peer = peerOf(ss);
            DownstreamInfo info;
            info.peer = peer;
            info.peerText = peer.toString().toLatin1();
            info.listener = localEndOf(fd);
            info.forward = DownstreamInfo::Forward::Listener;
            c = new Http1Connection(this, std::move(transport), info);
        } else {
            c = new Http1Connection(this, std::move(transport), peerOf(ss), listener->tls, localEndOf(fd));
        }
        m_connections.insert(c);
    }
}

bool Worker::admitConnection()
{
    const int limit = config()->workspace().gateway.limits.maxConnections;
    if (m_state->openConnections.fetch_add(1, std::memory_order_relaxed) < limit)
        return true;
    m_state->openConnections.fetch_sub(1, std::memory_order_relaxed);
    if (!m_refused) {
        m_refused = &m_state->metrics.counter("portico_connections_refused_total",
            "Client connections closed at once because gateway.limits.max_connections were open.", {});
    }
    m_refused->inc();
    if (!m_state->atConnectionLimit.exchange(true, std::memory_order_relaxed))
        qWarning("gateway: %d client connections are open (gateway.limits.max_connections); closing new ones "
                 "until some end",
            limit);
    return false;
}

void Worker::connectionGone()
{
    m_state->openConnections.fetch_sub(1, std::memory_order_relaxed);
    if (m_state->atConnectionLimit.load(std::memory_order_relaxed)
        && m_state->atConnectionLimit.exchange(false, std::memory_order_relaxed))
        qInfo("gateway: below gateway.limits.max_connections again; accepting connections");
}

void Worker::connectionClosed(ClientConnection *connection)
{
    if (m_connections.erase(connection) > 0)
        connectionGone();
    if (m_state->draining() && busyConnectionCount() == 0)
        Q_EMIT idleNow();
}

void Worker::adoptHttp2(ClientConnection *from, std::unique_ptr<http::Transport> transport, const DownstreamInfo &info,
                        const QByteArray &preread)
{
    m_connections.erase(from);
    auto *c = new Http2Connection(this, std::move(transport), info);
    m_connections.insert(c);
    c->start(preread);
}

void Worker::adoptTunnelConnection(ClientConnection *from, std::unique_ptr<http::Transport> transport,
    const DownstreamInfo &info, const QByteArray &preread)
{
    m_connections.erase(from);
    m_connections.insert(new Http1Connection(this, std::move(transport), info, preread));
}

void Worker::interceptFailed(const DownstreamInfo &info, const QString &reason)
{
    capture::CaptureStore *store = m_state->capture();
    if (!store)
        return;
    capture::Exchange e;
    e.startedAt = QDateTime::currentDateTimeUtc();
    e.clientAddress = QString::fromLatin1(info.peerText);
    e.method = QStringLiteral("CONNECT");
    e.host = QString::fromLatin1(info.originHost);
    e.scheme = QStringLiteral("https");
    e.url
        = QStringLiteral("https://%1/")
              .arg(QString::fromLatin1(ForwardOrigin { true, info.originHost, info.originPort }.authority()));
    e.path = QStringLiteral("/");
    e.listener = QString::fromLatin1(info.listener);
    e.protocol = QStringLiteral("HTTP/1.1");
    e.proxied = true;
    e.error = QStringLiteral("the client refused Portico's certificate for %1 (%2)")
                  .arg(QString::fromLatin1(info.originHost), reason);
    e.notes = QStringLiteral(
        "The client does not trust Portico's CA (portico-cli ca export), or it pins the "
        "server's certificate: add \"%1\" to proxy.passthrough to tunnel it without decryption.")
                  .arg(QString::fromLatin1(info.originHost));
    store->submit(std::move(e));
}

std::shared_ptr<Cluster> Worker::originCluster(const ForwardOrigin &origin, const QHostAddress &address)
{
    const RuntimeConfigPtr cfg = config();
    if (m_originsRevision != cfg->revision()) { // proxy.upstream_ca may have changed
        m_origins.clear();
        m_originsRevision = cfg->revision();
    }
    const qint64 now = steadyMs();
    const QByteArray key
        = (origin.tls ? "https://" : "http://") + origin.authority() + '@' + address.toString().toLatin1();
    auto it = m_origins.find(key);
    if (it != m_origins.end() && it->expiresMs > now)
        return it->cluster;
    if (m_origins.size() > 1024)
        m_origins.clear();
    QUrl url;
    url.setScheme(origin.tls ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(QString::fromLatin1(origin.host));
    if (origin.port != (origin.tls ? 443 : 80))
        url.setPort(origin.port);
    const ForwardProxy *proxy = cfg->forwardProxy();
    auto cluster = Cluster::forOrigin(url, address,
        proxy ? proxy->originTls() : http::TlsContext::client(QSslConfiguration::defaultConfiguration()));
    m_origins.insert(key, { cluster, now + 60'000 });
    return cluster;
}

int Worker::busyConnectionCount() const
{
    int n = 0;
    for (ClientConnection *c : m_connections)
        n += c->busy() ? 1 : 0;
    return n;
}

void Worker::shutdownConnections()
{
    const auto copy = m_connections;
    for (ClientConnection *c : copy)
        c->abort();
    for (size_t i = 0; i < m_connections.size(); ++i)
        connectionGone();
    m_connections.clear();
    for (auto &list : m_idle) {
        for (UpstreamConnection *u : list) {
            u->onRetired = nullptr;
            u->closeNow();
        }
    }
    m_idle.clear();
    for (const auto &list : std::as_const(m_http2)) {
        for (Http2UpstreamSession *s : std::vector(list))
            s->abort();
    }
    m_http2.clear();
    // What was closed above deletes itself later, and a transport's socket is only scheduled for
    // deletion once its owner is deleted. The thread stops right after this; Qt deletes what is
    // pending then, but not what that deletion schedules in turn (a TLS socket leaked at shutdown,
    // seen by LeakSanitizer in CI). Delete it all now, while the thread still runs; nothing of
    // these objects is on the stack here (this runs as a queued call).
    for (int pass = 0; pass < 4; ++pass)
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

UpstreamLink *Worker::acquire(TargetState *target, const Cluster &cluster, bool *pooled, QString *error)
{
    if (cluster.config().protocol != config::UpstreamProtocol::Http1)
        return acquireHttp2(target, cluster, pooled, error);
    if (pooled) {
        auto it = m_idle.find(target->key);
        if (it != m_idle.end() && !it->empty()) {
            UpstreamConnection *c = it->back();
            it->pop_back();
            c->onRetired = nullptr;
            *pooled = true;
            return c;
        }
        *pooled = false;
    }
    std::unique_ptr<http::Transport> transport = connectTo(target, cluster, error);
    if (!transport)
        return nullptr;
    return new UpstreamConnection(std::move(transport), target, true, this);
}

std::unique_ptr<http::Transport> Worker::connectTo(TargetState *target, const Cluster &cluster, QString *error)
{
    if (target->tls)
        return std::unique_ptr<http::Transport>(http::TlsTransport::connectTo(
            target->address, target->port, target->hostName, cluster.tlsContext(), error));
    return std::unique_ptr<http::Transport>(http::RawTransport::connectTo(target->address, target->port, error));
}

UpstreamLink *Worker::acquireHttp2(TargetState *target, const Cluster &cluster, bool *pooled, QString *error)
{
    auto &sessions = m_http2[target->key];
    if (pooled) {
        *pooled = false;
        for (Http2UpstreamSession *s : sessions) {
            if (!s->hasRoom())
                continue;
            *pooled = s->connected() && s->used();
            return s->openStream();
        }
    }
    std::unique_ptr<http::Transport> transport = connectTo(target, cluster, error);
    if (!transport)
        return nullptr;
    auto *session = new Http2UpstreamSession(std::move(transport), target, target->tls,
                                             cluster.config().connectTimeout.count());
    session->setParent(this);
    const QByteArray key = target->key;
    session->onRetired = [this, key](Http2UpstreamSession *s) {
        auto it = m_http2.find(key);
        if (it != m_http2.end())
            std::erase(*it, s);
    };
    sessions.push_back(session);
    return session->openStream();
}

void Worker::release(UpstreamConnection *connection)
{
    auto &list = m_idle[connection->target()->key];
    if (int(list.size()) >= kMaxIdlePerTarget || m_state->draining()) {
        connection->closeNow();
        return;
    }
    connection->setIdle();
    // Captures nothing but `this`: std::function keeps it without an allocation.
    connection->onRetired = [this](UpstreamConnection *c) {
        auto it = m_idle.find(c->target()->key);
        if (it != m_idle.end())
            std::erase(*it, c);
    };
    list.push_back(connection);
}

QNetworkAccessManager &Worker::network()
{
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    return *m_network;
}

void Worker::recordRequest(const QByteArray &route, const QByteArray &anyMethod, int status, double seconds,
    double upstreamSeconds, const QByteArray &protocol)
{
    m_state->totalRequests.fetch_add(1, std::memory_order_relaxed);
    // A label takes the method only when it is a registered one: an HTTP/2 :method is any token,
    // and a client inventing a new one per request must not grow the metrics without bound (the
    // rest are "_OTHER", as OpenTelemetry's http.request.method has it).
    static const QByteArray kOther = QByteArrayLiteral("_OTHER");
    const QByteArray &method = registeredMethod(anyMethod) ? anyMethod : kOther;
    RouteMetrics &m = m_routeMetrics[route];
    Counter *counter = nullptr;
    for (const RouteMetrics::Requests &r : m.requests) {
        if (r.status == status && r.method == method && r.protocol == protocol) {
            counter = r.counter;
            break;
        }
    }
    if (!counter) {
        counter = &m_state->metrics.counter("portico_requests_total", "Requests answered, by route, method, status and protocol.",
                                            { { "route", route }, { "method", method }, { "status", QByteArray::number(status) },
                                              { "protocol", protocol } });
        m.requests.push_back({ method, protocol, status, counter });
    }
    counter->inc();
    if (!m.duration)
        m.duration = &m_state->metrics.histogram("portico_request_duration_seconds",
            "Time from the first request byte to the last response byte.", { { "route", route } });
    m.duration->observe(seconds);
    if (upstreamSeconds >= 0) {
        if (!m.upstream)
            m.upstream = &m_state->metrics.histogram("portico_upstream_duration_seconds",
                "Time spent waiting on the upstream, from connect to the last byte.", { { "route", route } });
        m.upstream->observe(upstreamSeconds);
    }
}

void Worker::sweep()
{
    const qint64 now = steadyMs();
    const auto copy = m_connections;
    for (ClientConnection *c : copy) {
        if (m_connections.count(c))
            c->checkTimeouts(now);
    }
    for (auto it = m_idle.begin(); it != m_idle.end(); ++it) {
        auto &list = *it;
        std::vector<UpstreamConnection *> stale;
        for (UpstreamConnection *u : list) {
            if (now - u->idleSinceMs() > kUpstreamIdleMs)
                stale.push_back(u);
        }
        for (UpstreamConnection *u : stale)
            u->closeNow(); // onRetired removes it from the list
    }
    for (const auto &list : std::as_const(m_http2)) {
        std::vector<Http2UpstreamSession *> idle;
        std::vector<Http2UpstreamSession *> stuck;
        for (Http2UpstreamSession *s : list) {
            if (s->connectOverdue(now))
                stuck.push_back(s);
            else if (s->idle() && now - s->idleSinceMs() > kUpstreamIdleMs)
                idle.push_back(s);
        }
        for (Http2UpstreamSession *s : idle)
            s->shutdown(); // onRetired removes it from the list
        for (Http2UpstreamSession *s : stuck)
            s->abort();
    }
    if (m_state->draining()) {
        const auto all = m_connections;
        for (ClientConnection *c : all)
            c->drain();
    }
}

} // namespace portico::gateway
