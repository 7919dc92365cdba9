#pragma once

#include "core/common/Clock.h"
#include "core/config/Workspace.h"
#include "core/gateway/GatewayState.h"

#include <QDateTime>
#include <QHostAddress>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <vector>

class QThread;

namespace portico::capture {
class CaptureStore;
struct CaptureOptions;
}

namespace portico::http {
class TlsContext;
}

namespace portico::gateway {

class HealthChecker;
class OtlpExporter;
class Worker;

// The data plane as one object: listeners, worker threads, the compiled config, the capture store,
// health checks and metrics. Lives on the control thread (the CLI's main thread or the GUI's).
//
//   Gateway gw(SystemClock::instance());
//   gw.apply(workspace);   // validate/compile; nothing changes on error
//   gw.start();            // bind listeners, start workers
//   ... gw.apply(newWorkspace) hot-reloads: new requests use the new config, in-flight ones finish
//   gw.drain(30s);         // stop accepting, finish in-flight, flush the capture, stop
class Gateway final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Gateway)

public:
    explicit Gateway(const Clock &clock, QObject *parent = nullptr);
    ~Gateway() override;

    // Compiles and swaps in a workspace. Returns the problems (empty = applied). When running,
    // listener and capture changes are applied too; if any of that fails, nothing changes.
    QStringList apply(config::WorkspacePtr workspace);
    QStringList start();
    // Stops accepting, lets in-flight exchanges finish (at most `timeout`), flushes the capture,
    // stops the workers and sends the spans still queued for tracing.otlp (at most 2 s more).
    // Blocks while it waits, spinning the event loop.
    void drain(std::chrono::milliseconds timeout);
    void stop() { drain(std::chrono::milliseconds(0)); }

    bool isRunning() const { return !m_workers.empty(); }
    config::WorkspacePtr workspace() const;
    // The revision of the config in use (0 before the first apply); see RuntimeConfig::compile.
    int revision() const { return m_state.revision(); }
    QDateTime startedAt() const { return m_startedAt; }
    // One URL per listener, with the real port (useful with port 0).
    QList<QUrl> listenUrls() const { return m_listenUrls; }
    // The forward proxy's listener (proxy.listen, real port), empty without a proxy section.
    QUrl proxyUrl() const { return m_proxyUrl; }
    MetricsRegistry &metrics() { return m_state.metrics; }
    GatewayState &state() { return m_state; }
    capture::CaptureStore *captureStore() const { return m_capture.get(); }
    int workerCount() const { return int(m_workers.size()); }
    quint64 activeRequests() const { return m_state.activeRequests.load(); }
    quint64 totalRequests() const { return m_state.totalRequests.load(); }

Q_SIGNALS:
    void started();
    void stopped();
    void configApplied(int revision);
    void targetHealthChanged(const QString &upstream, const QString &target, bool healthy);

private:
    struct BoundListener
    {
        config::HostPort where;
        QUrl url;
        std::vector<int> fds; // one per worker (SO_REUSEPORT)
        bool forwardProxy = false; // proxy.listen
    };
    // The addresses and ports this gateway listens on now (a reload may bind them again).
    QList<std::pair<QHostAddress, quint16>> heldListeners() const;
    QStringList bindListeners(const config::Workspace &ws, int workers,
        const QList<std::pair<QHostAddress, quint16>> &held, std::vector<BoundListener> *out);
    QStringList loadTls(const config::Workspace &ws, std::shared_ptr<const http::TlsContext> *out);
    QStringList openCapture(const config::Workspace &ws);
    capture::CaptureOptions captureOptions(const config::Workspace &ws) const;
    void handListenersToWorkers(std::vector<BoundListener> &listeners,
        const std::shared_ptr<const http::TlsContext> &tls, bool tlsOn);
    static int workerCountFor(const config::Workspace &ws);

    const Clock &m_clock;
    GatewayState m_state;
    std::vector<QThread *> m_threads;
    std::vector<Worker *> m_workers;
    std::unique_ptr<HealthChecker> m_health;
    std::unique_ptr<capture::CaptureStore> m_capture;
    std::vector<std::unique_ptr<capture::CaptureStore>> m_retiredCaptures;
    // tracing.otlp: the exporter in use; replaced ones stay until the gateway stops (a worker may
    // still be handing one a span), when drain() sends what they hold and lets them go.
    std::unique_ptr<OtlpExporter> m_otlp;
    std::vector<std::unique_ptr<OtlpExporter>> m_retiredOtlp;
    QString m_capturePath;
    QList<QUrl> m_listenUrls;
    QUrl m_proxyUrl;
    QDateTime m_startedAt;
};

} // namespace portico::gateway
