#pragma once

#include "core/config/Workspace.h"

#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace portico {
class Clock;
class MetricsRegistry;
namespace capture {
class CaptureStore;
}
namespace gateway {
class Gateway;
}
namespace host {
class GatewayHost;
}
} // namespace portico

namespace portico::ui {

// The gateway as the GUI drives it: start and stop, hot-apply an edited workspace, and the demo
// environment. Everything runs in a host::GatewayHost (gateway, capture, admin API, access log,
// as for `serve`); this class only turns its problems into strings and its admin API signals into
// one adminChanged() for the status bar.
class GatewayController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayController)

public:
    explicit GatewayController(const Clock &clock, QObject *parent = nullptr);
    ~GatewayController() override;

    host::GatewayHost &host() const { return *m_host; }
    gateway::Gateway *gateway() const;
    bool isRunning() const;
    QStringList listenUrls() const;
    MetricsRegistry &metrics() const;
    // The running capture store (null when stopped or capture is off) and its database file.
    capture::CaptureStore *captureStore() const;
    QString captureDatabase() const;
    // Exchanges in the capture database: those it held when the gateway opened it plus those
    // stored since (capped by the retention count). The store alone counts only the latter.
    qint64 capturedExchanges() const;
    // Where the admin API answers; empty while it is off (stopped gateway, admin.enabled false, or
    // its address could not be bound: adminChanged() said why).
    QUrl adminUrl() const;

    // Applies `ws` and starts listening; returns the problems (empty = running).
    QStringList start(const config::WorkspacePtr &ws);
    void stop();
    // Hot-reloads a running gateway (or only remembers the workspace when stopped).
    QStringList apply(const config::WorkspacePtr &ws);

    // Starts the built-in demo backends; returns the demo workspace wired to them, or null + *error.
    config::WorkspacePtr startDemo(const QString &dataDir, QString *error);

Q_SIGNALS:
    void runningChanged(bool running);
    // The capture store changed (started, stopped, or the database moved with an apply).
    void captureChanged(portico::capture::CaptureStore *store, const QString &databasePath);
    void applied(int revision);
    // A configuration came from elsewhere (the admin API's PUT /config), not from start() or
    // apply(): the running gateway no longer matches the document. applied() is emitted too.
    void appliedElsewhere(int revision);
    // The admin API started, moved or stopped (`url` empty), or could not bind (`problem`).
    void adminChanged(const QUrl &url, const QString &problem);

private:
    std::unique_ptr<host::GatewayHost> m_host;
    int m_adminFailures = 0; // adminFailed() seen so far
};

} // namespace portico::ui
