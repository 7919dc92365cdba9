#include "core/gateway/pipeline/UpstreamExchange.h"

#include "core/gateway/pipeline/PipelineSupport.h"
#include "core/gateway/Worker.h"
#include "core/gateway/pipeline/ExchangeRecorder.h"

namespace portico::gateway {

using namespace detail;

UpstreamExchange::UpstreamExchange(Owner &owner, Worker *worker, DownstreamStream &down, ExchangeRecorder &recorder)
    : m_owner(owner)
    , m_worker(worker)
    , m_down(down)
    , m_recorder(recorder)
{
}

UpstreamExchange::~UpstreamExchange()
{
    if (m_upstream) {
        m_upstream->setClient(nullptr);
        m_upstream->close();
    }
    if (m_target)
        m_target->activeRequests.fetch_sub(1, std::memory_order_relaxed);
}

void UpstreamExchange::start(std::shared_ptr<Cluster> cluster, const http::RequestHead *request,
    ForwardInfo *forward, const RequestFraming &framing, config::Duration timeout)
{
    m_cluster = std::move(cluster);
    m_request = request;
    m_forward = forward;
    m_framing = framing;
    m_requestComplete = m_requestComplete || framing.bodyless;
    m_timeout = timeout;
    connect();
}

void UpstreamExchange::connect()
{
    m_target = m_cluster->pick(m_forward->clientAddress, m_tried);
    if (!m_target) {
        fail(503, QStringLiteral("Service Unavailable"),
             QStringLiteral("no healthy target in upstream '%1'").arg(m_cluster->name()));
        return;
    }
    m_target->activeRequests.fetch_add(1, std::memory_order_relaxed);
    m_recorder.outcome().upstreamTarget = m_target->urlText;
    if (m_recorder.traced()) {
        m_attempt = m_recorder.beginAttempt(m_cluster->name(), m_target->urlText);
        m_forward->clientSpanId = m_recorder.attemptSpanId(m_attempt);
    }
    QString error;
    // After a stale pooled connection failed, insist on a fresh one.
    m_upstream = m_worker->acquire(m_target, *m_cluster, m_staleRetried ? nullptr : &m_pooled, &error);
    if (!m_upstream) {
        m_pooled = false;
        onUpstreamError(error);
        return;
    }
    m_connected = false;
    m_upstream->beginExchange(this, m_request->method == "HEAD");
    if (m_upstream->ready())
        onUpstreamConnected();
    else
        m_connectDeadline = steadyMs() + m_cluster->config().connectTimeout.count();
}

void UpstreamExchange::onUpstreamConnected()
{
    m_connected = true;
    m_connectDeadline = 0;
    m_recorder.markConnected();
    m_owner.onUpstreamConnected();
    sendRequest();
}

void UpstreamExchange::sendRequest()
{
    // A retry: everything sent before goes again, then what waited for the connection. Trailers
    // (rare) follow in a call of their own.
    const bool trailers = m_requestComplete && m_requestTrailers && !m_requestTrailers->isEmpty();
    m_upstream->sendRequest(*m_request, *m_target, *m_forward, m_sentBody, m_bodyQueue, m_requestComplete && !trailers);
    if (trailers)
        m_upstream->endRequest(*m_requestTrailers);
    for (QByteArray &piece : m_bodyQueue)
        retain(std::move(piece));
    m_bodyQueue.clear();
    m_headSent = true;
    if (m_requestComplete)
        refreshResponseDeadline();
}

// Keeps what was sent while it is small enough to send again.
void UpstreamExchange::retain(QByteArray piece)
{
    if (!m_bodyRetainable)
        return;
    m_sentBodyBytes += piece.size();
    if (m_sentBodyBytes > kRetainBodyBytes) {
        m_bodyRetainable = false;
        m_sentBody.clear();
        return;
    }
    m_sentBody.push_back(std::move(piece));
}

void UpstreamExchange::sendBody(const char *data, size_t length)
{
    if (m_headSent && m_upstream && m_connected) {
        if (m_bodyRetainable)
            retain(QByteArray(data, qsizetype(length)));
        m_upstream->sendBody(data, length);
        pauseClientIfBehind(m_upstream->pending());
        return;
    }
    m_bodyQueue.emplace_back(data, qsizetype(length));
    qint64 queued = 0;
    for (const QByteArray &b : m_bodyQueue)
        queued += b.size();
    pauseClientIfBehind(queued);
}

void UpstreamExchange::requestComplete(const http::HttpHeaders &trailers)
{
    m_requestComplete = true;
    m_requestTrailers = &trailers;
    if (!m_headSent || !m_upstream)
        return;
    m_upstream->endRequest(trailers);
    refreshResponseDeadline();
}

void UpstreamExchange::refreshResponseDeadline()
{
    if (m_cluster)
        m_responseDeadline = steadyMs() + m_timeout.count();
}

void UpstreamExchange::pauseClientIfBehind(qint64 queued)
{
    if (queued > kHighWater && !m_clientPaused) {
        m_clientPaused = true;
        m_down.setReadPaused(true);
    }
}

void UpstreamExchange::pauseUpstreamIfClientBehind()
{
    if (m_upstream && !m_upstreamPaused && m_down.pending() > kHighWater) {
        m_upstreamPaused = true;
        m_upstream->setReadEnabled(false);
    }
}

void UpstreamExchange::onUpstreamDrained()
{
    if (m_clientPaused) {
        m_clientPaused = false;
        m_down.setReadPaused(false);
    }
}

void UpstreamExchange::onDownstreamDrained()
{
    if (m_upstreamPaused && m_upstream) {
        m_upstreamPaused = false;
        m_upstream->setReadEnabled(true);
    }
}

void UpstreamExchange::onUpstreamInformational(http::ResponseHead &&head)
{
    m_owner.onUpstreamInformational(std::move(head));
}

void UpstreamExchange::onUpstreamResponseHead(http::ResponseHead &&head)
{
    m_recorder.markFirstUpstreamByte();
    m_recorder.attemptStatus(m_attempt, head.status);
    m_responseDeadline = 0;
    m_cluster->reportSuccess(m_target);
    m_owner.onUpstreamHead(std::move(head));
}

void UpstreamExchange::onUpstreamBody(const char *data, size_t length)
{
    refreshResponseDeadline(); // idle time between reads
    m_owner.onUpstreamBody(data, length);
}

void UpstreamExchange::onUpstreamComplete()
{
    endAttempt();
    m_owner.onUpstreamComplete();
}

void UpstreamExchange::releaseAfterResponse()
{
    release(m_upstream && m_upstream->reusable() && m_requestComplete);
}

void UpstreamExchange::onUpstreamReadBatchDone()
{
    m_owner.onUpstreamBatchDone();
    pauseUpstreamIfClientBehind();
}

void UpstreamExchange::endAttempt(const QString &error)
{
    m_recorder.endAttempt(m_attempt, error);
}

void UpstreamExchange::release(bool reusable)
{
    if (!reusable && m_upstream)
        endAttempt(QStringLiteral("cancelled"));
    if (m_target) {
        m_target->activeRequests.fetch_sub(1, std::memory_order_relaxed);
        m_target = nullptr;
    }
    if (!m_upstream)
        return;
    UpstreamLink *link = m_upstream;
    m_upstream = nullptr;
    link->setClient(nullptr);
    link->release(reusable);
}

void UpstreamExchange::onUpstreamError(const QString &reason)
{
    const bool wasConnected = m_connected;
    const bool wasPooled = m_pooled;
    endAttempt(reason);
    m_upstream = nullptr; // the connection retires itself
    TargetState *target = m_target;
    release(false); // what is left: the target's in-flight count
    if (m_owner.onUpstreamBroken(reason))
        return;
    if (m_recorder.sawUpstreamByte()) {
        fail(502, QStringLiteral("Bad Gateway"), QStringLiteral("upstream failed: %1").arg(reason));
        return;
    }
    const bool retryable = m_bodyRetainable && (m_requestComplete || m_sentBody.size() + m_bodyQueue.size() > 0 || !m_headSent);
    // Only an idempotent request may go again: on a reused connection we cannot tell "closed
    // while idle" from "read the request, acted on it, then died", and a POST must not run twice.
    if (wasPooled && !m_staleRetried && retryable && isIdempotent(m_request->method)) {
        // A kept-alive connection the upstream had already closed: try once more on a fresh one.
        m_staleRetried = true;
        connect();
        return;
    }
    if (!wasConnected && target) {
        m_cluster->reportFailure(target);
        m_staleRetried = false;
        if (retryElsewhere(target))
            return;
        fail(502, QStringLiteral("Bad Gateway"),
             QStringLiteral("upstream '%1' (%2): %3").arg(m_cluster->name(), target->url.toString(), reason));
        return;
    }
    if (target)
        m_cluster->reportFailure(target);
    fail(502, QStringLiteral("Bad Gateway"), QStringLiteral("upstream '%1': %2").arg(m_cluster->name(), reason));
}

// `retries` in the upstream config: a connect failure of an idempotent request goes to another
// target while the body is still held for it.
bool UpstreamExchange::retryElsewhere(TargetState *failed)
{
    if (m_retries >= m_cluster->config().retries || !isIdempotent(m_request->method) || !m_bodyRetainable)
        return false;
    ++m_retries;
    m_recorder.outcome().retries = m_retries;
    m_tried.push_back(failed);
    connect();
    return true;
}

void UpstreamExchange::fail(int status, const QString &title, const QString &detail)
{
    m_owner.onUpstreamFailed(status, title, detail);
}

void UpstreamExchange::onTunnelData(const char *data, size_t length)
{
    m_owner.onUpstreamTunnelData(data, length);
    pauseUpstreamIfClientBehind();
}

void UpstreamExchange::onTunnelEof()
{
    m_upstream = nullptr;
    m_owner.onUpstreamTunnelEof();
}

void UpstreamExchange::sendTunnelData(const char *data, size_t length)
{
    if (!m_upstream)
        return;
    m_upstream->sendTunnel(data, length);
    pauseClientIfBehind(m_upstream->pending());
}

void UpstreamExchange::shutdownTunnelWrite()
{
    if (m_upstream)
        m_upstream->shutdownWrite();
}

void UpstreamExchange::checkTimeouts(qint64 nowMs)
{
    if (m_connectDeadline && nowMs >= m_connectDeadline && m_upstream) {
        m_connectDeadline = 0;
        TargetState *target = m_target;
        endAttempt(QStringLiteral("connect timeout"));
        release(false);
        if (target)
            m_cluster->reportFailure(target);
        if (retryElsewhere(target))
            return;
        fail(504, QStringLiteral("Gateway Timeout"),
             QStringLiteral("could not connect to upstream '%1' within %2 ms")
                 .arg(m_cluster->name())
                 .arg(m_cluster->config().connectTimeout.count()));
        return;
    }
    if (m_responseDeadline && nowMs >= m_responseDeadline) {
        m_responseDeadline = 0;
        endAttempt(QStringLiteral("response timeout"));
        release(false);
        fail(504, QStringLiteral("Gateway Timeout"),
             QStringLiteral("upstream '%1' did not answer within %2 ms").arg(m_cluster->name()).arg(m_timeout.count()));
    }
}

} // namespace portico::gateway
