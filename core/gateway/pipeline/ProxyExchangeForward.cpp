// The forward proxy's part of the pipeline (forward/ForwardProxy.h). On proxy.listen an app sends
// absolute-form requests (http://host/path) and CONNECT host:port; inside a CONNECT tunnel it
// sends origin-form requests for the tunnel's host, decrypted when proxy.intercept_tls is on.
// Routes whose match names hosts take such requests as they would any other ("map local",
// "map remote"); the rest go to the server the app named, with the app's fields as they are.
#include "core/gateway/Problem.h"
#include "core/gateway/Worker.h"
#include "core/gateway/pipeline/PipelineSupport.h"
#include "core/gateway/pipeline/ProxyExchange.h"
#include "core/gateway/pipeline/Router.h"
#include "core/http/RawTransport.h"
#include "core/proxy/LocalCa.h"

#include <QHostInfo>
#include <QPointer>
#include <QSocketNotifier>
#include <QTimer>

#include <sys/socket.h>

namespace portico::gateway {

using namespace detail;

bool ProxyExchange::ownPort(quint16 port) const
{
    return m_config->forwardProxy()->isOwnPort(port) || m_worker->state().isBoundPort(port);
}

void ProxyExchange::prepareForwarded()
{
    m_fwd = std::make_unique<ForwardState>();
    const DownstreamInfo &down = m_down.info();
    if (down.forward == DownstreamInfo::Forward::Tunnel) {
        m_fwd->origin = { down.originTls, down.originHost, down.originPort };
        m_fwd->originKnown = true;
        if (!m_request.headers.contains("host")) // HTTP/2 inside a tunnel may only say :authority
            m_request.headers.set("Host", m_fwd->origin.authority());
        return;
    }
    if (m_request.method == "CONNECT")
        return;
    QByteArray originForm;
    if (auto origin = parseAbsoluteTarget(m_request.target, &originForm)) {
        m_fwd->origin = *origin;
        m_fwd->originKnown = true;
        // RFC 9112 3.2.2: with an absolute-form target the Host field is replaced by its authority.
        m_request.headers.set("Host", origin->authority());
    }
}

bool ProxyExchange::routeForwarded(const http::NormalizedPath &normal, const QByteArray &host)
{
    const DownstreamInfo &down = m_down.info();
    const ForwardProxy *proxy = m_config->forwardProxy();
    if (!proxy) {
        sendLocalReply({ 503, QStringLiteral("Service Unavailable"),
            QStringLiteral("the forward proxy is off (the workspace has no proxy section now)"), {},
            "proxy-off" });
        return false;
    }
    if (down.forward == DownstreamInfo::Forward::Listener && !proxy->authorized(m_request.headers)) {
        http::HttpHeaders challenge;
        challenge.set("Proxy-Authenticate", "Basic realm=\"Portico\", charset=\"UTF-8\"");
        sendLocalReply({ 407, QStringLiteral("Proxy Authentication Required"),
            QStringLiteral("this proxy needs Proxy-Authorization (proxy.auth)"), challenge, "proxy-auth" });
        return false;
    }
    m_request.headers.remove("proxy-authorization"); // never passed on, never captured
    m_request.headers.remove("proxy-connection");
    if (m_request.method == "CONNECT") {
        if (down.forward == DownstreamInfo::Forward::Tunnel) {
            sendLocalReply({ 405, QStringLiteral("Method Not Allowed"),
                QStringLiteral("CONNECT inside a CONNECT tunnel is not supported"), {},
                "method-not-allowed" });
            return false;
        }
        startConnect();
        return false;
    }
    if (!m_fwd->originKnown) {
        sendLocalReply({ 400, QStringLiteral("Bad Request"),
            QStringLiteral("a forward proxy takes absolute-form targets (GET http://host/path) or "
                           "CONNECT host:port; got '%1'")
                .arg(QString::fromUtf8(m_request.target.left(200))),
            {}, "bad-proxy-request" });
        return false;
    }
    // Routes that name hosts apply to an app's requests too; the others are the gateway's own.
    const Router::Decision decision = Router::route(*m_config, m_request, normal, host);
    if (decision.match.route && !decision.match.route->route->match.hosts.isEmpty())
        return true;
    if (!normal.ok() && decision.refusal) {
        sendLocalReply(std::move(*decision.refusal));
        return false;
    }
    resolveForwarded(m_fwd->origin.host, &ProxyExchange::toOrigin);
    return false;
}

void ProxyExchange::resolveForwarded(
    const QByteArray &host, void (ProxyExchange::*then)(const QHostAddress &))
{
    const QHostAddress literal(QString::fromLatin1(host));
    if (!literal.isNull()) {
        (this->*then)(literal);
        return;
    }
    // Off the worker's thread (a resolver can take seconds); the answer comes back to it.
    QHostInfo::lookupHost(
        QString::fromLatin1(host), m_fwd->context.get(), [this, then](const QHostInfo &info) {
            QHostAddress chosen;
            for (const QHostAddress &a : info.addresses()) {
                if (a.protocol() == QAbstractSocket::IPv4Protocol) { // most dev servers listen on IPv4 only
                    chosen = a;
                    break;
                }
            }
            if (chosen.isNull() && !info.addresses().isEmpty())
                chosen = info.addresses().first();
            (this->*then)(chosen);
        });
}

// A host that did not resolve (502), or Portico itself on this machine (403: it would loop). True
// when the exchange was answered.
bool ProxyExchange::refusedDestination(const QHostAddress &address)
{
    const ForwardOrigin &origin = m_fwd->origin;
    if (address.isNull()) {
        sendLocalReply({ 502, QStringLiteral("Bad Gateway"),
            QStringLiteral("cannot resolve host '%1'").arg(QString::fromLatin1(origin.host)), {},
            "unresolvable-host" });
        return true;
    }
    if (ownPort(origin.port) && isLocalAddress(address)) {
        sendLocalReply({ 403, QStringLiteral("Forbidden"),
            QStringLiteral("%1 %2 is refused: that is Portico itself, it would loop")
                .arg(m_fwd->connect ? QStringLiteral("CONNECT to") : QStringLiteral("a request to"),
                    QString::fromLatin1(origin.authority())),
            {}, "proxy-loop" });
        return true;
    }
    return false;
}

// The request goes to the server the app named, as the app wrote it.
void ProxyExchange::toOrigin(const QHostAddress &address)
{
    if (m_done || refusedDestination(address))
        return;
    const ForwardOrigin &origin = m_fwd->origin;
    std::shared_ptr<Cluster> cluster = m_worker->originCluster(origin, address);
    m_recorder.markUpstreamStart();
    if (m_framing.expectContinue && !m_requestComplete && !m_continueSent) {
        m_continueSent = true;
        m_down.sendInformational(100, {});
    }
    m_forward.transparent = true;
    m_forward.chunked = m_framing.chunked;
    m_forward.contentLength = m_framing.contentLength;
    const config::Duration timeout = cluster->config().responseTimeout;
    m_upstream.start(std::move(cluster), &m_request, &m_forward, m_framing, timeout);
}

void ProxyExchange::startConnect()
{
    const auto origin = parseConnectAuthority(m_request.target);
    if (!origin) {
        sendLocalReply({ 400, QStringLiteral("Bad Request"),
            QStringLiteral("CONNECT takes host:port (got '%1')")
                .arg(QString::fromUtf8(m_request.target.left(200))),
            {}, "bad-connect" });
        return;
    }
    m_fwd->origin = *origin;
    m_fwd->connect = true;
    if (isRefusedPort(origin->port)) {
        sendLocalReply({ 403, QStringLiteral("Forbidden"),
            QStringLiteral("CONNECT to port %1 is refused (not a web port: the Fetch standard's "
                           "bad ports)")
                .arg(origin->port),
            {}, "refused-port" });
        return;
    }
    resolveForwarded(origin->host, &ProxyExchange::connectResolved);
}

void ProxyExchange::connectResolved(const QHostAddress &address)
{
    if (m_done || refusedDestination(address))
        return;
    const ForwardProxy *proxy = m_config->forwardProxy();
    const ForwardOrigin &origin = m_fwd->origin;
    m_fwd->address = address;
    if (!proxy->intercepting() || proxy->passthrough(origin.host)) {
        openPassthrough();
        return;
    }
    // Interception: the tunnel's first bytes say what it carries (TLS, or plain HTTP).
    answerConnect();
    const int fd = m_down.rawDescriptor();
    if (fd < 0) {
        openPassthrough();
        return;
    }
    m_down.setReadPaused(true);
    m_fwd->sniffSinceMs = steadyMs();
    m_fwd->sniffer = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, m_fwd->context.get());
    QObject::connect(
        m_fwd->sniffer, &QSocketNotifier::activated, m_fwd->context.get(), [this] { sniffTunnel(); });
}

