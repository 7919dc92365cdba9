#pragma once

#include "core/config/Diagnostic.h"
#include "core/config/Workspace.h"
#include "core/config/WorkspaceLoader.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <memory>

class QFileSystemWatcher;

namespace portico {
class Clock;
class MetricsRegistry;
namespace admin {
class AccessLog;
class AdminServer;
} // namespace admin
namespace capture {
class CaptureStore;
}
namespace gateway {
class Gateway;
struct DemoEnvironment;
} // namespace gateway
} // namespace portico

namespace portico::host {

// One running gateway with everything around it: the data plane (gateway::Gateway, which opens the
// capture store and its WAL checkpointer), the admin API following admin.enabled/admin.listen, the
// access log, the demo backends, and reload of the workspace file. `portico-cli serve` and the GUI
// each own one and only turn its signals into their output (lines on a terminal, a status bar).
//
// There is one revision number: the one of the config the gateway runs (revision()); the admin
// API reports it (GET /status, GET/PUT /config) and applied() carries it.
//
//   GatewayHost host(SystemClock::instance());
//   host.openAccessLog("-", &error);      // optional, before start()
//   host.startFile("/path/portico.yaml"); // load, apply, listen, admin API; problems as FILE:LINE
//   host.watchFile();                     // a change of the file reloads it (as reload(false))
//   ... host.reload(true) on SIGHUP; host.drain(30s) on SIGTERM
class GatewayHost final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayHost)

public:
    enum class ReloadResult { Unchanged, Applied, Failed };

    explicit GatewayHost(const Clock &clock, QObject *parent = nullptr);
    ~GatewayHost() override; // admin API first, then the gateway, then the access log (flushed)

    // The structured access log (see admin::AccessLog): "-" is standard output, anything else a
    // file appended to. Call once, before start(); false with *error when it cannot be opened (or
    // the host already has one, or runs).
    bool openAccessLog(const QString &destination, QString *error = nullptr);
    admin::AccessLog *accessLog() const { return m_accessLog.get(); }

    // Starts the built-in demo backends (they live as long as the host); returns the demo
    // workspace wired to them, or null with *error.
    config::WorkspacePtr startDemo(const QString &dataDir, QString *error);

    // Applies `ws`, starts listening and starts the admin API. Problems are named after `source`
    // (default: the workspace's file) as "SOURCE: error: MESSAGE". Already running: apply().
    config::Diagnostics start(const config::WorkspacePtr &ws, const QString &source = {});
    // Loads the workspace file (problems as FILE:LINE:COL) and remembers it for reload() and
    // watchFile(); start() then starts what it loaded.
    config::LoadResult loadFile(const QString &path);
    // loadFile() and start().
    config::Diagnostics startFile(const QString &path);
    // Hot-applies `ws` to the running gateway (or only remembers it when stopped); on a problem
    // the running config, its revision and its listeners stay as they were.
    config::Diagnostics apply(const config::WorkspacePtr &ws);
    // Reads the file given to startFile() again and applies it. Without `force`, a file whose
    // content did not change (or that cannot be read) is left alone. Applied: reloaded(); a
    // problem: reloadFailed() with the diagnostics, and the running config keeps serving.
    ReloadResult reload(bool force);
    // Reloads (as reload(false)) when the file given to startFile() changes. Editors often save by
    // writing a new file and renaming it over the old one: the folder is watched too, changes are
    // debounced (150 ms) and the content compared, so a touch alone does not reload.
    void watchFile();
    // Stops accepting, lets in-flight exchanges finish (at most `timeout`), flushes the capture
    // and stops the workers; the admin API stays up until stop() or the host goes.
    void drain(std::chrono::milliseconds timeout);
    // Stops the admin API (adminStopped()) and the gateway (runningChanged(false)).
    void stop();

    gateway::Gateway &gateway() const { return *m_gateway; }
    bool isRunning() const;
    int revision() const;
    QList<QUrl> listenUrls() const;
    MetricsRegistry &metrics() const;
    QString workspaceFile() const { return m_file; }

    // The gateway's capture store (null when capture is off; after stop() the last one, closed)
    // and its database file (empty when capture is off). captureChanged() announces the running
    // one (null once stopped).
    capture::CaptureStore *captureStore() const;
    QString captureDatabase() const { return m_capturePath; }
    // Exchanges in the capture database: those it held when the gateway opened it plus those
    // stored since (capped by the retention count). The store alone counts only the latter.
    qint64 capturedExchanges() const;

    // Where the admin API answers; empty while it is off (stopped gateway, admin.enabled false, or
    // its address could not be bound: adminFailed() said why).
    QUrl adminUrl() const;

Q_SIGNALS:
    void runningChanged(bool running);
    // A config went live: from start(), apply(), reload() or the admin API (PUT /config).
    void applied(int revision);
    // ... and it came from the admin API, not from this host's callers.
    void appliedElsewhere(int revision);
    // reload() applied the file, or found a problem (the running config keeps serving).
    void reloaded(int revision);
    void reloadFailed(const portico::config::Diagnostics &problems);
    // The capture store changed (started, stopped, or the database moved with a config).
    void captureChanged(portico::capture::CaptureStore *store, const QString &databasePath);
    // The admin API listens at `url` (started, or moved by a config).
    void adminListening(const QUrl &url);
    // A config turned the admin API off, or stop() stopped it.
    void adminStopped();
    // The admin API could not be bound; adminUrl() says whether it still answers where it was.
    void adminFailed(const QString &error);

private:
    config::Diagnostics problemsOf(const QStringList &problems, const QString &source) const;
    void announceCapture();
    void startAdmin();

    // Declared first, destroyed last: the workers write to it until the gateway is gone.
    std::unique_ptr<admin::AccessLog> m_accessLog;
    std::unique_ptr<gateway::DemoEnvironment> m_demo;
    std::unique_ptr<gateway::Gateway> m_gateway;
    std::unique_ptr<admin::AdminServer> m_admin; // after m_gateway: destroyed before it
    capture::CaptureStore *m_announcedStore = nullptr;
    QString m_capturePath;
    qint64 m_captureBaseline = 0;
    bool m_applying = false; // inside our own Gateway::apply()
    QString m_source; // names the running config in problems
    QString m_file; // the workspace file of startFile()
    QByteArray m_digest; // its content's hash when last read
    std::unique_ptr<QFileSystemWatcher> m_watcher;
    QTimer m_debounce;
};

} // namespace portico::host
