#include "core/gateway/pipeline/ProxyExchange.h"

#include "core/capture/CaptureStore.h"
#include "core/gateway/OtlpExporter.h"
#include "core/gateway/Problem.h"
#include "core/gateway/Worker.h"
#include "core/gateway/grpc/GrpcStatus.h"
#include "core/gateway/pipeline/PipelineSupport.h"
#include "core/gateway/pipeline/Router.h"

#include <vector>

namespace portico::gateway {

using namespace detail;

StreamHandler *createExchange(Worker *worker, DownstreamStream &down, http::RequestHead &&head, RequestFraming framing)
{
    return new ProxyExchange(down, worker, std::move(head), framing);
}

namespace {

// Freed ProxyExchange blocks of this thread, reused by the next request. Bounded: a burst of
// thousands of concurrent exchanges gives its memory back to malloc afterwards.
struct ExchangeFreeList
{
    static constexpr std::size_t kMax = 128;
    std::vector<void *> blocks;
    ~ExchangeFreeList()
    {
        for (void *b : blocks)
            ::operator delete(b);
    }
};
thread_local ExchangeFreeList t_freeExchanges;

} // namespace

void *ProxyExchange::operator new(std::size_t size)
{
    auto &list = t_freeExchanges.blocks;
    if (list.capacity() == 0)
        list.reserve(ExchangeFreeList::kMax); // here, where throwing is allowed; delete never allocates
    if (size == sizeof(ProxyExchange) && !list.empty()) {
        void *p = list.back();
        list.pop_back();
        return p;
    }
    return ::operator new(size);
}

void ProxyExchange::operator delete(void *p, std::size_t size) noexcept
{
    auto &list = t_freeExchanges.blocks;
    if (p && size == sizeof(ProxyExchange) && list.size() < list.capacity()) {
        list.push_back(p);
        return;
    }
    ::operator delete(p);
}

ProxyExchange::ProxyExchange(
    DownstreamStream &down, Worker *worker, http::RequestHead &&head, RequestFraming framing)
    : m_down(down)
    , m_worker(worker)
    , m_request(std::move(head))
    , m_framing(framing)
    // Copies share the peer's data; a default QHostAddress would allocate its own first.
    , m_ctx { .clientAddress = down.info().peer }
    , m_forward { .clientAddress = down.info().peer }
    , m_filters(*this, worker)
    , m_upstream(*this, worker, down, m_recorder)
    , m_writer(down, m_recorder)
{
    m_requestComplete = framing.bodyless;
    m_worker->state().activeRequests.fetch_add(1, std::memory_order_relaxed);
}

ProxyExchange::~ProxyExchange()
{
    m_worker->state().activeRequests.fetch_sub(1, std::memory_order_relaxed);
}

void ProxyExchange::prepare()
{
    m_prepared = true;
    m_config = m_worker->config();
    m_recorder.begin(m_worker, m_config->workspace().capture.maxBodyBytes);
    m_trace = TraceContext::fromRequest(m_request.headers);
    // A trace that starts here is sampled as tracing.otlp.sample says, and the upstream is told
    // the same (an incoming trace keeps its own flag).
    if (const auto &otlp = m_config->workspace().tracing.otlp; otlp && m_trace.parentSpanId.isEmpty())
        m_trace.sampled = OtlpExporter::sampledByRatio(m_trace.traceId, otlp->sample);
    // Exported traces get a CLIENT span per upstream attempt and aggregate part.
    m_recorder.setTraced(m_trace.sampled && m_worker->state().traceSink() != nullptr);
    m_writer.setRequest(&m_requestId, &m_ctx.extraResponseHeaders, m_request.method == "HEAD");
    m_grpc = grpc::isNativeGrpc(m_request.headers.value("content-type"));
    if (m_grpc) {
        // Malformed values are left to the upstream, which rejects them in its own words.
        if (const auto ms = grpc::parseTimeout(m_request.headers.value("grpc-timeout")))
            m_grpcDeadlineMs = steadyMs() + std::max<qint64>(*ms, 1);
    }
}

void ProxyExchange::start()
{
    prepare();
    const config::Workspace &ws = m_config->workspace();
    m_requestId = m_request.headers.value("x-request-id");
    if (m_requestId.isEmpty() || m_requestId.size() > 200)
        m_requestId = randomHex(16);
    if (m_down.info().forward != DownstreamInfo::Forward::None)
        prepareForwarded();
    const QByteArray originalHost = m_request.headers.value("host");

    // Routes, filters and the upstream see the normalised path; the capture's URL keeps the target
    // as sent.
    const http::NormalizedPath normal = Router::normalize(*m_config, m_request);
    m_clientPath = m_request.path;
    m_recorder.recordRequest(m_request, m_down.info(), originalHost, m_trace, true);

    const DownstreamInfo &down = m_down.info();
    m_ctx.request = &m_request;
    m_ctx.tls = down.tls;
    m_ctx.workspace = &ws;
    m_ctx.traceId = m_trace.traceId;
    m_ctx.receivedAt = std::chrono::steady_clock::now();

    m_forward.clientAddressText = down.peerText;
    m_forward.tls = down.tls;
    m_forward.originalHost = originalHost;
    m_forward.requestId = m_requestId;
    m_forward.trace = &m_trace;
    m_forward.w3c = ws.tracing.w3c();
    m_forward.b3 = ws.tracing.b3();

    if (m_fwd && !routeForwarded(normal, originalHost))
        return;
    Router::Decision decision = Router::route(*m_config, m_request, normal, originalHost);
    if (decision.refusal) {
        sendLocalReply(std::move(*decision.refusal));
        return;
    }
    m_match = decision.match;
    m_ctx.route = m_match.route->route;
    m_ctx.upstreamName = m_ctx.route->upstream;
    m_recorder.outcome().route = m_ctx.route->name;
    m_request.path = m_match.upstreamPath;
    m_filters.setChain(&m_match.route->filters);
    m_grpcWeb = grpc::GrpcWebBridge::create(m_request);
    m_transcoding = m_match.route->transcoder != nullptr;
    runFilters();
}

void ProxyExchange::runFilters()
{
    if (m_filters.runRequest(m_ctx) && !m_done)
        proceed();
}

void ProxyExchange::resumeFilters()
{
    if (!m_done && m_filters.shouldResume())
        runFilters();
}

// The filters let the request through: its backend answers.
void ProxyExchange::proceed()
{
    capture::Exchange &outcome = m_recorder.outcome();
    if (m_ctx.consumer)
        outcome.consumer = m_ctx.consumer->name;
    outcome.apiVersion = m_ctx.apiVersion;
    m_forward.consumer = m_ctx.consumer ? &*m_ctx.consumer : nullptr;
    const CompiledRoute &route = *m_match.route;
    if (route.aggregate) {
        startAggregate();
        return;
    }
    std::shared_ptr<Cluster> cluster = Router::backend(*m_config, route, m_ctx);
    if (!cluster) {
        sendLocalReply({ 502, QStringLiteral("Bad Gateway"),
                         QStringLiteral("route '%1' has no upstream for this request").arg(route.route->name), {},
                         "no-upstream" });
        return;
    }
    outcome.upstream = cluster->name();
    if (m_grpcWeb && !decideGrpcWeb(*cluster))
        return;
    m_recorder.markUpstreamStart();
    if (m_framing.expectContinue && !m_requestComplete && !m_continueSent) {
        // The request passed every check: invite the body now (the upstream never sees Expect).
        m_continueSent = true;
        m_down.sendInformational(100, {});
    }
    config::Duration timeout = m_ctx.route->timeout.value_or(cluster->config().responseTimeout);
    if (m_grpcDeadlineMs) // the upstream gets the call's own deadline (grpc-timeout) if it is sooner
        timeout = std::min(timeout, config::Duration(std::max<qint64>(m_grpcDeadlineMs - steadyMs(), 1)));
    if (m_transcoding) {
        prepareTranscode(std::move(cluster), timeout);
        return;
    }
    m_forward.chunked = m_framing.chunked;
    m_forward.contentLength = m_framing.contentLength;
    m_upstream.start(std::move(cluster), &m_request, &m_forward, m_framing, timeout);
}

void ProxyExchange::startAggregate()
{
    AggregateFanout::Context c;
    c.worker = m_worker;
    c.config = m_config;
    c.plan = m_match.route->aggregate;
    c.clientRequest = &m_request;
    c.forward = m_forward;
    c.timeout = m_ctx.route->timeout.value_or(config::Duration(30'000));
    c.route = m_ctx.route->name;
    c.consumer = m_recorder.outcome().consumer;
    c.recorder = &m_recorder;
    if (capture::CaptureStore *store = m_worker->state().capture()) {
        m_recorder.outcome().id = store->reserveId();
        c.parentId = m_recorder.outcome().id;
    }
    m_recorder.markUpstreamStart();
    m_fanout = std::make_unique<AggregateFanout>(
        std::move(c), [this](AggregateResponse r) { onAggregateDone(std::move(r)); }, nullptr);
    m_fanout->start();
}

void ProxyExchange::onAggregateDone(AggregateResponse response)
{
    if (m_done)
        return;
    m_recorder.markFirstUpstreamByte();
    for (const QString &note : response.notes)
        m_ctx.notes.append(note);
    m_response.status = response.status;
    m_response.headers = std::move(response.headers);
    m_recorder.outcome().status = m_response.status;
    if (response.status >= 500)
        m_recorder.outcome().error = QStringLiteral("every part of the aggregate failed");
    m_filters.responseHead(m_ctx, m_response);
    m_writer.setNoBody(m_request.method == "HEAD");
    sendBuffered(m_response, std::move(response.body));
}

void ProxyExchange::onRequestBody(const char *data, size_t length)
{
    m_lastBodyMs = steadyMs();
    m_recorder.requestBody(data, length);
    if (m_done)
        return;
    if (m_transcoding) {
        m_transcodeJson.append(data, qsizetype(length));
        return;
    }
    if (m_grpcWeb) {
        QByteArray out;
        if (!m_grpcWeb->requestBody(data, length, out)) {
            refuseGrpcWeb();
            return;
        }
        if (!m_grpcWeb->decided() && m_grpcWeb->waiting() > kHighWater)
            m_down.setReadPaused(true); // until the backend is known
        if (!out.isEmpty())
            m_upstream.sendBody(out.constData(), size_t(out.size()));
        return;
    }
    m_upstream.sendBody(data, length);
}

void ProxyExchange::onRequestComplete()
{
    m_recorder.markReceived();
    if (m_requestComplete && m_framing.bodyless)
        return;
    m_requestComplete = true;
    if (m_grpcWeb && m_grpcWeb->decided() && !m_done && !m_grpcWeb->requestEnd()) {
        refuseGrpcWeb();
        return;
    }
    if (m_transcoding) {
        if (m_transcode && !m_done)
            launchTranscode();
        return;
    }
    if (!m_done)
        m_upstream.requestComplete(m_requestTrailers);
}

void ProxyExchange::onDrained()
{
    if (m_fwd && m_fwd->peer) {
        m_fwd->peer->setReadEnabled(true); // a passthrough tunnel's server may send again
        return;
    }
    m_upstream.onDownstreamDrained();
}

void ProxyExchange::onReset()
{
    if (m_done)
        return;
    m_upstream.release(false);
    m_down.closeAfterResponse();
    finish(QStringLiteral("client closed the connection"));
}

void ProxyExchange::checkTimeouts(qint64 nowMs)
{
    if (m_done)
        return;
    if (m_fanout) {
        m_fanout->checkTimeouts(nowMs);
        return;
    }
    if (m_fwd && forwardTimedOut(nowMs))
        return;
    if (m_grpcDeadlineMs && nowMs >= m_grpcDeadlineMs && !m_tunnel) {
        grpcDeadlineExceeded();
        return;
    }
    if (!m_requestComplete && !m_tunnel && m_config) {
        // A request body that stalls: the client holds a connection (and maybe an upstream one).
        const qint64 idle = m_config->workspace().gateway.limits.idleTimeout.count();
        const qint64 since = m_lastBodyMs ? m_lastBodyMs : m_recorder.startUs() / 1000;
        if (nowMs - since > idle) {
            m_down.closeAfterResponse();
            sendLocalReply({ 408, QStringLiteral("Request Timeout"),
                             QStringLiteral("the request body stalled for more than %1 ms").arg(idle), {},
                             "request-timeout" });
            return;
        }
    }
    if (!m_tunnel)
        m_upstream.checkTimeouts(nowMs);
}

// The upstream's answer.

void ProxyExchange::onUpstreamInformational(http::ResponseHead &&head)
{
    // 103 Early Hints and the like go straight to the client.
    if (!m_writer.started())
        m_down.sendInformational(head.status, head.headers);
}

void ProxyExchange::onUpstreamHead(http::ResponseHead &&head)
{
    if (m_transcode) {
        transcodeHead(std::move(head));
        return;
    }
    m_response = std::move(head);
    if (m_grpcWeb)
        m_grpcWeb->responseHead(m_response);
    m_recorder.outcome().status = m_response.status;
    m_filters.responseHead(m_ctx, m_response);

    if (m_response.status == 101) {
        // WebSocket (or another upgrade): answer the handshake, then tunnel bytes both ways.
        m_writer.setNoBody(true);
        m_writer.writeHead(m_response, -1);
        m_tunnel = true;
        m_down.beginTunnel();
        return;
    }
    m_writer.setNoBody(m_request.method == "HEAD" || m_response.status == 204 || m_response.status == 304);
    if (!m_writer.noBody() && m_filters.wantsResponseBody(m_ctx, m_response)) {
        m_writer.startBuffering();
        return;
    }
    qint64 length = -1;
    const QByteArray cl = m_response.headers.value("content-length");
    if (!cl.isEmpty() && !m_response.headers.contains("transfer-encoding"))
        length = cl.toLongLong();
    else if (m_response.endsMessage)
        length = 0; // an HTTP/2 client gets it as one HEADERS frame (gRPC trailers-only)
    m_writer.writeHead(m_response, length);
}

void ProxyExchange::onUpstreamBody(const char *data, size_t length)
{
    if (m_transcode) {
        transcodeBody(data, length);
        return;
    }
    if (m_grpcWeb && m_grpcWeb->translatingResponse() && m_grpcWeb->text()) {
        const QByteArray text = m_grpcWeb->responseBody(data, length);
        deliverBody(text.constData(), size_t(text.size()));
        return;
    }
    deliverBody(data, length);
}

void ProxyExchange::deliverBody(const char *data, size_t length)
{
    if (!m_writer.buffering()) {
        m_writer.writeBody(data, length);
        return;
    }
    // A buffered body is captured as the filters leave it (sendBuffered).
    const qint64 cap = m_config->workspace().gateway.limits.maxBodyBytes;
    if (!m_writer.buffer(data, length, cap)) {
        // Never pass a body unfiltered: a transform that cannot run fails the exchange.
        m_upstream.release(false);
        m_writer.takeBuffer();
        sendLocalReply({ 502, QStringLiteral("Bad Gateway"),
                         QStringLiteral("the upstream response is larger than %1 bytes, the most a response "
                                        "transform may buffer")
                             .arg(cap),
                         {}, "response-too-large" });
    }
}

void ProxyExchange::onUpstreamBatchDone()
{
    m_down.flush();
}

void ProxyExchange::onUpstreamComplete()
{
    if (m_done)
        return;
    if (m_transcode) {
        finishTranscode();
        return;
    }
    m_upstream.releaseAfterResponse();
    if (m_grpcWeb && m_grpcWeb->translatingResponse()) {
        // gRPC-Web: the trailers are the body's last frame.
        const QByteArray end = m_grpcWeb->responseEnd(m_responseTrailers);
        m_responseTrailers.clear();
        deliverBody(end.constData(), size_t(end.size()));
        if (m_done)
            return;
    }
    if (m_writer.buffering()) {
        sendBuffered(m_response, m_writer.takeBuffer());
        return;
    }
    if (!m_responseTrailers.isEmpty()) {
        m_recorder.responseTrailers(m_responseTrailers);
        m_down.sendTrailers(m_responseTrailers);
    }
    m_writer.endBody();
    m_down.flush();
    finish();
}

bool ProxyExchange::onUpstreamBroken(const QString &reason)
{
    if (m_done)
        return true;
    if (!m_writer.started() && !m_tunnel)
        return false;
    m_recorder.setError(QStringLiteral("upstream failed mid-response: %1").arg(reason));
    m_down.flush();
    m_down.abort();
    finish();
    return true;
}

void ProxyExchange::onUpstreamFailed(int status, const QString &title, const QString &detail)
{
    sendLocalReply({ status, title, detail, {},
                     status == 504       ? "upstream-timeout"
                         : status == 503 ? "no-healthy-upstream"
                                         : "bad-gateway" });
}

void ProxyExchange::onUpstreamTunnelData(const char *data, size_t length)
{
    m_down.sendTunnelData(data, length);
}

void ProxyExchange::onUpstreamTunnelEof()
{
    m_down.endTunnel();
    finish();
}

void ProxyExchange::onTunnelData(const char *data, size_t length)
{
    m_recorder.tunnelBytesFromClient(qint64(length));
    if (m_fwd && m_fwd->peer) // a CONNECT relayed byte for byte; else a WebSocket through the pipeline
        forwardTunnelData(data, length);
    else
        m_upstream.sendTunnelData(data, length);
}

void ProxyExchange::onTunnelEof()
{
    if (m_fwd && m_fwd->peer)
        m_fwd->peer->shutdownWrite();
    else
        m_upstream.shutdownTunnelWrite();
}

// Answers the pipeline produces itself or takes whole.

void ProxyExchange::sendBuffered(http::ResponseHead &head, QByteArray body)
{
    m_filters.responseBody(m_ctx, head, body);
    m_writer.writeWhole(head, body);
    finish();
}

void ProxyExchange::sendLocalReply(filters::LocalReply reply)
{
    if (m_done)
        return;
    if (m_writer.started()) {
        // Too late for a clean answer: cut the connection so the client sees the failure.
        m_upstream.release(false);
        m_recorder.setError(reply.detail);
        m_down.abort();
        finish();
        return;
    }
    m_upstream.release(false);
    http::ResponseHead head;
    QByteArray body;
    // A gRPC or gRPC-Web client reads why from grpc-status and grpc-message, not from a body.
    if (auto grpcHead = grpc::trailersOnlyFor(reply, clientContentType())) {
        head = std::move(*grpcHead);
    } else {
        head.status = reply.status;
        head.headers = reply.headers;
        head.headers.set("Content-Type", "application/problem+json");
        head.headers.set("Cache-Control", "no-store");
        body = problemBody(reply, m_trace.traceId, m_requestId);
    }
    m_recorder.outcome().status = head.status;
    if (reply.status >= 500 || reply.status == 408)
        m_recorder.outcome().error = reply.detail.isEmpty() ? reply.title : reply.detail;
    if (reply.status == 408 || reply.status == 400 || reply.status == 413 || reply.status == 431)
        m_down.closeAfterResponse();
    m_filters.responseHead(m_ctx, head);
    m_writer.setNoBody(m_request.method == "HEAD");
    // Local replies skip response body filters: they are the gateway's own words.
    m_filters.skipResponseBodyFilters();
    sendBuffered(head, std::move(body));
}

void ProxyExchange::sendFilterResponse(http::ResponseHead head, QByteArray body)
{
    if (m_done || m_writer.started())
        return;
    m_recorder.outcome().status = head.status;
    m_filters.responseHead(m_ctx, head);
    m_writer.setNoBody(m_request.method == "HEAD" || head.status == 204 || head.status == 304);
    // Unlike a local reply, a filter's answer (a mock) is content: the body filters before it
    // (response.json.remove) shape it as they would an upstream's.
    sendBuffered(head, std::move(body));
}

void ProxyExchange::failRequest(int status, const QString &detail)
{
    if (!m_prepared) {
        prepare();
        m_requestId = randomHex(16);
        // The head was refused: what was parsed of it may be partial.
        m_recorder.recordRequest(m_request, m_down.info(), m_request.headers.value("host"), m_trace, false);
    }
    m_down.closeAfterResponse();
    sendLocalReply({ status, defaultTitle(status), detail, {}, QByteArray::number(status) });
}

void ProxyExchange::finish(const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    m_filters.detach();
    m_recorder.setError(error);
    capture::Exchange &outcome = m_recorder.outcome();
    // A filter that answered itself (a 429, a group ACL's 403) after auth named the consumer
    // never reached proceed(), where these are copied for proxied requests.
    if (outcome.consumer.isEmpty() && m_ctx.consumer)
        outcome.consumer = m_ctx.consumer->name;
    if (outcome.apiVersion.isEmpty())
        outcome.apiVersion = m_ctx.apiVersion;
    static const QByteArray noRoute;
    m_recorder.finish(m_worker, m_down.info(),
                      { m_match.route ? m_match.route->nameBytes : noRoute, m_request.method, m_clientPath,
                        m_requestId, m_trace, m_ctx.notes, m_down.responseBytes() });
    m_down.streamDone();
}

} // namespace portico::gateway
