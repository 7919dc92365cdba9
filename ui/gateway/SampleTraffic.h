#pragma once

#include "core/config/Workspace.h"

#include <QObject>
#include <QUrl>

class QNetworkAccessManager;
class QTimer;

namespace portico::ui {

// Sends a steady trickle of plausible requests through the gateway (every route of the workspace,
// with the consumers' keys, some unknown paths and bad keys) so that a first-time user sees the
// inspector and the dashboard working without writing a client.
class SampleTraffic final : public QObject
{
    Q_OBJECT

public:
    explicit SampleTraffic(QObject *parent = nullptr);

    void setTarget(const QUrl &gatewayUrl, const config::WorkspacePtr &ws);
    void setRunning(bool on);
    bool isRunning() const;
    void setInterval(int ms);
    int sent() const { return m_sent; }

private:
    void sendOne();

    QNetworkAccessManager *m_nam;
    QTimer *m_timer;
    QUrl m_base;
    config::WorkspacePtr m_workspace;
    int m_sent = 0;
};

} // namespace portico::ui
