#pragma once

#include "core/config/Workspace.h"

#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace portico {
class Clock;
class MetricsRegistry;
namespace admin {
class AdminServer;
}
namespace capture {
class CaptureStore;
}
namespace gateway {
class Gateway;
struct DemoEnvironment;
} // namespace gateway
} // namespace portico

namespace portico::ui {

// The gateway as the GUI drives it: start and stop, hot-apply an edited workspace, and the demo
// environment (its backends live as long as the controller). Reports the listeners and the
// capture store, which the traffic inspector and the dashboard follow. While the gateway runs,
// the admin API serves on admin.listen and follows every applied workspace, as `serve` does.
class GatewayController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayController)

public:
    explicit GatewayController(const Clock &clock, QObject *parent = nullptr);
    ~GatewayController() override;

    gateway::Gateway *gateway() const { return m_gateway.get(); }
    bool isRunning() const;
    QStringList listenUrls() const;
    MetricsRegistry &metrics() const;
    // The running capture store (null when stopped or capture is off) and its database file.
    capture::CaptureStore *captureStore() const;
    QString captureDatabase() const { return m_capturePath; }
    // Exchanges in the capture database: those it held when the gateway opened it plus those
    // stored since (capped by the retention count). The store alone counts only the latter.
    qint64 capturedExchanges() const;
    // Where the admin API answers; empty while it is off (stopped gateway, admin.enabled false, or
    // its address could not be bound: adminProblem() says why).
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
    void announceCapture();
    void startAdmin();

    std::unique_ptr<gateway::Gateway> m_gateway;
    std::unique_ptr<gateway::DemoEnvironment> m_demo;
    std::unique_ptr<admin::AdminServer> m_admin; // after m_gateway: destroyed before it
    capture::CaptureStore *m_announcedStore = nullptr;
    QString m_capturePath;
    qint64 m_captureBaseline = 0;
    bool m_applying = false; // inside our own Gateway::apply()
};

} // namespace portico::ui
