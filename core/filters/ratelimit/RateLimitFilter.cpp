#include "core/filters/ratelimit/RateLimitFilter.h"

#include "core/common/Metrics.h"
#include "core/filters/ratelimit/RateLimitStore.h"
#include "core/filters/ratelimit/RedisRateLimitStore.h"

#include <QStringEncoder>
#include <QVarLengthArray>

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

} // namespace

// A key assembled on the stack: the store copies it only when it keeps a new key, so a request
// on a key it already has allocates nothing for it.
class RateLimitFilter::StackKey
{
public:
    StackKey &append(QByteArrayView bytes)
    {
        m_bytes.append(bytes.data(), bytes.size());
        return *this;
    }
    StackKey &appendUtf8(QStringView text)
    {
        QStringEncoder utf8(QStringEncoder::Utf8);
        const qsizetype at = m_bytes.size();
        m_bytes.resize(at + utf8.requiredSpace(text.size()));
        const char *end = utf8.appendToBuffer(m_bytes.data() + at, text);
        m_bytes.resize(end - m_bytes.constData());
        return *this;
    }
    StackKey &appendIp(const RequestContext &ctx)
    {
        return append("ip:").appendUtf8(ctx.clientAddress.toString());
    }
    // Valid while this object lives unchanged.
    QByteArray view() const { return QByteArray::fromRawData(m_bytes.constData(), m_bytes.size()); }

private:
    QVarLengthArray<char, 256> m_bytes;
};

RateLimitFilter::RateLimitFilter(QString routeName, std::optional<config::RateLimit> routeLimit,
    QHash<QString, config::RateLimit> tierLimits, std::shared_ptr<RateLimitStore> store, const Clock &clock,
    Counter *limitedCounter, std::shared_ptr<RedisRateLimitStore> shared)
    : m_routeName(std::move(routeName))
    , m_routeLimit(std::move(routeLimit))
    , m_store(std::move(store))
    , m_shared(std::move(shared))
    , m_clock(clock)
    , m_limited(limitedCounter)
{
    for (auto it = tierLimits.cbegin(); it != tierLimits.cend(); ++it) {
        const QByteArray prefix
            = "tier" + QByteArray(1, kSep) + it.key().toUtf8() + kSep + limitSignature(it.value());
        m_tierLimits.insert(
            it.key(), { it.value(), prefix, QByteArray::number(std::max(1, it.value().requests)) });
    }
    if (m_routeLimit) {
        // Route name + limit parameters: a reload that keeps the limit keeps its counters, a
        // changed limit starts afresh.
        m_routeKeyPrefix = "route" + QByteArray(1, kSep) + m_routeName.toUtf8() + kSep
            + limitSignature(*m_routeLimit) + config::rateLimitByName(*m_routeLimit).toUtf8() + kSep;
        m_routeHeader = m_routeLimit->header.toUtf8();
        m_routeLimitText = QByteArray::number(std::max(1, m_routeLimit->requests));
    }
}

void RateLimitFilter::routeKey(const RequestContext &ctx, StackKey &key) const
{
    key.append(m_routeKeyPrefix);
    switch (m_routeLimit->by) {
    case config::RateLimit::By::Consumer:
        if (ctx.consumer) // an anonymous consumer never shares a configured one's bucket
            key.append(ctx.consumer->anonymous ? "a:" : "c:").appendUtf8(ctx.consumer->name);
        else
            key.appendIp(ctx);
        return;
    case config::RateLimit::By::Ip:
        key.appendIp(ctx);
        return;
    case config::RateLimit::By::Route:
        return;
    case config::RateLimit::By::Header: {
        const QByteArray v = ctx.request ? ctx.request->headers.value(m_routeHeader) : QByteArray();
        if (v.isNull())
            key.appendIp(ctx);
        else
            key.append("h:").append(v);
        return;
    }
    }
}

