#pragma once

#include "core/common/Metrics.h"
#include "core/filters/FilterServices.h"
#include "core/gateway/ExchangeSink.h"
#include "core/gateway/RuntimeConfig.h"

#include <QMutex>
#include <QMutexLocker>

#include <atomic>

namespace portico::capture {
class CaptureStore;
}

namespace portico::gateway {

// What the control thread (Gateway) shares with its workers. The config is swapped whole under a
// short lock; workers read the revision number (an atomic, the config's own revision) on each
// request and re-take the pointer only when it changed, so the hot path does not touch the lock.
class GatewayState
{
public:
    RuntimeConfigPtr config() const
    {
        QMutexLocker lock(&m_mutex);
        return m_config;
    }
    void setConfig(RuntimeConfigPtr config)
    {
        QMutexLocker lock(&m_mutex);
        const int revision = config ? config->revision() : 0;
        m_config = std::move(config);
        m_revision.store(revision, std::memory_order_release);
    }
    int revision() const { return m_revision.load(std::memory_order_acquire); }

    capture::CaptureStore *capture() const { return m_capture.load(std::memory_order_acquire); }
    void setCapture(capture::CaptureStore *store) { m_capture.store(store, std::memory_order_release); }

    // Optional observer of finished exchanges (see ExchangeSink), e.g. the access log.
    ExchangeSink *exchangeSink() const { return m_sink.load(std::memory_order_acquire); }
    void setExchangeSink(ExchangeSink *sink) { m_sink.store(sink, std::memory_order_release); }
    // A second observer for span export (tracing.otlp), independent of the access log.
    ExchangeSink *traceSink() const { return m_traceSink.load(std::memory_order_acquire); }
    void setTraceSink(ExchangeSink *sink) { m_traceSink.store(sink, std::memory_order_release); }

    // The ports the gateway's listeners (and the forward proxy's) are bound to, real ports for
    // ":0" ones: what the forward proxy refuses to reach on this machine (it would loop).
    void setBoundPorts(QList<quint16> ports)
    {
        QMutexLocker lock(&m_mutex);
        m_boundPorts = std::move(ports);
    }
    bool isBoundPort(quint16 port) const
    {
        QMutexLocker lock(&m_mutex);
        return m_boundPorts.contains(port);
    }

    bool draining() const { return m_draining.load(std::memory_order_relaxed); }
    void setDraining(bool d) { m_draining.store(d, std::memory_order_relaxed); }

    MetricsRegistry metrics;
    filters::FilterServices services;
    std::atomic<quint64> activeRequests { 0 };
    std::atomic<quint64> totalRequests { 0 };
    // Downstream connections open across every worker (gateway.limits.max_connections), and
    // whether the limit is being hit right now (logged once per change).
    std::atomic<int> openConnections { 0 };
    std::atomic<bool> atConnectionLimit { false };

private:
    mutable QMutex m_mutex;
    RuntimeConfigPtr m_config;
    QList<quint16> m_boundPorts;
    std::atomic<int> m_revision { 0 };
    std::atomic<capture::CaptureStore *> m_capture { nullptr };
    std::atomic<bool> m_draining { false };
    std::atomic<ExchangeSink *> m_sink { nullptr };
    std::atomic<ExchangeSink *> m_traceSink { nullptr };
};

} // namespace portico::gateway