void ProxyExchange::answerConnect()
{
    if (m_fwd->answered)
        return;
    m_fwd->answered = true;
    m_tunnel = true;
    m_recorder.outcome().status = 200;
    m_recorder.markFirstUpstreamByte();
    m_down.beginHead(200, "Connection established", 64);
    m_recorder.beginResponseHead();
    DownstreamStream::HeadOptions options;
    options.noBody = true;
    options.upgrade = true; // no framing, no Connection: close
    m_down.endHead(options, &m_recorder);
    m_recorder.endResponseHead();
    m_down.flush();
}

void ProxyExchange::sniffTunnel()
{
    if (m_done)
        return;
    if (!m_down.unreadInput().isEmpty()) {
        // The client did not wait for the 200: its first bytes were read with the CONNECT. They
        // can still be relayed, not decrypted.
        delete std::exchange(m_fwd->sniffer, nullptr);
        m_down.setReadPaused(false);
        m_ctx.notes.append(QStringLiteral("not decrypted: the client sent its first bytes before the 200"));
        openPassthrough();
        return;
    }
    char buffer[16384 + 5 + 2048];
    const ssize_t n = ::recv(int(m_fwd->sniffer->socket()), buffer, sizeof(buffer), MSG_PEEK);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) { // the client closed before saying anything
        delete std::exchange(m_fwd->sniffer, nullptr);
        m_recorder.dropCapture();
        m_down.closeAfterResponse();
        finish();
        return;
    }
    QByteArray serverName;
    const ClientHelloResult hello = readClientHelloSni(QByteArrayView(buffer, n), &serverName);
    if (hello == ClientHelloResult::NeedMore && size_t(n) < sizeof(buffer)) {
        // The rest of the hello is on its way; peeking again at once would spin on the same
        // bytes, so look again in a moment.
        m_fwd->sniffer->setEnabled(false);
        QObject *context = m_fwd->context.get();
        QPointer<QSocketNotifier> sniffer = m_fwd->sniffer;
        QTimer::singleShot(5, context, [sniffer] {
            if (sniffer)
                sniffer->setEnabled(true);
        });
        return;
    }
    delete std::exchange(m_fwd->sniffer, nullptr);
    m_down.setReadPaused(false);
    const ForwardProxy *proxy = m_config->forwardProxy();
    DownstreamInfo inner = m_down.info();
    inner.forward = DownstreamInfo::Forward::Tunnel;
    inner.originPort = m_fwd->origin.port;
    inner.originHost = m_fwd->origin.host;
    if (hello == ClientHelloResult::NotTls) {
        inner.originTls = false;
        inner.tls = false;
        if (m_down.continueInTunnel(nullptr, inner)) {
            m_recorder.dropCapture();
            finish();
            return;
        }
        openPassthrough();
        return;
    }
    // TLS: the leaf is for the name the client asked for (SNI), else for the CONNECT host.
    const QString name = proxy::leafHostName(QString::fromLatin1(serverName));
    const QByteArray host = name.isEmpty() ? m_fwd->origin.host : name.toLatin1();
    if (proxy->passthrough(host)) {
        openPassthrough();
        return;
    }
    QString error;
    auto leaf = proxy->leafContext(host, &error);
    inner.originTls = true;
    inner.tls = true;
    inner.originHost = host;
    if (leaf && m_down.continueInTunnel(std::move(leaf), inner)) {
        m_recorder.dropCapture();
        finish();
        return;
    }
    m_ctx.notes.append(
        QStringLiteral("not decrypted: %1")
            .arg(error.isEmpty() ? QStringLiteral("the tunnel could not be handed over") : error));
    openPassthrough();
}

