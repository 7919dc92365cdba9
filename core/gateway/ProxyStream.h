#pragma once

#include "core/capture/CaptureRecord.h"
#include "core/capture/Exchange.h"
#include "core/filters/Filter.h"
#include "core/gateway/RuntimeConfig.h"
#include "core/gateway/TraceContext.h"
#include "core/gateway/UpstreamConnection.h"

#include <memory>
#include <vector>

namespace portico::capture {
class CaptureStore;
}

namespace portico::gateway {

class AggregateFanout;
class DownstreamConnection;
class Worker;
class StreamCallbacks;

// One exchange: a client request, its route and filters, the upstream request and the response
// streamed back. Lives on a worker thread, owned by its DownstreamConnection. Bodies flow through
// as they arrive unless a response filter needs the whole body; backpressure pauses the faster
// side when the slower side's queue passes a high-water mark. Not a QObject: one is made per
// request, and QObject's private data and teardown were a measurable part of the worker's time.
class ProxyStream final : public UpstreamConnection::Client
{
    Q_DISABLE_COPY_MOVE(ProxyStream)

public:
    struct RequestFraming
    {
        bool chunked = false;
        qint64 contentLength = -1; // -1: none declared
        bool keepAlive = true;     // the client allows another request on this connection
        bool expectContinue = false;
        bool bodyless = false;     // no body follows the head: the request is complete already
    };

    ProxyStream(DownstreamConnection *down, Worker *worker, http::RequestHead &&head, RequestFraming framing);
    // One stream per request, and the object is large: a per-thread free list keeps it out of
    // malloc's slow path (perf showed malloc_consolidate on every request).
    static void *operator new(std::size_t size);
    static void operator delete(void *p, std::size_t size) noexcept;
    ~ProxyStream() override;

    void start();
    void onRequestBody(const char *data, size_t length);
    void onRequestComplete();
    void onDownstreamDrained();
    void onDownstreamClosed();
    // Raw client bytes after an upgrade (WebSocket tunnel).
    void onDownstreamTunnelData(const char *data, size_t length);
    void onDownstreamTunnelEof();
    // Answer a request the parser refused (400/413/431) through the same path as any local reply.
    void replyWithError(int status, const QString &detail);

    void checkTimeouts(qint64 nowMs);
    bool isDone() const { return m_done; }
    bool isTunnel() const { return m_tunnel; }
    // The client connection must close after this response.
    bool closeAfter() const { return m_closeAfter; }

    // Filter callbacks
    void resumeFilters();
    void sendLocalReply(filters::LocalReply reply);
    void sendFilterResponse(http::ResponseHead head, QByteArray body);

private:
    // UpstreamConnection::Client
    void onUpstreamConnected() override;
    void onUpstreamInformational(http::ResponseHead &&head) override;
    void onUpstreamResponseHead(http::ResponseHead &&head) override;
    void onUpstreamBody(const char *data, size_t length) override;
    void onUpstreamComplete() override;
    void onUpstreamReadBatchDone() override;
    void onUpstreamError(const QString &reason) override;
    void onUpstreamDrained() override;
    void onTunnelData(const char *data, size_t length) override;
    void onTunnelEof() override;

    void runFilters();
    void proceedUpstream();
    void startAggregate();
    void onAggregateDone(filters::AggregateResponse response);
    void connectUpstream();
    bool retryElsewhere(TargetState *failed);
    void sendUpstreamRequest();
    QByteArray buildUpstreamHead();
    void sendResponseHead(http::ResponseHead &head, qint64 bodyLength);
    void sendBuffered(http::ResponseHead &head, QByteArray body);
    void writeBodyChunk(const char *data, size_t length);
    void failUpstream(int status, const QString &title, const QString &detail);
    void releaseUpstream(bool reusable);
    void finish(const QString &error = {});
    void recordRequestSide(bool withHead);
    void submitRecord(capture::CaptureStore *store);
    void captureRequestBody(const char *data, size_t length);
    void captureResponseBody(const char *data, size_t length);
    void captureBody(
        capture::CaptureRecord::Field field, const char *data, size_t length, qint64 &size, bool &truncated);
    void flushOut();

    DownstreamConnection *m_down;
    Worker *m_worker;
    RuntimeConfigPtr m_config;
    http::RequestHead m_request;
    filters::RequestContext m_ctx;
    TraceContext m_trace;
    QByteArray m_requestId;
    QByteArray m_originalHost;
    QByteArray m_clientPath; // the path as the client sent it (m_request.path becomes the upstream's)
    RouteMatchResult m_match;
    std::shared_ptr<StreamCallbacks> m_callbacks;
    size_t m_filterIndex = 0;
    bool m_filtersDone = false;
    RequestFraming m_framing;
    bool m_continueSent = false;
    bool m_inFilter = false;
    bool m_resumePending = false;

    // Request body
    // Received, not yet written upstream. A vector: std::deque allocates a map and a 512-byte node
    // on construction, i.e. for every request even without a body.
    std::vector<QByteArray> m_bodyQueue;
    std::vector<QByteArray> m_sentBody;  // kept for a retry while small
    qint64 m_sentBodyBytes = 0;
    bool m_bodyRetainable = true;
    bool m_requestComplete = false;
    bool m_requestHeadSent = false;
    bool m_upstreamConnected = false;
    bool m_pooled = false;
    bool m_clientPaused = false;

    // Upstream
    std::shared_ptr<Cluster> m_cluster;
    TargetState *m_target = nullptr;
    UpstreamConnection *m_upstream = nullptr;
    std::vector<TargetState *> m_tried;
    int m_retries = 0;
    bool m_staleRetried = false;
    qint64 m_connectDeadline = 0;
    qint64 m_responseDeadline = 0;
    qint64 m_upstreamStartUs = -1;

    // Response
    http::ResponseHead m_response;
    bool m_responseStarted = false;   // head queued to the client
    bool m_bufferResponse = false;    // a filter wants the whole body
    QByteArray m_responseBuffer;
    bool m_chunkedOut = false;
    bool m_noResponseBody = false;
    QByteArray m_out;                 // coalesced output of one read batch
    bool m_upstreamPaused = false;
    bool m_tunnel = false;
    bool m_closeAfter = false;
    bool m_done = false;

    std::unique_ptr<AggregateFanout> m_fanout; // destroyed before the request it points into
    // Outcome (status, timings, sizes, route, consumer, ...) for the access log and the capture.
    // Its request-side text fields stay empty: the bytes are in m_request and m_record.
    capture::Exchange m_exchange;
    // Only when capturing: the request side is encoded at start, the response head when it is
    // sent, the rest when the exchange ends (see CaptureRecord).
    capture::CaptureRecord m_record;
    qint64 m_startUs = 0;
    qint64 m_lastBodyMs = 0; // last request body bytes (stall detection)
    qint64 m_maxCaptureBody = 0;
    qint64 m_requestHeadBytes = 0; // as the client sent it (counted in the capture's request bytes)
    bool m_capturing = false; // a capture store records this exchange: fill m_record
};

} // namespace portico::gateway
