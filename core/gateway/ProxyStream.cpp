#include "core/gateway/ProxyStream.h"

#include "core/capture/CaptureStore.h"
#include "core/gateway/AggregateFanout.h"
#include "core/gateway/DownstreamConnection.h"
#include "core/gateway/Problem.h"
#include "core/gateway/ProxyStreamSupport.h"
#include "core/gateway/StreamCallbacks.h"
#include "core/gateway/UpstreamRequest.h"
#include "core/gateway/Worker.h"

#include <QDateTime>

#include <vector>

namespace portico::gateway {

using namespace detail;

namespace {

// Freed ProxyStream blocks of this thread, reused by the next request. Bounded: a burst of
// thousands of concurrent streams gives its memory back to malloc afterwards.
struct StreamFreeList
{
    static constexpr std::size_t kMax = 128;
    std::vector<void *> blocks;
    ~StreamFreeList()
    {
        for (void *b : blocks)
            ::operator delete(b);
    }
};
thread_local StreamFreeList t_freeStreams;

} // namespace

void *ProxyStream::operator new(std::size_t size)
{
    auto &list = t_freeStreams.blocks;
    if (list.capacity() == 0)
        list.reserve(StreamFreeList::kMax); // here, where throwing is allowed; delete never allocates
    if (size == sizeof(ProxyStream) && !list.empty()) {
        void *p = list.back();
        list.pop_back();
        return p;
    }
    return ::operator new(size);
}

void ProxyStream::operator delete(void *p, std::size_t size) noexcept
{
    auto &list = t_freeStreams.blocks;
    if (p && size == sizeof(ProxyStream) && list.size() < list.capacity()) {
        list.push_back(p);
        return;
    }
    ::operator delete(p);
}


ProxyStream::ProxyStream(DownstreamConnection *down, Worker *worker, http::RequestHead &&head, RequestFraming framing)
    : m_down(down)
    , m_worker(worker)
    , m_request(std::move(head))
    , m_framing(framing)
{
    m_startUs = nowUs();
    m_requestComplete = framing.bodyless;
    m_exchange.startedAt = QDateTime::currentDateTimeUtc();
    m_worker->state().activeRequests.fetch_add(1, std::memory_order_relaxed);
}

ProxyStream::~ProxyStream()
{
    if (m_callbacks)
        m_callbacks->detach();
    if (m_upstream) {
        m_upstream->setClient(nullptr);
        m_upstream->close();
    }
    if (m_target)
        m_target->activeRequests.fetch_sub(1, std::memory_order_relaxed);
    m_worker->state().activeRequests.fetch_sub(1, std::memory_order_relaxed);
}

// The request as the client sent it (before any filter changes it), straight from its bytes.
void ProxyStream::recordRequestSide(bool withHead)
{
    using R = capture::CaptureRecord;
    const QByteArray target = m_request.target.startsWith('/') ? m_request.target : m_request.pathAndQuery();
    const QByteArrayView scheme = m_down->isTls() ? QByteArrayView("https") : QByteArrayView("http");
    qsizetype head = 1;
    if (withHead) {
        for (const auto &[name, value] : m_request.headers.entries())
            head += name.size() + value.size() + 3;
        // Its size on the wire: request line, "Name: value\r\n" per field, the empty line.
        m_requestHeadBytes = m_request.method.size() + 1 + m_request.target.size() + 11 + head - 1
            + m_request.headers.size() + 2;
    }
    // Room for what comes later too (names, ids, a response head, a small body), so that the
    // buffer usually never grows.
    const qint64 bodyRoom = std::min<qint64>(m_maxCaptureBody, 2048);
    m_record.reserve(head + 2 * target.size() + 2 * m_originalHost.size() + m_request.method.size() + 640
        + qsizetype(bodyRoom));
    if (withHead) {
        m_record.beginHead(R::RequestHead);
        for (const auto &[name, value] : m_request.headers.entries())
            m_record.addHeader(name, value);
        m_record.endHead(R::RequestHead);
    }
    m_record.set(R::Method, m_request.method);
    m_record.set(R::Path, m_request.path);
    m_record.set(R::Query, m_request.query);
    m_record.set(R::Host, m_originalHost);
    m_record.set(R::Scheme, scheme);
    m_record.set(R::ClientAddress, m_down->peerAddressLatin1());
    m_record.set(R::Listener, m_down->localEndLatin1());
    m_record.set(R::TraceId, m_trace.traceId);
    m_record.set(R::SpanId, m_trace.spanId);
    m_record.set(R::ParentSpanId, m_trace.parentSpanId);
    m_record.setJoined(R::Url, { scheme, "://", m_originalHost, target });
}

void ProxyStream::start()
{
    m_config = m_worker->config();
    const config::Workspace &ws = m_config->workspace();
    m_capturing = m_worker->state().capture() != nullptr;
    m_maxCaptureBody = m_capturing ? ws.capture.maxBodyBytes : 0;

    m_trace = TraceContext::fromRequest(m_request.headers);
    m_requestId = m_request.headers.value("x-request-id");
    if (m_requestId.isEmpty() || m_requestId.size() > 200)
        m_requestId = randomHex(16);
    m_originalHost = m_request.headers.value("host");
    QByteArray hostOnly = m_originalHost.toLower();
    if (hostOnly.startsWith('[')) {
        hostOnly = hostOnly.mid(1, hostOnly.indexOf(']') - 1);
    } else if (const qsizetype colon = hostOnly.lastIndexOf(':'); colon >= 0) {
        hostOnly.truncate(colon);
    }

    // Routes, filters and the upstream see the normalised path; the capture's URL keeps the target
    // as sent. A path that cannot be normalised (climbs above the root, bad escapes) is a 400.
    http::NormalizedPath normal = http::normalizePath(m_request.path, m_config->pathOptions());
    if (normal.ok())
        m_request.path = std::move(normal.path);
    m_clientPath = m_request.path;
    if (m_capturing)
        recordRequestSide(true);

    m_ctx.request = &m_request;
    m_ctx.clientAddress = m_down->peerAddress();
    m_ctx.tls = m_down->isTls();
    m_ctx.workspace = &ws;
    m_ctx.traceId = m_trace.traceId;
    m_ctx.receivedAt = std::chrono::steady_clock::now();

    if (m_request.method == "CONNECT") {
        sendLocalReply({ 405, QStringLiteral("Method Not Allowed"),
                         QStringLiteral("Portico is a reverse proxy; CONNECT tunnels are not supported"), {}, "method-not-allowed" });
        return;
    }
    if (!normal.ok() && m_request.target != "*") {
        sendLocalReply({ 400, QStringLiteral("Bad Request"),
            QStringLiteral("%1: %2").arg(
                QString::fromLatin1(normal.error), QString::fromUtf8(m_request.path.left(200))),
            {}, "bad-path" });
        return;
    }
    m_match = m_config->match(m_request, hostOnly);
    if (!m_match.route) {
        sendLocalReply({ 404, QStringLiteral("No Route"),
                         QStringLiteral("no route matches %1 %2 on host %3")
                             .arg(QString::fromLatin1(m_request.method), QString::fromUtf8(m_request.path),
                                  QString::fromUtf8(hostOnly)),
                         {}, "no-route" });
        return;
    }
    m_ctx.route = m_match.route->route;
    m_ctx.upstreamName = m_ctx.route->upstream;
    m_exchange.route = m_ctx.route->name;
    m_request.path = m_match.upstreamPath;
    runFilters();
}

void ProxyStream::runFilters()
{
    const auto &chain = m_match.route->filters;
    while (!m_done && m_filterIndex < chain.size()) {
        const filters::FilterPtr &filter = chain[m_filterIndex++];
        if (!m_callbacks)
            m_callbacks = std::make_shared<StreamCallbacks>(this, m_worker);
        m_inFilter = true;
        m_resumePending = false;
        const filters::FilterStatus status = filter->onRequest(m_ctx, m_callbacks);
        m_inFilter = false;
        if (status == filters::FilterStatus::Stop && !m_resumePending)
            return; // answered, or resumes later through the callbacks
    }
    if (m_done)
        return;
    m_filtersDone = true;
    proceedUpstream();
}

void ProxyStream::resumeFilters()
{
    if (m_done || m_filtersDone)
        return;
    if (m_inFilter) {
        m_resumePending = true;
        return;
    }
    runFilters();
}

void ProxyStream::proceedUpstream()
{
    if (m_ctx.consumer)
        m_exchange.consumer = m_ctx.consumer->name;
    m_exchange.apiVersion = m_ctx.apiVersion;
    const CompiledRoute *route = m_match.route;
    if (route->aggregate) {
        startAggregate();
        return;
    }
    if (!m_ctx.apiVersion.isEmpty()) {
        const auto it = route->versionClusters.find(m_ctx.apiVersion);
        if (it != route->versionClusters.end())
            m_cluster = it->second;
    }
    if (!m_cluster && !m_ctx.upstreamName.isEmpty())
        m_cluster = m_ctx.upstreamName == route->route->upstream ? route->cluster : m_config->cluster(m_ctx.upstreamName);
    if (!m_cluster && route->route->versions) {
        const QString def = route->route->versions->defaultVersion;
        const auto it = route->versionClusters.find(def);
        if (it != route->versionClusters.end()) {
            m_cluster = it->second;
            if (m_exchange.apiVersion.isEmpty())
                m_exchange.apiVersion = def;
        }
    }
    if (!m_cluster) {
        sendLocalReply({ 502, QStringLiteral("Bad Gateway"),
                         QStringLiteral("route '%1' has no upstream for this request").arg(route->route->name), {}, "no-upstream" });
        return;
    }
    m_exchange.upstream = m_cluster->name();
    m_upstreamStartUs = nowUs();
    if (m_framing.expectContinue && !m_requestComplete && !m_continueSent) {
        // The request passed every check: invite the body now (the upstream never sees Expect).
        m_continueSent = true;
        m_down->send(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
    }
    connectUpstream();
}

void ProxyStream::startAggregate()
{
    const config::Workspace &ws = m_config->workspace();
    AggregateFanout::Context c;
    c.worker = m_worker;
    c.config = m_config;
    c.plan = m_match.route->aggregate;
    c.clientRequest = &m_request;
    c.forward.clientAddress = m_ctx.clientAddress;
    c.forward.clientAddressText = m_down->peerAddressLatin1();
    c.forward.tls = m_down->isTls();
    c.forward.originalHost = m_originalHost;
    c.forward.requestId = m_requestId;
    c.forward.trace = &m_trace;
    c.forward.w3c = ws.tracing.w3c();
    c.forward.b3 = ws.tracing.b3();
    c.forward.consumer = m_ctx.consumer ? &*m_ctx.consumer : nullptr;
    c.timeout = m_ctx.route->timeout.value_or(config::Duration(30'000));
    c.route = m_ctx.route->name;
    c.consumer = m_exchange.consumer;
    if (capture::CaptureStore *store = m_worker->state().capture()) {
        m_exchange.id = store->reserveId();
        c.parentId = m_exchange.id;
    }
    m_upstreamStartUs = nowUs();
    m_fanout = std::make_unique<AggregateFanout>(
        std::move(c), [this](filters::AggregateResponse r) { onAggregateDone(std::move(r)); }, nullptr);
    m_fanout->start();
}

void ProxyStream::onAggregateDone(filters::AggregateResponse response)
{
    if (m_done)
        return;
    m_exchange.timings.firstUpstreamByteUs = nowUs() - m_startUs;
    for (const QString &note : response.notes)
        m_ctx.notes.append(note);
    m_response.status = response.status;
    m_response.headers = std::move(response.headers);
    m_exchange.status = m_response.status;
    if (response.status >= 500)
        m_exchange.error = QStringLiteral("every part of the aggregate failed");
    const auto &chain = m_match.route->filters;
    for (size_t i = m_filterIndex; i-- > 0;)
        chain[i]->onResponseHead(m_ctx, m_response);
    m_noResponseBody = m_request.method == "HEAD";
    sendBuffered(m_response, std::move(response.body));
}

void ProxyStream::connectUpstream()
{
    m_target = m_cluster->pick(m_ctx.clientAddress, m_tried);
    if (!m_target) {
        failUpstream(503, QStringLiteral("Service Unavailable"),
                     QStringLiteral("no healthy target in upstream '%1'").arg(m_cluster->name()));
        return;
    }
    m_target->activeRequests.fetch_add(1, std::memory_order_relaxed);
    m_exchange.upstreamTarget = m_target->urlText;
    QString error;
    // After a stale pooled connection failed, insist on a fresh one.
    m_upstream = m_worker->acquire(m_target, *m_cluster, m_staleRetried ? nullptr : &m_pooled, &error);
    if (!m_upstream) {
        m_pooled = false;
        onUpstreamError(error);
        return;
    }
    m_upstreamConnected = false;
    m_upstream->beginExchange(this, m_request.method == "HEAD");
    if (m_upstream->state() == UpstreamConnection::State::Busy) {
        onUpstreamConnected();
    } else {
        m_connectDeadline = steadyMs() + m_cluster->config().connectTimeout.count();
    }
}

void ProxyStream::onUpstreamConnected()
{
    m_upstreamConnected = true;
    m_connectDeadline = 0;
    if (m_exchange.timings.upstreamConnectUs < 0)
        m_exchange.timings.upstreamConnectUs = nowUs() - m_startUs;
    sendUpstreamRequest();
}

static QByteArray chunkFrame(const char *data, size_t length)
{
    QByteArray out = QByteArray::number(qulonglong(length), 16);
    out += "\r\n";
    out.append(data, qsizetype(length));
    out += "\r\n";
    return out;
}

void ProxyStream::sendUpstreamRequest()
{
    const QByteArray head = buildUpstreamHead();
    QByteArray body;
    if (!m_sentBody.empty()) {
        // A retry: everything sent before goes again.
        for (const QByteArray &piece : m_sentBody)
            body += m_framing.chunked ? chunkFrame(piece.constData(), size_t(piece.size())) : piece;
    }
    for (QByteArray &piece : m_bodyQueue) {
        body += m_framing.chunked ? chunkFrame(piece.constData(), size_t(piece.size())) : piece;
        if (m_bodyRetainable) {
            m_sentBodyBytes += piece.size();
            m_sentBody.push_back(std::move(piece));
            if (m_sentBodyBytes > kRetainBodyBytes) {
                m_bodyRetainable = false;
                m_sentBody.clear();
            }
        }
    }
    m_bodyQueue.clear();
    if (m_requestComplete && m_framing.chunked)
        body += "0\r\n\r\n";
    m_upstream->send(head, body);
    m_requestHeadSent = true;
    if (m_requestComplete) {
        const auto timeout = m_ctx.route->timeout.value_or(m_cluster->config().responseTimeout);
        m_responseDeadline = steadyMs() + timeout.count();
    }
}

QByteArray ProxyStream::buildUpstreamHead()
{
    const config::Workspace &ws = m_config->workspace();
    ForwardInfo info;
    info.clientAddress = m_ctx.clientAddress;
    info.clientAddressText = m_down->peerAddressLatin1();
    info.tls = m_down->isTls();
    info.originalHost = m_originalHost;
    info.requestId = m_requestId;
    info.trace = &m_trace;
    info.w3c = ws.tracing.w3c();
    info.b3 = ws.tracing.b3();
    info.consumer = m_ctx.consumer ? &*m_ctx.consumer : nullptr;
    info.chunked = m_framing.chunked;
    info.contentLength = m_framing.contentLength;
    return buildUpstreamRequestHead(m_request, *m_target, info);
}

void ProxyStream::onRequestBody(const char *data, size_t length)
{
    m_lastBodyMs = steadyMs();
    captureRequestBody(data, length);
    if (m_done)
        return;
    if (m_requestHeadSent && m_upstream && m_upstreamConnected) {
        if (m_bodyRetainable) {
            m_sentBodyBytes += qint64(length);
            if (m_sentBodyBytes > kRetainBodyBytes) {
                m_bodyRetainable = false;
                m_sentBody.clear();
            } else {
                m_sentBody.emplace_back(data, qsizetype(length));
            }
        }
        m_upstream->send(m_framing.chunked ? chunkFrame(data, length) : QByteArray(data, qsizetype(length)));
        if (m_upstream->pending() > kHighWater && !m_clientPaused) {
            m_clientPaused = true;
            m_down->setReadPaused(true);
        }
        return;
    }
    m_bodyQueue.emplace_back(data, qsizetype(length));
    qint64 queued = 0;
    for (const QByteArray &b : m_bodyQueue)
        queued += b.size();
    if (queued > kHighWater && !m_clientPaused) {
        m_clientPaused = true;
        m_down->setReadPaused(true);
    }
}

void ProxyStream::onRequestComplete()
{
    if (m_requestComplete && m_framing.bodyless) {
        m_exchange.timings.receivedUs = nowUs() - m_startUs;
        return;
    }
    m_requestComplete = true;
    m_exchange.timings.receivedUs = nowUs() - m_startUs;
    if (m_done || !m_requestHeadSent || !m_upstream)
        return;
    if (m_framing.chunked)
        m_upstream->send(QByteArrayLiteral("0\r\n\r\n"));
    const auto timeout = m_ctx.route->timeout.value_or(m_cluster->config().responseTimeout);
    m_responseDeadline = steadyMs() + timeout.count();
}

void ProxyStream::onUpstreamDrained()
{
    if (m_clientPaused) {
        m_clientPaused = false;
        m_down->setReadPaused(false);
    }
}

void ProxyStream::onDownstreamDrained()
{
    if (m_upstreamPaused && m_upstream) {
        m_upstreamPaused = false;
        m_upstream->setReadEnabled(true);
    }
}

void ProxyStream::onDownstreamClosed()
{
    if (m_done)
        return;
    releaseUpstream(false);
    m_closeAfter = true;
    finish(QStringLiteral("client closed the connection"));
}

void ProxyStream::releaseUpstream(bool reusable)
{
    if (m_target) {
        m_target->activeRequests.fetch_sub(1, std::memory_order_relaxed);
        m_target = nullptr;
    }
    if (!m_upstream)
        return;
    UpstreamConnection *c = m_upstream;
    m_upstream = nullptr;
    c->setClient(nullptr);
    if (reusable)
        m_worker->release(c);
    else
        c->close();
}

void ProxyStream::onUpstreamError(const QString &reason)
{
    if (m_done)
        return;
    const bool wasConnected = m_upstreamConnected;
    const bool wasPooled = m_pooled;
    m_upstream = nullptr; // the connection retires itself
    TargetState *target = m_target;
    releaseUpstream(false); // what is left: the target's in-flight count
    if (m_responseStarted || m_tunnel) {
        m_closeAfter = true;
        flushOut();
        m_down->abort();
        finish(QStringLiteral("upstream failed mid-response: %1").arg(reason));
        return;
    }
    if (m_exchange.timings.firstUpstreamByteUs >= 0) {
        failUpstream(502, QStringLiteral("Bad Gateway"), QStringLiteral("upstream failed: %1").arg(reason));
        return;
    }
    const bool retryable = m_bodyRetainable && (m_requestComplete || m_sentBody.size() + m_bodyQueue.size() > 0 || !m_requestHeadSent);
    // Only an idempotent request may go again: on a reused connection we cannot tell "closed
    // while idle" from "read the request, acted on it, then died", and a POST must not run twice.
    if (wasPooled && !m_staleRetried && retryable && isIdempotent(m_request.method)) {
        // A kept-alive connection the upstream had already closed: try once more on a fresh one.
        m_staleRetried = true;
        connectUpstream();
        return;
    }
    if (!wasConnected && target) {
        m_cluster->reportFailure(target);
        m_staleRetried = false;
        if (retryElsewhere(target))
            return;
        failUpstream(502, QStringLiteral("Bad Gateway"),
                     QStringLiteral("upstream '%1' (%2): %3").arg(m_cluster->name(), target->url.toString(), reason));
        return;
    }
    if (target)
        m_cluster->reportFailure(target);
    failUpstream(502, QStringLiteral("Bad Gateway"), QStringLiteral("upstream '%1': %2").arg(m_cluster->name(), reason));
}

// `retries` in the upstream config: a connect failure of an idempotent request goes to another
// target while the body is still held for it.
bool ProxyStream::retryElsewhere(TargetState *failed)
{
    if (m_retries >= m_cluster->config().retries || !isIdempotent(m_request.method) || !m_bodyRetainable)
        return false;
    ++m_retries;
    m_exchange.retries = m_retries;
    m_tried.push_back(failed);
    connectUpstream();
    return true;
}

void ProxyStream::checkTimeouts(qint64 nowMs)
{
    if (m_done)
        return;
    if (m_fanout) {
        m_fanout->checkTimeouts(nowMs);
        return;
    }
    if (!m_requestComplete && !m_tunnel && m_config) {
        // A request body that stalls: the client holds a connection (and maybe an upstream one).
        const qint64 idle = m_config->workspace().gateway.limits.idleTimeout.count();
        const qint64 since = m_lastBodyMs ? m_lastBodyMs : m_startUs / 1000;
        if (nowMs - since > idle) {
            m_closeAfter = true;
            sendLocalReply({ 408, QStringLiteral("Request Timeout"),
                             QStringLiteral("the request body stalled for more than %1 ms").arg(idle), {}, "request-timeout" });
            return;
        }
    }
    if (m_connectDeadline && nowMs >= m_connectDeadline && m_upstream) {
        m_connectDeadline = 0;
        TargetState *target = m_target;
        releaseUpstream(false);
        if (target)
            m_cluster->reportFailure(target);
        if (retryElsewhere(target))
            return;
        failUpstream(504, QStringLiteral("Gateway Timeout"),
                     QStringLiteral("could not connect to upstream '%1' within %2 ms")
                         .arg(m_cluster->name())
                         .arg(m_cluster->config().connectTimeout.count()));
        return;
    }
    if (m_responseDeadline && nowMs >= m_responseDeadline && !m_tunnel) {
        m_responseDeadline = 0;
        const auto timeout = m_ctx.route ? m_ctx.route->timeout.value_or(m_cluster->config().responseTimeout)
                                         : config::Duration(0);
        releaseUpstream(false);
        failUpstream(504, QStringLiteral("Gateway Timeout"),
                     QStringLiteral("upstream '%1' did not answer within %2 ms").arg(m_cluster->name()).arg(timeout.count()));
    }
}

} // namespace portico::gateway