// A tunnel relayed byte for byte (proxy.passthrough, intercept_tls off): recorded as one CONNECT
// exchange with its byte counts when it ends.
void ProxyExchange::openPassthrough()
{
    QString error;
    m_fwd->peer.reset(http::RawTransport::connectTo(m_fwd->address, m_fwd->origin.port, &error));
    if (!m_fwd->peer) {
        if (m_fwd->answered) {
            m_down.abort();
            finish(QStringLiteral("cannot connect to %1: %2")
                       .arg(QString::fromLatin1(m_fwd->origin.authority()), error));
            return;
        }
        sendLocalReply({ 502, QStringLiteral("Bad Gateway"),
            QStringLiteral("cannot connect to %1: %2")
                .arg(QString::fromLatin1(m_fwd->origin.authority()), error),
            {}, "connect-failed" });
        return;
    }
    m_recorder.outcome().upstreamTarget
        = QStringLiteral("tcp://%1").arg(QString::fromLatin1(m_fwd->origin.authority()));
    m_fwd->connectSinceMs = steadyMs();
    http::Transport *peer = m_fwd->peer.get();
    peer->onConnected = [this] {
        m_fwd->peerConnected = true;
        m_recorder.markConnected();
        m_ctx.notes.append(QStringLiteral("tunnelled without decryption"));
        answerConnect();
        m_down.beginTunnel();
    };
    peer->onReadable = [this, peer] {
        char buffer[64 * 1024];
        for (;;) {
            const qint64 n = peer->read(buffer, sizeof(buffer));
            if (n == 0)
                return;
            if (n < 0) {
                m_down.endTunnel();
                finish();
                return;
            }
            m_down.sendTunnelData(buffer, size_t(n));
            if (m_down.pending() > 1024 * 1024)
                peer->setReadEnabled(false); // resumed by onDrained
        }
    };
    peer->onDrained = [this] { m_down.setReadPaused(false); };
    peer->onError = [this](const char *reason) {
        const QString why = QStringLiteral("%1: %2").arg(
            QString::fromLatin1(m_fwd->origin.authority()), QString::fromUtf8(reason));
        if (!m_fwd->peerConnected && !m_fwd->answered) {
            sendLocalReply({ 502, QStringLiteral("Bad Gateway"),
                QStringLiteral("cannot connect to %1").arg(why), {}, "connect-failed" });
            return;
        }
        m_down.abort();
        finish(QStringLiteral("tunnel to %1").arg(why));
    };
}

