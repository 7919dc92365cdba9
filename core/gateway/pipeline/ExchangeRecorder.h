#pragma once

#include "core/capture/CaptureRecord.h"
#include "core/capture/Exchange.h"
#include "core/gateway/ExchangeSink.h"
#include "core/gateway/TraceContext.h"
#include "core/gateway/pipeline/DownstreamStream.h"

#include <QStringList>

namespace portico::capture {
class CaptureStore;
}

namespace portico::gateway {

class Worker;

// Observes one exchange as it passes through the pipeline and builds what is kept of it: the
// outcome (status, timings, sizes, route, consumer, upstream, error) for the metrics and the
// access log, and, when a capture store is on, the capture record, filled straight from the bytes
// the pipeline already holds (see CaptureRecord). It is the HeadObserver the response head is
// written through, so the record holds the head exactly as the client got it.
class ExchangeRecorder final : public HeadObserver
{
public:
    ExchangeRecorder();

    // At the start of the exchange (or of a refusal): whether to capture, and the body cap.
    void begin(Worker *worker, qint64 maxCaptureBody);
    bool capturing() const { return m_capturing; }
    // Nothing of this exchange is captured (a CONNECT whose tunnel goes on as exchanges of its own).
    void dropCapture() { m_capturing = false; }
    // The request as the client sent it (before any filter changes it). `withHead`: its fields
    // too (a head the codec refused may be partial, so it is left out).
    void recordRequest(const http::RequestHead &request, const DownstreamInfo &down, const QByteArray &host,
                       const TraceContext &trace, bool withHead);
    void requestBody(const char *data, size_t length); // sizes counted, bytes kept up to the cap
    void responseBody(const char *data, size_t length);
    // The trailers that end an HTTP/2 response: a gRPC call's grpc-status is there.
    void responseTrailers(const http::HttpHeaders &trailers);
    void tunnelBytesFromClient(qint64 length) { m_exchange.requestBytes += length; }

    // The response head, written through field() between these two.
    void beginResponseHead();
    void field(QByteArrayView name, QByteArrayView value) override;
    void endResponseHead();

    // Time points, in microseconds since the first request byte.
    qint64 elapsedUs() const;
    qint64 startUs() const { return m_startUs; } // steady clock
    void markReceived() { m_exchange.timings.receivedUs = elapsedUs(); }
    void markConnected();
    void markFirstUpstreamByte() { m_exchange.timings.firstUpstreamByteUs = elapsedUs(); }
    bool sawUpstreamByte() const { return m_exchange.timings.firstUpstreamByteUs >= 0; }
    void markUpstreamStart() { m_upstreamStartUs = elapsedUs(); }

    // Upstream requests as CLIENT spans (see UpstreamAttempt), kept only while `traced` (tracing.otlp
    // on and the trace sampled). beginAttempt returns the attempt's index, or -1 when not traced;
    // its span id is `spanId` or, when empty, a new one. endAttempt is idempotent: the first end wins.
    void setTraced(bool traced) { m_traced = traced; }
    bool traced() const { return m_traced; }
    int beginAttempt(
        const QString &upstream, const QString &target, const QString &part = {}, QByteArray spanId = {});
    void attemptStatus(int index, int status);
    void endAttempt(int index, const QString &error = {});
    const QByteArray &attemptSpanId(int index) const;

    // The outcome so far; the pipeline sets route, consumer, upstream, status, error, ids.
    capture::Exchange &outcome() { return m_exchange; }
    void setError(const QString &error); // the first error wins

    // What the exchange holds that the end needs; references into it, valid for the call.
    struct Finish
    {
        const QByteArray &routeName;  // for the metrics labels (empty: no route)
        const QByteArray &method;     // as received
        const QByteArray &clientPath; // normalised, before any rewrite
        const QByteArray &requestId;
        const TraceContext &trace;
        const QStringList &notes;
        qint64 responseBytes = 0; // what the codec wrote
    };
    // The end: metrics, the exchange sink (access log), the capture store.
    void finish(Worker *worker, const DownstreamInfo &down, const Finish &f);

private:
    void captureBody(capture::CaptureRecord::Field field, const char *data, size_t length, qint64 &size,
                     bool &truncated);
    void submit(capture::CaptureStore *store, const QStringList &notes);

    capture::Exchange m_exchange;
    capture::CaptureRecord m_record;
    std::vector<UpstreamAttempt> m_attempts;
    qint64 m_startUs = 0;
    qint64 m_upstreamStartUs = -1;
    qint64 m_maxCaptureBody = 0;
    qint64 m_requestHeadBytes = 0; // as the client sent it (counted in the capture's request bytes)
    bool m_capturing = false;
    bool m_traced = false;
};

} // namespace portico::gateway
