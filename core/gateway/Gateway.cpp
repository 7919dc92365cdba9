#include "core/gateway/Gateway.h"

#include "core/gateway/EpollEventDispatcher.h"

#include "core/capture/CaptureStore.h"
#include "core/gateway/HealthChecker.h"
#include "core/gateway/OtlpExporter.h"
#include "core/gateway/Worker.h"
#include "core/http/SocketAddress.h"
#include "core/http/TlsContext.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFile>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QThread>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace portico::gateway {

namespace {

// Every client and upstream connection is a descriptor, and each worker keeps up to 1024 idle
// upstream connections per target: systemd's default soft limit of 1024 is reached by a few
// hundred busy clients. The soft limit is raised to the hard one (as nginx's worker_rlimit_nofile
// and Go's runtime do), capped at 2^20. Nothing in the process uses select().
void raiseDescriptorLimit()
{
    rlimit rl {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    constexpr rlim_t kCap = rlim_t(1) << 20;
    const rlim_t want = rl.rlim_max == RLIM_INFINITY ? kCap : std::min(rl.rlim_max, kCap);
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = want;
    ::setrlimit(RLIMIT_NOFILE, &rl);
}

// Binds one socket; port 0 asks the kernel for a port (then all workers share it). A listener
// has SO_REUSEPORT (one socket per worker on the same port); a probe has not (see bindListeners).
enum class BindFor { Listen, Probe };
int bindSocket(const QHostAddress &address, quint16 port, QString *error, BindFor purpose = BindFor::Listen)
{
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QString::fromLocal8Bit(strerror(errno));
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (purpose == BindFor::Listen)
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    sockaddr_storage ss;
    const socklen_t len = http::toSockaddr(address, port, &ss);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&ss), len) < 0
        || (purpose == BindFor::Listen && ::listen(fd, 1024) < 0)) {
        *error = QString::fromLocal8Bit(strerror(errno));
        ::close(fd);
        return -1;
    }
    return fd;
}

quint16 boundPort(int fd)
{
    sockaddr_storage ss {};
    socklen_t len = sizeof(ss);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
    return http::fromSockaddr(ss).second;
}

} // namespace

