#include "core/gateway/aggregate/AggregateFanout.h"

#include "core/capture/CaptureStore.h"
#include "core/gateway/Worker.h"
#include "core/gateway/aggregate/AggregateSubRequest.h"
#include "core/gateway/pipeline/ExchangeRecorder.h"
#include "core/gateway/pipeline/PipelineSupport.h"

#include <QDateTime>

namespace portico::gateway {

using Outcome = AggregatePartResult::Outcome;

// One sub-request: its own upstream connection, answer and capture record.
class AggregateFanout::Part final : public UpstreamLink::Client
{
public:
    Part(AggregateFanout *owner, const config::AggregatePart &part)
        : m_owner(owner)
        , m_part(part)
    {
        m_result.key = part.key;
        m_result.upstream = part.upstream;
    }
    ~Part() override { drop(); }

    void start()
    {
        const Context &c = m_owner->m_context;
        m_startMs = steadyMs();
        m_startUs = detail::nowUs();
        m_exchange.startedAt = QDateTime::currentDateTimeUtc();
        m_request = makeAggregateSubRequest(*c.clientRequest, m_part);
        m_trace = *c.forward.trace;
        m_trace.parentSpanId = c.forward.trace->spanId;
        m_trace.spanId = randomHex(8);
        m_cluster = c.config->cluster(m_part.upstream);
        m_target = m_cluster ? m_cluster->pick(c.forward.clientAddress, {}) : nullptr;
        if (!m_target) {
            fail(Outcome::Unavailable, QStringLiteral("no healthy target in upstream '%1'").arg(m_part.upstream));
            return;
        }
        m_deadlineMs = m_startMs + c.timeout.count();
        if (c.recorder)
            m_attempt
                = c.recorder->beginAttempt(m_part.upstream, m_target->urlText, m_part.key, m_trace.spanId);
        bool pooled = false;
        QString error;
        m_connection = c.worker->acquire(m_target, *m_cluster, &pooled, &error);
        if (!m_connection) {
            fail(Outcome::Failed, error);
            return;
        }
        m_target->activeRequests.fetch_add(1, std::memory_order_relaxed);
        m_counted = true;
        m_connection->beginExchange(this, false);
        if (m_connection->ready())
            onUpstreamConnected();
    }

    void checkTimeout(qint64 nowMs)
    {
        if (!m_done && m_deadlineMs && nowMs >= m_deadlineMs)
            fail(Outcome::Timeout, QStringLiteral("no answer within %1 ms").arg(m_owner->m_context.timeout.count()));
    }

    bool done() const { return m_done; }
    const AggregatePartResult &result() const { return m_result; }

private:
    void onUpstreamConnected() override
    {
        ForwardInfo info = m_owner->m_context.forward;
        info.trace = &m_trace;
        info.clientSpanId.clear(); // the part's own span is the upstream's parent
        info.chunked = false;
        info.contentLength = -1;
        m_connection->sendRequest(m_request, *m_target, info, {}, {}, true);
    }
    void onUpstreamInformational(http::ResponseHead &&) override { }
    void onUpstreamResponseHead(http::ResponseHead &&head) override
    {
        m_result.status = head.status;
        if (Context &c = m_owner->m_context; c.recorder)
            c.recorder->attemptStatus(m_attempt, head.status);
        m_result.headers = std::move(head.headers);
    }
    void onUpstreamBody(const char *data, size_t length) override
    {
        const qint64 cap = m_owner->m_context.config->workspace().gateway.limits.maxBodyBytes;
        if (m_result.body.size() + qint64(length) > cap) {
            fail(Outcome::Failed, QStringLiteral("answer larger than %1 bytes").arg(cap));
            return;
        }
        m_result.body.append(data, qsizetype(length));
    }
    void onUpstreamComplete() override
    {
        if (m_done)
            return;
        UpstreamLink *c = m_connection;
        m_connection = nullptr;
        c->setClient(nullptr);
        c->release(c->reusable());
        m_cluster->reportSuccess(m_target);
        m_result.outcome = Outcome::Response;
        complete();
    }
    void onUpstreamReadBatchDone() override { }
    void onUpstreamError(const QString &reason) override
    {
        m_connection = nullptr; // it retires itself
        if (m_target)
            m_cluster->reportFailure(m_target);
        fail(Outcome::Failed, reason);
    }
    void onUpstreamDrained() override { }
    void onTunnelData(const char *, size_t) override { }
    void onTunnelEof() override { }

    void drop()
    {
        if (m_connection) {
            m_connection->setClient(nullptr);
            m_connection->close();
            m_connection = nullptr;
        }
        if (m_counted) {
            m_target->activeRequests.fetch_sub(1, std::memory_order_relaxed);
            m_counted = false;
        }
    }

