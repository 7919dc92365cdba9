#pragma once

#include "core/admin/AdminReply.h"
#include "core/config/Workspace.h"

#include <QHash>
#include <QObject>
#include <QUrl>

#include <atomic>
#include <memory>
#include <optional>

class QHttpServerRequest;
class QTcpServer;
class QTcpSocket;
class QThread;
class QHttpServerResponder;

namespace portico::gateway {
class Gateway;
}

namespace portico::admin {

class AdminHttpServer;
class ExchangesEndpoint;
class ReplayEndpoint;

// The admin REST API (contract: docs/interfaces.md) over a running Gateway, on
// QtHttpServer, on the thread that owns the Gateway (the CLI's main thread or the GUI's):
//
//   GET /status                 version, uptime, listeners, config revision, workers, active requests
//   GET /metrics                Prometheus text (text/plain; version=0.0.4)
//   GET /config, PUT /config    the running workspace as JSON; validate and apply a new one
//   GET /exchanges?filter=&limit=&before=, GET /exchanges/{id}, GET /exchanges.har?filter=
//   POST /exchanges/{id}/replay[?target=URL&header=Name:Value...]   -> {"id": new exchange id, ...}
//     sent through the gateway listener that captured it (never to the Host the client sent);
//     target may only be this machine, a listener of this gateway or a configured upstream (403)
//
// Only its own origin reaches it (AdminOrigin): a Host that does not name this listener is a 421,
// a foreign Origin a 403, and no CORS header is ever sent. When the running workspace has
// admin.token, every call needs `Authorization: Bearer <token>` (compared in constant time; the
// token is read per request, so PUT /config can change it); otherwise 401 problem+json with
// WWW-Authenticate: Bearer. A listener that is not on loopback needs a token: it is not opened
// without one. Errors are problem+json.
//
//   AdminServer admin(gateway);
//   if (!admin.startFollowing(&error)) ...   // or start(address) to listen whatever admin.enabled says
//   admin.url();  // http://127.0.0.1:9080, with the real port when started on port 0
class AdminServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminServer)

public:
    explicit AdminServer(gateway::Gateway &gateway, QObject *parent = nullptr);
    ~AdminServer() override;

    // Binds the listener (port 0 = a free port). False with *error if the address cannot be
    // resolved or bound. Call once (or startFollowing() instead). Once started, the server follows
    // the admin section of every config the gateway applies (see startFollowing()).
    bool start(const config::HostPort &where, QString *error = nullptr);
    // Follows the admin section of the gateway's config, now and on every config it applies later
    // (file reload, SIGHUP, PUT /config, the GUI's Apply):
    //  - admin.enabled: listens on admin.listen while true. When a config turns it off, the stop
    //    runs from the event loop, after the call that applied it has written its answer (a PUT
    //    /config that disables the API gets its 200); then the listener closes and the open admin
    //    connections are closed once their pending bytes are out. stopped() tells.
    //  - admin.listen: a new address is bound first and the old one closed (connections that are
    //    open, such as the PUT /config that made the change, finish); addressChanged() tells. If
    //    the new address cannot be bound, the old one stays (or the API stays off) and
    //    addressChangeFailed() tells why.
    //  - admin.token: read per request, so it applies to the next request without a rebind.
    // Returns false with *error when the current config enables the API and it cannot be bound;
    // later configs are followed all the same. Call once.
    bool startFollowing(QString *error = nullptr);
    bool isListening() const { return m_port != 0; }
    // GET /exchanges.har exports still being written (each on a thread of its own).
    int harExportsRunning() const { return int(m_harExports.size()); }
    quint16 port() const { return m_port; }
    QUrl url() const { return m_url; }

Q_SIGNALS:
    // Listening at `url`: started by a config that enabled the API, or moved to a new address.
    void addressChanged(const QUrl &url);
    void addressChangeFailed(const QString &error);
    // A config disabled the API: no longer listening, open admin connections closed.
    void stopped();

private:
    bool listenOn(const config::HostPort &where, QString *error);
    void followConfig();
    void stopListening();
    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    // Null when the request may proceed, otherwise the 421 (Host) or 403 (Origin) to send; see
    // AdminOrigin.
    std::optional<AdminReply> checkOrigin(const QHttpServerRequest &request, const QTcpSocket *socket) const;
    // Null when the request may proceed, otherwise the 401 to send.
    std::optional<AdminReply> checkAuth(const QHttpServerRequest &request) const;
    QString adminToken() const;
    AdminReply route(const QHttpServerRequest &request, const QString &path);
    AdminReply status() const;
    // GET /exchanges.har: the export runs on a thread of its own and the reply streams the file it
    // wrote; a client that left meanwhile is not written to.
    void startHarExport(const QHttpServerRequest &request, QHttpServerResponder &&responder);

    gateway::Gateway &m_gateway;
    std::unique_ptr<AdminHttpServer> m_http;
    std::unique_ptr<ExchangesEndpoint> m_exchanges;
    ReplayEndpoint *m_replay = nullptr; // a child: replays in flight finish with it
    bool m_sawConfig = false; // a configApplied() after the first config is a reload
    bool m_following = false; // start() or startFollowing() was called
    bool m_stopQueued = false;
    config::HostPort m_listen; // as configured (port 0 stays 0)
    QTcpServer *m_tcp = nullptr;
    quint16 m_port = 0;
    QUrl m_url;
    // Running exports and their cancel flags (set and waited for by the destructor).
    QHash<QThread *, std::shared_ptr<std::atomic<bool>>> m_harExports;
};

// Writes a reply to a responder (used for late replies too; the caller checks the socket is alive).
void writeReply(const AdminReply &reply, QHttpServerResponder &&responder);

} // namespace portico::admin