Gateway::Gateway(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_health(std::make_unique<HealthChecker>())
{
    m_state.services.clock = &m_clock;
    m_state.services.metrics = &m_state.metrics;
    connect(m_health.get(), &HealthChecker::targetHealthChanged, this, &Gateway::targetHealthChanged);
    m_state.metrics.gauge("portico_capture_dropped_total", "Exchanges (rows) and bodies the capture store dropped under overload.",
                          [this] {
                              return m_capture ? double(m_capture->droppedRows() + m_capture->droppedBodies()) : 0.0;
                          },
                          "counter");
    m_state.metrics.gauge("portico_active_requests", "Requests in flight.",
                          [this] { return double(m_state.activeRequests.load()); });
}

Gateway::~Gateway()
{
    if (isRunning())
        drain(std::chrono::milliseconds(0));
}

config::WorkspacePtr Gateway::workspace() const
{
    auto c = m_state.config();
    return c ? c->workspacePtr() : nullptr;
}

int Gateway::workerCountFor(const config::Workspace &ws)
{
    return ws.gateway.workers > 0 ? ws.gateway.workers : std::max(1, QThread::idealThreadCount());
}

QStringList Gateway::loadTls(const config::Workspace &ws, std::shared_ptr<const http::TlsContext> *out)
{
    if (!ws.gateway.tls)
        return {};
    QStringList errors;
    QFile certFile(ws.resolvePath(ws.gateway.tls->cert));
    QFile keyFile(ws.resolvePath(ws.gateway.tls->key));
    if (!certFile.open(QIODevice::ReadOnly))
        return { QStringLiteral("gateway.tls.cert: cannot read %1").arg(certFile.fileName()) };
    if (!keyFile.open(QIODevice::ReadOnly))
        return { QStringLiteral("gateway.tls.key: cannot read %1").arg(keyFile.fileName()) };
    const auto chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
    const QByteArray keyPem = keyFile.readAll();
    QSslKey key(keyPem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyPem, QSsl::Ec, QSsl::Pem);
    if (chain.isEmpty())
        errors << QStringLiteral("gateway.tls.cert: no PEM certificate in %1").arg(certFile.fileName());
    if (key.isNull())
        errors << QStringLiteral("gateway.tls.key: no usable PEM private key in %1").arg(keyFile.fileName());
    if (!errors.isEmpty())
        return errors;
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setLocalCertificateChain(chain);
    c.setPrivateKey(key);
    c.setPeerVerifyMode(QSslSocket::VerifyNone);
    c.setProtocol(QSsl::TlsV1_2OrLater);
    // ALPN: HTTP/2 first where it is on, HTTP/1.1 always (and for clients that offer nothing).
    c.setAllowedNextProtocols(ws.gateway.http2 ? QList<QByteArray> { "h2", "http/1.1" } : QList<QByteArray> { "http/1.1" });
    QString error;
    *out = http::TlsContext::server(c, &error); // one SSL_CTX for every connection of the listeners
    if (!*out)
        return { QStringLiteral("gateway.tls: %1").arg(error) };
    return {};
}

QList<std::pair<QHostAddress, quint16>> Gateway::heldListeners() const
{
    QList<std::pair<QHostAddress, quint16>> held;
    for (const QUrl &url : m_listenUrls)
        held.append({ http::resolveListenHost(url.host()), quint16(url.port()) });
    if (m_proxyUrl.isValid())
        held.append({ http::resolveListenHost(m_proxyUrl.host()), quint16(m_proxyUrl.port()) });
    return held;
}

QStringList Gateway::bindListeners(const config::Workspace &ws, int workers,
    const QList<std::pair<QHostAddress, quint16>> &held, std::vector<BoundListener> *out)
{
    QStringList errors;
    QList<config::HostPort> wanted = ws.gateway.listen;
    if (ws.proxy)
        wanted.append(ws.proxy->listen); // the last one
    for (qsizetype index = 0; index < wanted.size(); ++index) {
        const config::HostPort &hp = wanted[index];
        BoundListener bl;
        bl.where = hp;
        bl.forwardProxy = ws.proxy && index == wanted.size() - 1;
        const QString key
            = bl.forwardProxy ? QStringLiteral("proxy.listen") : QStringLiteral("gateway.listen");
        const QHostAddress address = http::resolveListenHost(hp.host);
        if (address.isNull()) {
            errors << QStringLiteral("%1: cannot resolve %2").arg(key, hp.host);
            continue;
        }
        quint16 port = hp.port;
        // SO_REUSEPORT would also let a second Portico (or anything else with the option) join
        // this port and take a share of its connections. A plain bind first finds any other
        // listener; only the ones this gateway holds itself may be bound again (a reload).
        if (port != 0 && !held.contains(std::pair(address, port))) {
            QString error;
            const int probe = bindSocket(address, port, &error, BindFor::Probe);
            if (probe < 0) {
                errors << QStringLiteral("%1: cannot listen on %2: %3").arg(key, hp.toString(), error);
                continue;
            }
            ::close(probe);
        }
        for (int i = 0; i < workers; ++i) {
            QString error;
            const int fd = bindSocket(address, port, &error);
            if (fd < 0) {
                errors << QStringLiteral("%1: cannot listen on %2: %3").arg(key, hp.toString(), error);
                break;
            }
            if (port == 0)
                port = boundPort(fd);
            bl.fds.push_back(fd);
        }
        QUrl url;
        url.setScheme(ws.gateway.tls && !bl.forwardProxy ? QStringLiteral("https") : QStringLiteral("http"));
        url.setHost(address.protocol() == QAbstractSocket::IPv6Protocol ? address.toString() : hp.host == u"localhost" ? hp.host : address.toString());
        url.setPort(port);
        bl.url = url;
        out->push_back(std::move(bl));
    }
    if (!errors.isEmpty()) {
        for (auto &bl : *out) {
            for (int fd : bl.fds)
                ::close(fd);
        }
        out->clear();
    }
    return errors;
}

void Gateway::handListenersToWorkers(
    std::vector<BoundListener> &listeners, const std::shared_ptr<const http::TlsContext> &tls, bool tlsOn)
{
    m_listenUrls.clear();
    m_proxyUrl = QUrl();
    for (size_t w = 0; w < m_workers.size(); ++w) {
        Worker *worker = m_workers[w];
        std::vector<std::pair<int, bool>> fds; // descriptor, forward proxy
        for (auto &bl : listeners)
            fds.emplace_back(bl.fds[w], bl.forwardProxy);
        QMetaObject::invokeMethod(
            worker,
            [worker, fds, tls, tlsOn] {
                worker->closeListeners();
                for (const auto &[fd, forwardProxy] : fds)
                    worker->addListener(fd, tlsOn && !forwardProxy, tls, forwardProxy);
            },
            Qt::BlockingQueuedConnection);
    }
    QList<quint16> ports;
    for (auto &bl : listeners) {
        if (bl.forwardProxy)
            m_proxyUrl = bl.url;
        else
            m_listenUrls.append(bl.url);
        ports.append(quint16(bl.url.port()));
    }
    m_state.setBoundPorts(ports);
}

capture::CaptureOptions Gateway::captureOptions(const config::Workspace &ws) const
{
    capture::CaptureOptions o;
    o.databasePath = ws.capture.enabled ? ws.resolvePath(ws.capture.database) : QString();
    // The credentials the workspace itself knows are never stored, whatever redact_headers says:
    // Authorization (bearer tokens, basic) and every api_key scheme's header and query parameter.
    // (Proxy-Authorization the store adds itself.)
    o.redactHeaders = ws.capture.redactHeaders;
    auto redactHeader = [&o](const QString &name) {
        if (!name.isEmpty() && !o.redactHeaders.contains(name, Qt::CaseInsensitive))
            o.redactHeaders.append(name.toLower());
    };
    redactHeader(QStringLiteral("authorization"));
    for (const config::AuthScheme &a : ws.auth) {
        if (a.type != config::AuthType::ApiKey)
            continue;
        redactHeader(a.header);
        if (!a.query.isEmpty() && !o.redactQueryParameters.contains(a.query))
            o.redactQueryParameters.append(a.query);
    }
    o.maxBodyBytes = ws.capture.maxBodyBytes;
    o.maxExchanges = ws.capture.retention.maxExchanges;
    o.maxAge = ws.capture.retention.maxAge;
    o.clock = &m_clock;
    return o;
}

QStringList Gateway::openCapture(const config::Workspace &ws)
{
    const capture::CaptureOptions o = captureOptions(ws);
    const QString path = o.databasePath;
    if (path == m_capturePath && (m_capture || path.isEmpty())) {
        // Same file: what to redact, the body cap and retention follow the new config.
        if (m_capture)
            m_capture->reconfigure(o);
        return {};
    }
    std::unique_ptr<capture::CaptureStore> store;
    if (!path.isEmpty()) {
        store = std::make_unique<capture::CaptureStore>(o);
        QString error;
        if (!store->open(&error))
            return { QStringLiteral("capture.database: cannot open %1: %2").arg(path, error) };
    }
    m_state.setCapture(store.get());
    if (m_capture) {
        // Workers may still be inside submit() on the old store: close it (which flushes what it
        // holds) but keep the object alive until the gateway itself goes.
        m_capture->close();
        m_retiredCaptures.push_back(std::move(m_capture));
    }
    m_capture = std::move(store);
    m_capturePath = path;
    return {};
}

QStringList Gateway::apply(config::WorkspacePtr workspace)
{
    QStringList errors;
    const RuntimeConfigPtr previous = m_state.config();
    RuntimeConfigPtr compiled = RuntimeConfig::compile(workspace, previous.get(), m_state.services, &errors);
    if (!compiled)
        return errors;
    if (isRunning()) {
        const config::Workspace &old = previous->workspace();
        const auto proxyListen = [](const config::Workspace &w) {
            return w.proxy ? std::optional(w.proxy->listen) : std::nullopt;
        };
        const bool listenersChanged = old.gateway.listen != workspace->gateway.listen
            || old.gateway.tls != workspace->gateway.tls || proxyListen(old) != proxyListen(*workspace);
        if (listenersChanged) {
            std::shared_ptr<const http::TlsContext> tls;
            errors = loadTls(*workspace, &tls);
            std::vector<BoundListener> listeners;
            if (errors.isEmpty())
                errors = bindListeners(*workspace, int(m_workers.size()), heldListeners(), &listeners);
            if (!errors.isEmpty())
                return errors;
            handListenersToWorkers(listeners, tls, workspace->gateway.tls.has_value());
        }
        errors = openCapture(*workspace);
        if (!errors.isEmpty())
            return errors;
        m_health->setClusters(compiled->clusters());
    }
    // tracing.otlp: a new exporter when its settings change; the replaced one stays (and sends what
    // it holds) until the gateway stops, since a worker may be handing it a span right now.
    const std::optional<config::OtlpSettings> &otlp = workspace->tracing.otlp;
    if (!(m_otlp && otlp && m_otlp->settings() == *otlp)) {
        m_state.setTraceSink(nullptr);
        if (m_otlp)
            m_retiredOtlp.push_back(std::move(m_otlp));
        if (otlp) {
            m_otlp = std::make_unique<OtlpExporter>(*otlp, &m_state.metrics);
            m_state.setTraceSink(m_otlp.get());
        }
    }
    m_state.setConfig(compiled);
    Q_EMIT configApplied(compiled->revision());
    return {};
}

QStringList Gateway::start()
{
    const RuntimeConfigPtr config = m_state.config();
    if (!config)
        return { QStringLiteral("no workspace applied") };
    if (isRunning())
        return {};
    const config::Workspace &ws = config->workspace();
    std::shared_ptr<const http::TlsContext> tls;
    QStringList errors = loadTls(ws, &tls);
    const int workers = workerCountFor(ws);
    std::vector<BoundListener> listeners;
    if (errors.isEmpty())
        errors = bindListeners(ws, workers, {}, &listeners);
    if (errors.isEmpty())
        errors = openCapture(ws);
    if (!errors.isEmpty()) {
        for (auto &bl : listeners) {
            for (int fd : bl.fds)
                ::close(fd);
        }
        return errors;
    }
    m_state.setDraining(false);
    raiseDescriptorLimit();
    for (int i = 0; i < workers; ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("portico-worker-%1").arg(i));
        // Workers run on epoll (see EpollEventDispatcher); PORTICO_EVENT_LOOP=qt keeps Qt's own
        // loop, for comparison or as a way out.
        if (qEnvironmentVariable("PORTICO_EVENT_LOOP") != u"qt") {
            auto *dispatcher = new EpollEventDispatcher;
            if (dispatcher->isValid())
                thread->setEventDispatcher(dispatcher);
            else
                delete dispatcher;
        }
        auto *worker = new Worker(&m_state, i);
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        m_threads.push_back(thread);
        m_workers.push_back(worker);
    }
    handListenersToWorkers(listeners, tls, ws.gateway.tls.has_value());
    m_health->setClusters(config->clusters());
    m_startedAt = QDateTime::currentDateTimeUtc();
    Q_EMIT started();
    return {};
}

