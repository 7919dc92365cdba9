#include "core/admin/AdminServer.h"

#include "core/admin/AdminHttpServer.h"
#include "core/admin/AdminMetrics.h"
#include "core/admin/AdminOrigin.h"
#include "core/admin/BodySender.h"
#include "core/admin/ConfigEndpoint.h"
#include "core/admin/ExchangesEndpoint.h"
#include "core/admin/LateResponder.h"
#include "core/admin/ReplayEndpoint.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/ExchangeJson.h"
#include "core/capture/Replayer.h"
#include "core/common/Version.h"
#include "core/gateway/Gateway.h"
#include "core/http/SocketAddress.h"

#include <QCryptographicHash>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QPointer>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

namespace portico::admin {

namespace {

using Method = QHttpServerRequest::Method;


QByteArray headerValue(const QHttpServerRequest &request, QByteArrayView name)
{
    for (const auto &h : request.headers()) {
        if (name.compare(h.first, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

// Both sides are hashed first so the comparison takes the same time whatever the lengths, and
// the loop does not stop at the first difference.
bool sameSecret(const QByteArray &given, const QByteArray &expected)
{
    const QByteArray a = QCryptographicHash::hash(given, QCryptographicHash::Sha256);
    const QByteArray b = QCryptographicHash::hash(expected, QCryptographicHash::Sha256);
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

// Every value of a header field (a repeated Host is an attack, not a list).
QByteArrayList headerValues(const QHttpServerRequest &request, QByteArrayView name)
{
    QByteArrayList out;
    for (const auto &h : request.headers()) {
        if (name.compare(h.first, Qt::CaseInsensitive) == 0)
            out.append(h.second);
    }
    return out;
}

AdminReply methodNotAllowed(const QByteArray &allow)
{
    AdminReply r = AdminReply::problem(405, "method-not-allowed", QStringLiteral("Method Not Allowed"),
        QStringLiteral("this resource accepts %1").arg(QString::fromLatin1(allow)));
    r.addHeader("Allow", allow);
    return r;
}

} // namespace

void writeReply(const AdminReply &reply, QHttpServerResponder &&responder)
{
    if (reply.bodyDevice) {
        // QHttpServerResponder::write(QIODevice *) takes its headers as an initializer_list
        // only, so the head is written here and BodySender streams the body.
        QTcpSocket *socket = responder.socket();
        const qint64 length = reply.bodyDevice->size() - reply.bodyDevice->pos();
        responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(reply.status));
        responder.writeHeader("Content-Type", reply.contentType);
        responder.writeHeader("Content-Length", QByteArray::number(length));
        for (const auto &[name, value] : reply.headers)
            responder.writeHeader(name, value);
        socket->write("\r\n");
        BodySender::start(socket, reply.bodyDevice);
        return;
    }
    QHttpServerResponse response(
        reply.contentType, reply.body, static_cast<QHttpServerResponse::StatusCode>(reply.status));
    for (const auto &[name, value] : reply.headers)
        response.addHeader(name, value);
    response.write(std::move(responder));
}

AdminServer::AdminServer(gateway::Gateway &gateway, QObject *parent)
    : QObject(parent)
    , m_gateway(gateway)
    , m_exchanges(std::make_unique<ExchangesEndpoint>(gateway))
    , m_replay(new ReplayEndpoint(gateway, *m_exchanges, this))
{
    registerAdminMetrics(m_gateway);
    // Every config applied after the first one is a reload.
    Counter &reloads = m_gateway.metrics().counter(
        "portico_config_reloads_total", "Configurations applied after the first one (hot reloads).");
    m_sawConfig = m_gateway.workspace() != nullptr;
    connect(&m_gateway, &gateway::Gateway::configApplied, this, [this, &reloads] {
        if (m_sawConfig)
            reloads.inc();
        m_sawConfig = true;
        followConfig();
    });
    m_http = std::make_unique<AdminHttpServer>(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            handle(request, std::move(responder));
        });
}

AdminServer::~AdminServer()
{
    // Replays still running hold responders: drop them while their sockets (owned by m_http)
    // still exist.
    qDeleteAll(findChildren<capture::Replayer *>(QString(), Qt::FindDirectChildrenOnly));
    // Exports stop at their next page; deleting each thread drops its pending responder.
    for (const auto &cancel : std::as_const(m_harExports))
        cancel->store(true);
    const QList<QThread *> exports = m_harExports.keys();
    m_harExports.clear();
    for (QThread *worker : exports) {
        worker->wait();
        delete worker;
    }
}

bool AdminServer::start(const config::HostPort &where, QString *error)
{
    m_following = true;
    return listenOn(where, error);
}

bool AdminServer::startFollowing(QString *error)
{
    m_following = true;
    const config::WorkspacePtr ws = m_gateway.workspace();
    if (!ws || !ws->admin.enabled)
        return true;
    return listenOn(ws->admin.listen, error);
}

bool AdminServer::listenOn(const config::HostPort &where, QString *error)
{
    const QHostAddress address = http::resolveListenHost(where.host);
    if (address.isNull()) {
        if (error)
            *error = QStringLiteral("admin.listen: cannot resolve %1").arg(where.host);
        return false;
    }
    // The config validator already refuses this; an address given to start() is checked here.
    if (!address.isLoopback() && adminToken().isEmpty()) {
        if (error)
            *error = QStringLiteral("admin.listen %1 is not a loopback address: the admin API needs "
                                    "admin.token there (or listen on 127.0.0.1, localhost or [::1])")
                         .arg(where.toString());
        return false;
    }
    auto *tcp = new QTcpServer(m_http.get());
    if (!tcp->listen(address, where.port)) {
        if (error)
            *error = QStringLiteral("admin.listen: cannot listen on %1: %2")
                         .arg(where.toString(), tcp->errorString());
        delete tcp;
        return false;
    }
    m_http->bind(tcp);
    // Only stop listening: the accepted sockets are children of the QTcpServer, and the request
    // that changed the address is still being answered on one of them.
    if (m_tcp)
        m_tcp->close();
    m_tcp = tcp;
    m_listen = where;
    m_port = tcp->serverPort();
    m_url = QUrl();
    m_url.setScheme(QStringLiteral("http"));
    m_url.setHost(where.host == u"localhost" ? where.host : address.toString());
    m_url.setPort(m_port);
    return true;
}

void AdminServer::followConfig()
{
    const config::WorkspacePtr ws = m_gateway.workspace();
    if (!m_following || !ws)
        return;
    if (!ws->admin.enabled) {
        if (!m_tcp || m_stopQueued)
            return;
        // configApplied() comes from inside gateway.apply(), which may be a PUT /config that is
        // still to write its answer: stop once it has.
        m_stopQueued = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_stopQueued = false;
                const config::WorkspacePtr now = m_gateway.workspace();
                if (m_tcp && now && !now->admin.enabled) {
                    stopListening();
                    Q_EMIT stopped();
                }
            },
            Qt::QueuedConnection);
        return;
    }
    if (m_tcp && ws->admin.listen == m_listen)
        return;
    QString error;
    if (listenOn(ws->admin.listen, &error))
        Q_EMIT addressChanged(m_url);
    else
        Q_EMIT addressChangeFailed(error);
}

void AdminServer::stopListening()
{
    // Every listener this server ever had (earlier addresses included) and the connections they
    // accepted, which are their children. disconnectFromHost() sends what is queued first.
    const auto servers = m_http->findChildren<QTcpServer *>(QString(), Qt::FindDirectChildrenOnly);
    for (QTcpServer *server : servers) {
        server->close();
        const auto sockets = server->findChildren<QTcpSocket *>(QString(), Qt::FindDirectChildrenOnly);
        for (QTcpSocket *socket : sockets)
            socket->disconnectFromHost();
    }
    m_tcp = nullptr;
    m_port = 0;
    m_url = QUrl();
}

QString AdminServer::adminToken() const
{
    const config::WorkspacePtr ws = m_gateway.workspace();
    return ws ? ws->admin.token : QString();
}

std::optional<AdminReply> AdminServer::checkOrigin(
    const QHttpServerRequest &request, const QTcpSocket *socket) const
{
    // The connection's own end names the listener it came through (an earlier address's
    // connections finish there after a move).
    const AdminOrigin policy(m_listen.host, socket ? socket->localAddress() : QHostAddress(),
        socket ? socket->localPort() : m_port);
    const QByteArrayList hosts = headerValues(request, "host");
    if (hosts.size() != 1 || !policy.hostAllowed(hosts.first())) {
        const QString given = hosts.isEmpty() ? QStringLiteral("no Host")
            : hosts.size() > 1                ? QStringLiteral("%1 Host fields").arg(hosts.size())
                               : QStringLiteral("Host '%1'").arg(QString::fromLatin1(hosts.first()));
        return AdminReply::problem(421, "misdirected-request", QStringLiteral("Misdirected Request"),
            QStringLiteral("the admin API answers only requests addressed to it: %1 is not one of %2")
                .arg(given, policy.describe()));
    }
    const QByteArrayList origins = headerValues(request, "origin");
    for (const QByteArray &origin : origins) {
        if (!policy.originAllowed(origin))
            return AdminReply::problem(403, "forbidden-origin", QStringLiteral("Forbidden Origin"),
                QStringLiteral("the admin API does not answer requests from web pages of another origin "
                               "(Origin '%1'); it sends no CORS headers")
                    .arg(QString::fromLatin1(origin)));
    }
    return std::nullopt;
}

std::optional<AdminReply> AdminServer::checkAuth(const QHttpServerRequest &request) const
{
    const QString token = adminToken();
    if (token.isEmpty()) {
        // Defence in depth: a listener that other machines reach never answers without a token
        // (a config that removed it while the listener stayed where it was).
        if (m_tcp && !m_tcp->serverAddress().isLoopback())
            return AdminReply::problem(403, "token-required", QStringLiteral("Token Required"),
                QStringLiteral("admin.listen is not a loopback address and admin.token is empty"));
        return std::nullopt;
    }
    const QByteArray authorization = headerValue(request, "authorization").trimmed();
    const bool bearer
        = authorization.size() > 7 && authorization.first(7).compare("bearer ", Qt::CaseInsensitive) == 0;
    if (bearer && sameSecret(authorization.mid(7).trimmed(), token.toUtf8()))
        return std::nullopt;
    AdminReply r = AdminReply::problem(401, "unauthorized", QStringLiteral("Unauthorized"),
        authorization.isEmpty() ? QStringLiteral("the admin API needs Authorization: Bearer <admin.token>")
                                : QStringLiteral("the bearer token does not match admin.token"));
    r.addHeader("WWW-Authenticate",
        authorization.isEmpty() ? QByteArray("Bearer realm=\"portico-admin\"")
                                : QByteArray("Bearer realm=\"portico-admin\", error=\"invalid_token\""));
    return r;
}

void AdminServer::handle(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    // Who may ask comes before what they send: a rebound or cross-site request learns nothing,
    // not even whether a token is needed.
    if (auto denied = checkOrigin(request, responder.socket())) {
        writeReply(*denied, std::move(responder));
        return;
    }
    if (auto denied = checkAuth(request)) {
        writeReply(*denied, std::move(responder));
        return;
    }
    const QString path = request.url().path();
    static const QRegularExpression replayPath(QStringLiteral("^/exchanges/([^/]+)/replay$"));
    const QRegularExpressionMatch replay = replayPath.match(path);
    if (replay.hasMatch()) {
        if (request.method() != Method::Post)
            writeReply(methodNotAllowed("POST"), std::move(responder));
        else
            m_replay->start(replay.captured(1), request, std::move(responder));
        return;
    }
    if (path == u"/exchanges.har") {
        if (request.method() != Method::Get)
            writeReply(methodNotAllowed("GET"), std::move(responder));
        else
            startHarExport(request, std::move(responder));
        return;
    }
    writeReply(route(request, path), std::move(responder));
}

AdminReply AdminServer::route(const QHttpServerRequest &request, const QString &path)
{
    const Method method = request.method();
    const bool get = method == Method::Get;
    if (path == u"/status")
        return get ? status() : methodNotAllowed("GET");
    if (path == u"/metrics") {
        if (!get)
            return methodNotAllowed("GET");
        return AdminReply::raw("text/plain; version=0.0.4; charset=utf-8", renderMetrics(m_gateway));
    }
    if (path == u"/config") {
        if (get)
            return getConfig(m_gateway);
        if (method == Method::Put)
            return putConfig(m_gateway, request.body(), headerValue(request, "content-type"));
        return methodNotAllowed("GET, PUT");
    }
    if (path == u"/exchanges")
        return get ? m_exchanges->list(request.query()) : methodNotAllowed("GET");
    static const QRegularExpression onePath(QStringLiteral("^/exchanges/([^/]+)$"));
    const QRegularExpressionMatch one = onePath.match(path);
    if (one.hasMatch())
        return get ? m_exchanges->get(one.captured(1)) : methodNotAllowed("GET");
    return AdminReply::problem(404, "not-found", QStringLiteral("Not Found"),
        QStringLiteral("no admin resource at %1; see GET /status, /metrics, /config, "
                       "/exchanges, /exchanges/{id}, /exchanges.har")
            .arg(path));
}

AdminReply AdminServer::status() const
{
    const config::WorkspacePtr ws = m_gateway.workspace();
    QJsonObject o;
    o.insert(QStringLiteral("version"), QString::fromLatin1(kVersion));
    const QDateTime started = m_gateway.startedAt();
    if (started.isValid() && m_gateway.isRunning()) {
        o.insert(QStringLiteral("started_at"), capture::rfc3339(started.toMSecsSinceEpoch()));
        o.insert(QStringLiteral("uptime_seconds"),
            double(started.msecsTo(QDateTime::currentDateTimeUtc())) / 1000.0);
    } else {
        o.insert(QStringLiteral("started_at"), QJsonValue(QJsonValue::Null));
        o.insert(QStringLiteral("uptime_seconds"), 0);
    }
    o.insert(QStringLiteral("running"), m_gateway.isRunning());
    QJsonArray listeners;
    for (const QUrl &url : m_gateway.listenUrls())
        listeners.append(url.toString());
    o.insert(QStringLiteral("listeners"), listeners);
    o.insert(QStringLiteral("admin"), m_url.toString());
    o.insert(QStringLiteral("config_revision"), m_gateway.revision());
    o.insert(QStringLiteral("workspace"),
        ws && !ws->filePath.isEmpty() ? QJsonValue(ws->filePath) : QJsonValue(QJsonValue::Null));
    o.insert(QStringLiteral("workers"), m_gateway.workerCount());
    o.insert(QStringLiteral("active_requests"), double(m_gateway.activeRequests()));
    o.insert(QStringLiteral("total_requests"), double(m_gateway.totalRequests()));
    QJsonObject capture;
    const capture::CaptureStore *store = m_gateway.captureStore();
    capture.insert(QStringLiteral("enabled"), store != nullptr);
    if (store) {
        capture.insert(QStringLiteral("database"), store->options().databasePath);
        capture.insert(QStringLiteral("stored"), double(store->storedRows()));
        capture.insert(QStringLiteral("dropped_rows"), double(store->droppedRows()));
        capture.insert(QStringLiteral("dropped_bodies"), double(store->droppedBodies()));
    }
    o.insert(QStringLiteral("capture"), capture);
    return AdminReply::json(o);
}

void AdminServer::startHarExport(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    AdminReply error;
    std::optional<HarExport> job = m_exchanges->harExport(request.query(), &error);
    if (!job) {
        writeReply(error, std::move(responder));
        return;
    }
    LateResponder late(std::move(responder));
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    auto result = std::make_shared<AdminReply>();
    QThread *replyThread = thread();
    QThread *worker = QThread::create(
        [job = std::move(*job), cancel, result, replyThread] { *result = job.run(*cancel, replyThread); });
    m_harExports.insert(worker, cancel);
    connect(worker, &QThread::finished, this, [this, worker, late, result] {
        m_harExports.remove(worker);
        worker->deleteLater();
        // Taken out of `result` so that the temporary file lives as long as its transfer only.
        const AdminReply reply = std::move(*result);
        if (late.clientGone())
            return;
        writeReply(reply, std::move(*late.responder));
    });
    worker->start();
}

} // namespace portico::admin
