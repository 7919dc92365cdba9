#pragma once

#include "core/config/Workspace.h"

#include <QObject>
#include <QStringList>

#include <memory>

namespace portico {
class Clock;
class MetricsRegistry;
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
// capture store, which the traffic inspector and the dashboard follow.
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

private:
    void announceCapture();

    std::unique_ptr<gateway::Gateway> m_gateway;
    std::unique_ptr<gateway::DemoEnvironment> m_demo;
    capture::CaptureStore *m_announcedStore = nullptr;
    QString m_capturePath;
};

} // namespace portico::ui