// How long stopping may wait for the OTLP collector to take the spans still queued.
constexpr std::chrono::milliseconds kOtlpDrainBudget(2000);

void Gateway::drain(std::chrono::milliseconds timeout)
{
    if (!isRunning())
        return;
    m_state.setDraining(true);
    for (Worker *w : m_workers)
        QMetaObject::invokeMethod(w, [w] { w->closeListeners(); }, Qt::BlockingQueuedConnection);
    const QDeadlineTimer deadline(timeout);
    while (m_state.activeRequests.load() > 0 && !deadline.hasExpired()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
    for (Worker *w : m_workers)
        QMetaObject::invokeMethod(w, [w] { w->shutdownConnections(); }, Qt::BlockingQueuedConnection);
    for (QThread *t : m_threads) {
        t->quit();
        t->wait();
        delete t;
    }
    m_threads.clear();
    m_workers.clear();
    m_health->setClusters({});
    m_listenUrls.clear();
    m_proxyUrl = QUrl();
    if (m_capture)
        m_capture->flush();
    // The workers are gone, so no span comes any more: the last export, bounded (a collector that
    // is away must not hold the stop up); what does not make it is counted as dropped.
    const QDeadlineTimer spansDeadline(kOtlpDrainBudget);
    for (auto &retired : m_retiredOtlp)
        retired->drain(std::chrono::milliseconds(std::max<qint64>(1, spansDeadline.remainingTime())));
    m_retiredOtlp.clear();
    if (m_otlp)
        m_otlp->drain(std::chrono::milliseconds(std::max<qint64>(1, spansDeadline.remainingTime())));
    m_state.setDraining(false);
    Q_EMIT stopped();
}

} // namespace portico::gateway