    void fail(Outcome outcome, const QString &error)
    {
        if (m_done)
            return;
        drop();
        m_result.outcome = outcome;
        m_result.error = error;
        complete();
    }

    void complete()
    {
        m_done = true;
        drop();
        if (Context &c = m_owner->m_context; c.recorder)
            c.recorder->endAttempt(m_attempt, m_result.error);
        record();
        m_owner->partFinished();
    }

    void record()
    {
        const Context &c = m_owner->m_context;
        capture::CaptureStore *store = c.worker->state().capture();
        if (!store)
            return;
        m_exchange.parentId = c.parentId;
        m_exchange.method = QString::fromLatin1(m_request.method);
        m_exchange.scheme = m_target && m_target->tls ? QStringLiteral("https") : QStringLiteral("http");
        m_exchange.host = m_target ? QString::fromUtf8(m_target->hostHeader) : m_part.upstream;
        m_exchange.path = QString::fromUtf8(m_request.path);
        m_exchange.query = QString::fromUtf8(m_request.query);
        m_exchange.url = m_exchange.scheme + QStringLiteral("://") + m_exchange.host + QString::fromUtf8(m_request.pathAndQuery());
        m_exchange.clientAddress = c.forward.clientAddress.toString();
        m_exchange.route = c.route;
        m_exchange.consumer = c.consumer;
        m_exchange.upstream = m_part.upstream;
        // A part is the gateway's own request: it speaks the upstream's protocol.
        m_exchange.protocol = m_cluster && m_cluster->config().protocol != config::UpstreamProtocol::Http1
            ? QStringLiteral("HTTP/2")
            : QStringLiteral("HTTP/1.1");
        m_exchange.upstreamTarget = m_target ? m_target->url.toString() : QString();
        m_exchange.traceId = QString::fromLatin1(m_trace.traceId);
        m_exchange.spanId = QString::fromLatin1(m_trace.spanId);
        m_exchange.parentSpanId = QString::fromLatin1(m_trace.parentSpanId);
        m_exchange.status = m_result.outcome == Outcome::Response ? m_result.status : 0;
        m_exchange.error = m_result.error;
        m_exchange.requestHeaders = m_request.headers.entries();
        m_exchange.responseHeaders = m_result.headers.entries();
        const qint64 cap = c.config->workspace().capture.maxBodyBytes;
        m_exchange.responseBodySize = m_result.body.size();
        m_exchange.responseBody = m_result.body.left(cap);
        m_exchange.responseTruncated = m_result.body.size() > cap;
        m_exchange.responseBytes = m_result.body.size();
        m_exchange.timings.lastByteUs = detail::nowUs() - m_startUs;
        m_exchange.addNote(QStringLiteral("aggregate part '%1' of exchange %2").arg(m_part.key).arg(c.parentId));
        store->submit(std::move(m_exchange));
    }

    AggregateFanout *m_owner;
    config::AggregatePart m_part;
    AggregatePartResult m_result;
    http::RequestHead m_request;
    TraceContext m_trace;
    std::shared_ptr<Cluster> m_cluster;
    TargetState *m_target = nullptr;
    UpstreamLink *m_connection = nullptr;
    capture::Exchange m_exchange;
    qint64 m_startMs = 0;
    qint64 m_startUs = 0; // for the captured duration, in microseconds
    qint64 m_deadlineMs = 0;
    int m_attempt = -1; // in the client-facing exchange's recorder
    bool m_done = false;
    bool m_counted = false;
};

AggregateFanout::AggregateFanout(Context context, Done done, QObject *parent)
    : QObject(parent)
    , m_context(std::move(context))
    , m_done(std::move(done))
{
}

AggregateFanout::~AggregateFanout() = default;

void AggregateFanout::start()
{
    for (const config::AggregatePart &p : m_context.plan->parts)
        m_parts.push_back(std::make_unique<Part>(this, p));
    // Start them all before any can finish synchronously (a part with no healthy target).
    const size_t n = m_parts.size();
    for (size_t i = 0; i < n && !m_finished; ++i)
        m_parts[i]->start();
}

void AggregateFanout::checkTimeouts(qint64 nowMs)
{
    for (size_t i = 0; i < m_parts.size() && !m_finished; ++i)
        m_parts[i]->checkTimeout(nowMs);
}

void AggregateFanout::partFinished()
{
    if (m_finished)
        return;
    for (const auto &p : m_parts) {
        if (!p->done())
            return;
    }
    if (m_parts.size() != size_t(m_context.plan->parts.size()))
        return; // still being started
    m_finished = true;
    QList<AggregatePartResult> results;
    for (const auto &p : m_parts)
        results.append(p->result());
    m_done(m_context.plan->merger.merge(results));
}

} // namespace portico::gateway