FilterStatus RateLimitFilter::onRequest(
    RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &callbacks)
{
    StackKey routeKeyBytes, tierKeyBytes; // outlive acquire(): the requests point into them
    RateLimitRequest requests[2];
    const QByteArray *limitTexts[2] = {};
    size_t n = 0;
    if (m_routeLimit) {
        routeKey(ctx, routeKeyBytes);
        limitTexts[n] = &m_routeLimitText;
        requests[n++] = { routeKeyBytes.view(), m_routeLimit->requests, m_routeLimit->per };
    }
    if (ctx.consumer && !ctx.consumer->tier.isEmpty()) {
        const auto it = m_tierLimits.constFind(ctx.consumer->tier);
        if (it != m_tierLimits.constEnd()) {
            tierKeyBytes.append(it->keyPrefix).appendUtf8(ctx.consumer->name);
            limitTexts[n] = &it->limitText;
            requests[n++] = { tierKeyBytes.view(), it->limit.requests, it->limit.per };
        }
    }
    if (n == 0)
        return FilterStatus::Continue;

    if (m_shared) {
        // Copies: the texts belong to this filter, which a reload may drop while Redis answers.
        struct Texts
        {
            QByteArray limits[2];
        } texts;
        for (size_t i = 0; i < n; ++i)
            texts.limits[i] = *limitTexts[i];
        m_shared->acquire(
            std::span(requests, n), [this, &ctx, callbacks, texts](RedisRateLimitStore::Outcome outcome) {
                if (callbacks->cancelled()) // the exchange is over; `this` and ctx may be gone
                    return;
                if (!outcome.ok) {
                    storeFailed(ctx, *callbacks, outcome.error);
                    return;
                }
                const QByteArray *limits[2] = { &texts.limits[0], &texts.limits[1] };
                if (answer(ctx, *callbacks, outcome.decisions, limits))
                    callbacks->resume();
            });
        return FilterStatus::Stop;
    }

    const auto decisions = m_store->acquire(std::span(requests, n), m_clock.now());
    return answer(ctx, *callbacks, decisions, limitTexts) ? FilterStatus::Continue : FilterStatus::Stop;
}

bool RateLimitFilter::answer(RequestContext &ctx, FilterCallbacks &callbacks,
    std::span<const RateLimitDecision> decisions, const QByteArray *const *limitTexts) const
{
    const bool allowed
        = std::all_of(decisions.begin(), decisions.end(), [](const auto &d) { return d.allowed; });

    // The stricter limit answers: fewest remaining; on a tie the one that resets later.
    const RateLimitDecision *shown = &decisions[0];
    for (const auto &d : decisions) {
        if (d.remaining < shown->remaining || (d.remaining == shown->remaining && d.reset > shown->reset))
            shown = &d;
    }
    const QByteArray &limit = *limitTexts[shown - decisions.data()];
    const QByteArray remaining = QByteArray::number(shown->remaining);
    ctx.extraResponseHeaders.reserve(ctx.extraResponseHeaders.size() + 5);
    ctx.extraResponseHeaders.set(kLimit, limit);
    ctx.extraResponseHeaders.set(kRemaining, remaining);
    ctx.extraResponseHeaders.set(kReset, QByteArray::number(ceilSeconds(shown->reset)));
    ctx.extraResponseHeaders.set(kXLimit, limit);
    ctx.extraResponseHeaders.set(kXRemaining, remaining);
    if (allowed)
        return true;

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
    callbacks.sendLocalReply(std::move(reply));
    return false;
}

void RateLimitFilter::storeFailed(RequestContext &ctx, FilterCallbacks &callbacks, const QString &why) const
{
    if (m_shared->settings().onError == config::RateLimitStoreSettings::OnError::Allow) {
        ctx.notes.append(
            QStringLiteral("rate limit not applied: the shared store did not answer (%1); on_error: allow")
                .arg(why));
        callbacks.resume();
        return;
    }
    // The reason stays in the log and the capture: it names the store's address.
    ctx.notes.append(
        QStringLiteral("refused: the shared rate-limit store did not answer (%1); on_error: deny").arg(why));
    LocalReply reply;
    reply.status = 503;
    reply.title = QStringLiteral("Service Unavailable");
    reply.detail = QStringLiteral("The rate limit of this route cannot be checked right now; retry shortly.");
    reply.typeSuffix = "rate-limit-store-unavailable";
    reply.headers.set(kRetryAfter, QByteArrayLiteral("1"));
    callbacks.sendLocalReply(std::move(reply));
}

} // namespace portico::filters::ratelimit