// A passthrough connect that does not finish, a tunnel whose client never speaks: true when the
// exchange ended here.
bool ProxyExchange::forwardTimedOut(qint64 nowMs)
{
    if (m_fwd->peer && !m_fwd->peerConnected && nowMs - m_fwd->connectSinceMs > 10'000) {
        m_fwd->peer.reset();
        const QString why = QStringLiteral("cannot connect to %1 within 10 s")
                                .arg(QString::fromLatin1(m_fwd->origin.authority()));
        if (m_fwd->answered) {
            m_down.abort();
            finish(why);
        } else {
            sendLocalReply({ 504, QStringLiteral("Gateway Timeout"), why, {}, "connect-timeout" });
        }
        return true;
    }
    if (m_fwd->sniffer
        && nowMs - m_fwd->sniffSinceMs > m_config->workspace().gateway.limits.headerTimeout.count()) {
        m_down.closeAfterResponse();
        finish(QStringLiteral("the client sent nothing through its CONNECT tunnel"));
        return true;
    }
    return false;
}

void ProxyExchange::forwardTunnelData(const char *data, size_t length)
{
    if (!m_fwd->peer)
        return;
    m_fwd->peer->send(QByteArray(data, qsizetype(length)));
    if (m_fwd->peer->pending() > 1024 * 1024)
        m_down.setReadPaused(true); // resumed by the peer's onDrained
}

} // namespace portico::gateway
