#pragma once

#include "core/config/Workspace.h"

#include <QHostAddress>
#include <QMutex>

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

namespace portico::http {
class TlsContext;
}

namespace portico::gateway {

// One target of an upstream at run time: its resolved address and its health.
struct TargetState
{
    QUrl url;
    QString urlText; // url.toString(), formatted once: every captured exchange names its target
    QString hostName;  // as written in the URL (Host header, TLS peer name)
    QByteArray hostHeader; // host[:port] for the upstream Host header
    QHostAddress address;
    quint16 port = 0;
    bool tls = false;
    int weight = 1;
    QByteArray key; // pool key: scheme://address:port

    // Health: active checks and passive ejection both write here; pickers only read.
    std::atomic<bool> healthy { true };
    std::atomic<int> consecutiveFailures { 0 };
    std::atomic<int> consecutiveSuccesses { 0 };
    std::atomic<qint64> ejectedUntilMs { 0 }; // steady-clock ms; passive ejection
    std::atomic<int> activeRequests { 0 };

    bool available(qint64 nowMs) const
    {
        return healthy.load(std::memory_order_relaxed) && ejectedUntilMs.load(std::memory_order_relaxed) <= nowMs;
    }
};

// An upstream (a named set of targets) at run time: load balancing and health. Shared by all
// worker threads; kept across config reloads while its configuration is unchanged, so health state
// and in-flight counts survive a reload.
class Cluster
{
public:
    // Resolves target host names (blocking DNS: call on the control thread when a config is
    // compiled). Fails with a message when a host does not resolve.
    static std::shared_ptr<Cluster> create(const config::Upstream &upstream, QString *error);
    // The forward proxy's way to an origin server an app named (forward/ForwardProxy.h): one
    // target, already resolved to `address`, TLS verified with `tls` for the URL's host.
    static std::shared_ptr<Cluster> forOrigin(
        const QUrl &url, const QHostAddress &address, std::shared_ptr<const http::TlsContext> tls);

    const config::Upstream &config() const { return m_config; }
    const QString &name() const { return m_config.name; }
    std::vector<std::unique_ptr<TargetState>> &targets() { return m_targets; }

    // Picks a target for a request; `exclude` skips targets already tried (retries). Returns null
    // when no healthy target is left (-> 503).
    TargetState *pick(const QHostAddress &client, const std::vector<TargetState *> &exclude);

    // Passive health: connect failures and resets count; `unhealthy_after` in a row ejects the
    // target for a while (or until an active check says it is healthy again).
    void reportFailure(TargetState *t);
    void reportSuccess(TargetState *t);

    // How https:// targets are reached: the system's CAs plus the default configuration's,
    // peers verified, ALPN h2 for HTTP/2 upstreams. Built once with the cluster (null without
    // https:// targets).
    const std::shared_ptr<const http::TlsContext> &tlsContext() const { return m_tls; }

private:
    explicit Cluster(const config::Upstream &upstream);

    config::Upstream m_config;
    std::vector<std::unique_ptr<TargetState>> m_targets;
    std::shared_ptr<const http::TlsContext> m_tls;
    // Smooth weighted round robin (as nginx): each pick adds weights to currents and takes the max.
    QMutex m_mutex;
    std::vector<int> m_current;
};

qint64 steadyMs();

} // namespace portico::gateway
