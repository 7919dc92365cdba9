#pragma once

#include "core/common/Metrics.h"
#include "core/gateway/ExchangeSink.h"

#include <QByteArray>
#include <QMutex>
#include <QString>
#include <QWaitCondition>

#include <atomic>
#include <thread>
#include <vector>

namespace portico::admin {

// The structured access log: one JSON object per line and per exchange, with
//   time (RFC 3339, UTC, ms), method, path, status, duration_ms, route, consumer, upstream,
//   trace_id, span_id, request_id, bytes (response bytes sent), client, error
// (empty values are null). It is an ExchangeSink: proxy threads only copy a few implicitly shared
// fields into a bounded queue; a writer thread formats and writes. When the queue is full, lines
// are dropped and counted (dropped()) rather than slowing the proxy.
//
//   AccessLog log;                        // declared before the Gateway, so it outlives it
//   log.open("-", &error);                // "-" = standard output, else a file (appended)
//   gateway.state().setExchangeSink(&log);
class AccessLog final : public gateway::ExchangeSink
{
public:
    AccessLog();
    ~AccessLog() override; // writes what is queued, then stops the writer
    AccessLog(const AccessLog &) = delete;
    AccessLog &operator=(const AccessLog &) = delete;

    // "-" writes to standard output; any other value is a file, created or appended to.
    bool open(const QString &destination, QString *error = nullptr);
    bool isOpen() const { return m_fd >= 0; }

    void exchangeFinished(const capture::Exchange &exchange, const Request &request) override;

    // Blocks until every line queued before the call is written.
    void flush();
    quint64 written() const { return m_written.load(std::memory_order_relaxed); }
    quint64 dropped() const { return m_dropped.load(std::memory_order_relaxed); }
    // Adds portico_access_log_lines_total and portico_access_log_dropped_total to `metrics`
    // (read at scrape time: the log must outlive the registry's scrapes).
    void exportMetrics(MetricsRegistry &metrics) const;

    static constexpr int kMaxQueued = 20000;
    static constexpr std::size_t kWakeAt = 1024; // queued lines that wake the writer early
    static constexpr int kWriterTick = 20; // ms between writer wake-ups otherwise

private:
    struct Entry
    {
        qint64 startedAtMs = 0;
        QByteArray method; // UTF-8
        QByteArray path; // UTF-8
        int status = 0;
        qint64 durationUs = -1;
        QString route;
        QString consumer;
        QString upstream;
        QByteArray traceId;
        QByteArray spanId;
        QByteArray requestId;
        qint64 bytes = 0;
        QByteArray client;
        QString error;
    };
    static void format(const Entry &e, QByteArray &out);
    void writerLoop();
    void writeAll(QByteArrayView data);
    void stop();

    int m_fd = -1;
    bool m_ownsFd = false;
    std::thread m_thread;
    QMutex m_mutex;
    QWaitCondition m_wake;
    QWaitCondition m_done;
    std::vector<Entry> m_queue;
    quint64 m_queuedSeq = 0;
    quint64 m_writtenSeq = 0;
    bool m_stop = false;
    bool m_flushRequested = false;
    std::atomic<quint64> m_written { 0 };
    std::atomic<quint64> m_dropped { 0 };
};

} // namespace portico::admin
