#include "core/filters/ratelimit/RateLimitFilter.h"

#include "core/common/Metrics.h"
#include "core/filters/ratelimit/RateLimitStore.h"

#include <algorithm>

namespace portico::filters::ratelimit {

using namespace std::chrono;

namespace {

// Keys use a separator that cannot appear in route names, header values or tier names as written.
constexpr char kSep = '\x1f';

QByteArray limitSignature(const config::RateLimit &l)
{
    return QByteArray::number(l.requests) + kSep + QByteArray::number(qint64(l.per.count())) + kSep;
}

qint64 ceilSeconds(nanoseconds d)
{
    if (d.count() <= 0)
        return 0;
    return (d.count() + 999'999'999) / 1'000'000'000;
}

// Header names built once: a string literal handed to HttpHeaders::set() would allocate a
// QByteArray per call, on every request of a limited route.
const QByteArray kLimit = QByteArrayLiteral("RateLimit-Limit");
const QByteArray kRemaining = QByteArrayLiteral("RateLimit-Remaining");
const QByteArray kReset = QByteArrayLiteral("RateLimit-Reset");
const QByteArray kXLimit = QByteArrayLiteral("X-RateLimit-Limit");
const QByteArray kXRemaining = QByteArrayLiteral("X-RateLimit-Remaining");
const QByteArray kRetryAfter = QByteArrayLiteral("Retry-After");

// prefix + tag + subject in one allocation.
QByteArray joined(const QByteArray &prefix, QByteArrayView tag, QStringView subject)
{
    QByteArray out;
    out.reserve(prefix.size() + tag.size() + subject.size() * 3);
    out.append(prefix).append(tag).append(subject.toUtf8());
    return out;
}

QByteArray ipSubject(const QByteArray &prefix, const RequestContext &ctx)
{
    return joined(prefix, "ip:", ctx.clientAddress.toString());
}

} // namespace

RateLimitFilter::RateLimitFilter(QString routeName, std::optional<config::RateLimit> routeLimit,
    QHash<QString, config::RateLimit> tierLimits, std::shared_ptr<RateLimitStore> store, const Clock &clock,
    Counter *limitedCounter)
    : m_routeName(std::move(routeName))
    , m_routeLimit(std::move(routeLimit))
    , m_store(std::move(store))
    , m_clock(clock)
    , m_limited(limitedCounter)
{
    for (auto it = tierLimits.cbegin(); it != tierLimits.cend(); ++it) {
        const QByteArray prefix
            = "tier" + QByteArray(1, kSep) + it.key().toUtf8() + kSep + limitSignature(it.value());
        m_tierLimits.insert(it.key(), { it.value(), prefix });
    }
    if (m_routeLimit) {
        // Route name + limit parameters: a reload that keeps the limit keeps its counters, a
        // changed limit starts afresh.
        m_routeKeyPrefix = "route" + QByteArray(1, kSep) + m_routeName.toUtf8() + kSep
            + limitSignature(*m_routeLimit) + config::rateLimitByName(*m_routeLimit).toUtf8() + kSep;
        m_routeHeader = m_routeLimit->header.toUtf8();
    }
}

QByteArray RateLimitFilter::routeKey(const RequestContext &ctx) const
{
    switch (m_routeLimit->by) {
    case config::RateLimit::By::Consumer:
        return ctx.consumer ? joined(m_routeKeyPrefix, "c:", ctx.consumer->name)
                            : ipSubject(m_routeKeyPrefix, ctx);
    case config::RateLimit::By::Ip:
        return ipSubject(m_routeKeyPrefix, ctx);
    case config::RateLimit::By::Route:
        return m_routeKeyPrefix;
    case config::RateLimit::By::Header: {
        const QByteArray v = ctx.request ? ctx.request->headers.value(m_routeHeader) : QByteArray();
        return v.isNull() ? ipSubject(m_routeKeyPrefix, ctx) : m_routeKeyPrefix + "h:" + v;
    }
    }
    return m_routeKeyPrefix;
}

FilterStatus RateLimitFilter::onRequest(
    RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &callbacks)
{
    RateLimitRequest requests[2];
    size_t n = 0;
    if (m_routeLimit)
        requests[n++] = { routeKey(ctx), m_routeLimit->requests, m_routeLimit->per };
    if (ctx.consumer && !ctx.consumer->tier.isEmpty()) {
        const auto it = m_tierLimits.constFind(ctx.consumer->tier);
        if (it != m_tierLimits.constEnd()) {
            requests[n++]
                = { joined(it->keyPrefix, {}, ctx.consumer->name), it->limit.requests, it->limit.per };
        }
    }
    if (n == 0)
        return FilterStatus::Continue;

    const auto decisions = m_store->acquire(std::span(requests, n), m_clock.now());
    const bool allowed
        = std::all_of(decisions.begin(), decisions.end(), [](const auto &d) { return d.allowed; });

    // The stricter limit answers: fewest remaining; on a tie the one that resets later.
    const RateLimitDecision *shown = &decisions[0];
    for (const auto &d : decisions) {
        if (d.remaining < shown->remaining || (d.remaining == shown->remaining && d.reset > shown->reset))
            shown = &d;
    }
    const QByteArray limit = QByteArray::number(shown->limit);
    const QByteArray remaining = QByteArray::number(shown->remaining);
    ctx.extraResponseHeaders.reserve(ctx.extraResponseHeaders.size() + 5);
    ctx.extraResponseHeaders.set(kLimit, limit);
    ctx.extraResponseHeaders.set(kRemaining, remaining);
    ctx.extraResponseHeaders.set(kReset, QByteArray::number(ceilSeconds(shown->reset)));
    ctx.extraResponseHeaders.set(kXLimit, limit);
    ctx.extraResponseHeaders.set(kXRemaining, remaining);
    if (allowed)
        return FilterStatus::Continue;

    nanoseconds retry { 0 };
    for (const auto &d : decisions)
        retry = std::max(retry, d.retryAfter);
    const qint64 retrySeconds = std::max<qint64>(1, ceilSeconds(retry));
    if (m_limited)
        m_limited->inc();

    LocalReply reply;
    reply.status = 429;
    reply.title = QStringLiteral("Too Many Requests");
    reply.detail = QStringLiteral("Rate limit exceeded; retry in %1 s.").arg(retrySeconds);
    reply.typeSuffix = "rate-limited";
    reply.headers.set(kRetryAfter, QByteArray::number(retrySeconds));
    callbacks->sendLocalReply(std::move(reply));
    return FilterStatus::Stop;
}

} // namespace portico::filters::ratelimit
