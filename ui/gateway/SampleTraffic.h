#pragma once

#include "core/config/Workspace.h"

#include <QObject>
#include <QUrl>

class QNetworkAccessManager;
class QTimer;

namespace portico::capture {
class CaptureStore;
}

namespace portico::ui {

// Sends a steady trickle of plausible requests through the gateway so that a first-time user sees
// the inspector and the dashboard working without writing a client. Only the demo's own routes
// and consumers, as the demo shipped them (setPlan), and only while the gateway runs the demo
// workspace: never a route, consumer or key the user added (whose limits it would use up). Each
// request carries "X-Portico-Sample: <token>", random per run; markStore() has the capture tag
// those rows (sample:true in the filter, "sample" in the table).
class SampleTraffic final : public QObject
{
    Q_OBJECT

public:
    explicit SampleTraffic(QObject *parent = nullptr);

    void setTarget(const QUrl &gatewayUrl, const config::WorkspacePtr &ws);
    // The demo workspace as it shipped; null: no sample traffic (not the demo).
    void setPlan(const config::WorkspacePtr &demo);
    // True when `ws` is the demo workspace the plan came from.
    bool isDemo(const config::Workspace &ws) const;
    // The capture store the gateway writes: it tags this traffic's rows.
    void markStore(capture::CaptureStore *store);
    QByteArray token() const { return m_token; }
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
    config::WorkspacePtr m_plan;
    QByteArray m_token;
    int m_sent = 0;
};

} // namespace portico::ui
