#pragma once

// tracing.otlp: OpenTelemetry spans over OTLP/HTTP with the JSON encoding.
//
// Per finished exchange (an ExchangeSink, called on the worker thread): a SERVER span with the
// exchange's trace id and the gateway's span id, its parent the caller's span when the request came
// with a trace context; and under it a CLIENT span per upstream attempt (a retry is its own span,
// http.request.resend_count 1, 2, ...) and per aggregate part (portico.aggregate.part), each from
// picking its target to its answer's last byte or its failure. The upstream was told the client
// span as its parent (traceparent). Attributes follow the OpenTelemetry HTTP semantic conventions
// (http.request.method, http.route, http.response.status_code, url.path, url.full,
// server.address/port, client.address, error.type) plus portico.consumer and portico.upstream;
// 5xx, gateway errors and failed attempts set the span status to ERROR. Text from the request
// (path, method, errors) is cut to kMaxValueChars: a hostile request cannot make the queue huge;
// JSON escaping keeps control characters harmless.
//
// Sampling: a trace that arrived with a context keeps its sampled flag; a trace that starts here
// is sampled when its id falls under `sample` (the id's last 8 bytes against sample * 2^64, as
// OpenTelemetry's TraceIdRatioBased does, so every instance decides the same for one trace).
//
// Export: exchanges' spans wait in a bounded queue (kMaxQueued exchanges; more are dropped and
// counted); the control thread posts a batch (up to kBatch exchanges) every flush interval or as
// soon as a batch is full, one request at a time. 429, 502, 503, 504 and network errors are retried with
// exponential backoff (1 s .. 30 s, Retry-After honoured, 5 attempts); other answers drop the batch
// (counted). When the gateway stops, drain() sends what is still queued, bounded by a short deadline; what
// does not make it is dropped and counted, as is what an exporter destroyed with spans queued held. Metrics:
// portico_otlp_spans_exported_total, portico_otlp_spans_dropped_total.

#include "core/config/Workspace.h"
#include "core/gateway/ExchangeSink.h"

#include <QMutex>
#include <QObject>
#include <QPointer>

#include <atomic>
#include <chrono>
#include <deque>

class QEventLoop;
class QJsonArray;
class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace portico {
class Counter;
class MetricsRegistry;
} // namespace portico

namespace portico::gateway {

// A QObject for its timers and network replies only: no signals or slots of its own (no moc).
class OtlpExporter final : public QObject, public ExchangeSink
{
    Q_DISABLE_COPY_MOVE(OtlpExporter)

public:
    static constexpr size_t kMaxQueued = 4096;
    static constexpr size_t kBatch = 512;
    static constexpr int kMaxAttempts = 5;
    static constexpr qsizetype kMaxValueChars = 1024;

    // Lives on the thread that creates it (the control thread), where it sends.
    OtlpExporter(const config::OtlpSettings &settings, MetricsRegistry *metrics,
        std::chrono::milliseconds flushInterval = std::chrono::milliseconds(1000), QObject *parent = nullptr);
    ~OtlpExporter() override;

    const config::OtlpSettings &settings() const { return m_settings; }
    void exchangeFinished(const capture::Exchange &exchange, const Request &request) override;
    quint64 dropped() const { return m_droppedSpans.load(); }
    // Sends what is queued now (also on a timer).
    void flush();
    // The last export before the gateway stops: sends everything queued (no retries), spinning a
    // local event loop until the collector took it or `budget` ran out; what is left then is
    // dropped and counted. The exporter goes on as before afterwards (the gateway may start again).
    void drain(std::chrono::milliseconds budget);

    static bool sampledByRatio(QByteArrayView traceId, double ratio);

private:
    // One exchange's fields, copied on the worker thread; encoded as a SERVER span and a CLIENT
    // span per attempt.
    struct Span
    {
        QByteArray traceId, spanId, parentSpanId;
        QByteArray method, path, clientAddress;
        QString route, consumer, upstream, listener, error;
        qint64 startNs = 0, endNs = 0;
        int status = 0;
        std::vector<UpstreamAttempt> attempts;
    };
    void encodeClientSpans(const Span &s, QJsonArray &out) const;
    QByteArray encode(const std::vector<Span> &spans) const;
    void send();
    void sent(int status, bool networkError, qint64 retryAfterSeconds);
    void drop(size_t spans);
    void idleCheck();

    config::OtlpSettings m_settings;
    QMutex m_mutex; // guards m_queue
    std::deque<Span> m_queue;
    std::atomic<bool> m_flushPosted { false };
    std::vector<Span> m_inFlight; // the batch being sent (control thread)
    QByteArray m_body;
    int m_attempt = 0;
    QPointer<QNetworkReply> m_reply; // the request in flight
    QEventLoop *m_draining = nullptr; // drain()'s loop while it runs
    QNetworkAccessManager *m_network;
    QTimer *m_timer;
    QTimer *m_retry;
    std::atomic<quint64> m_droppedSpans { 0 };
    Counter *m_exported = nullptr;
    Counter *m_dropped = nullptr;
};

} // namespace portico::gateway
