#pragma once

#include "core/config/Workspace.h"

#include <QObject>
#include <QTcpServer>

#include <memory>
#include <vector>

namespace portico::gateway {

// The demo workspace's own backends: small JSON APIs (users v1/v2, orders) on loopback ports,
// served inside the Portico process so `serve --demo` and the GUI's first start work with nothing
// else installed. Each answers /healthz, its resource paths, and echoes what the gateway added
// (X-Consumer-Name, X-Forwarded-For, traceparent) so the inspector has something to show.
class DemoBackend final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoBackend)

public:
    explicit DemoBackend(const QString &name, QObject *parent = nullptr);
    bool listen(); // 127.0.0.1, port 0
    quint16 port() const { return m_server.serverPort(); }
    const QString &name() const { return m_name; }

private:
    void onConnection();
    QByteArray answer(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                      const QList<std::pair<QByteArray, QByteArray>> &headers, int *status);

    QString m_name;
    QTcpServer m_server;
};

// Starts the demo backends and returns the demo workspace wired to them, or null with `error`.
// The workspace's file path is placed in `dataDir` so that its relative paths (the capture
// database) land there.
struct DemoEnvironment
{
    std::vector<std::unique_ptr<DemoBackend>> backends;
    config::WorkspacePtr workspace;
};
std::unique_ptr<DemoEnvironment> startDemo(const QString &dataDir, QString *error);
// The demo workspace's YAML text with the backend ports filled in.
QByteArray demoWorkspaceText(const DemoEnvironment &env);

} // namespace portico::gateway
