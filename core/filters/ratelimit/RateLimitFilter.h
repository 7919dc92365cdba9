#pragma once

#include "core/config/Workspace.h"
#include "core/filters/Filter.h"

#include <QHash>

#include <memory>
#include <optional>
#include <span>

namespace portico {
class Counter;
}

namespace portico::filters::ratelimit {

class RateLimitStore;
class RedisRateLimitStore;
struct RateLimitDecision;

// Applies a route's rate_limit and the consumer's tier limit (its plan) together, through the
// shared RateLimitStore (see there for the algorithm and its burst behaviour). Both limits are
// charged or neither; when one denies, the answer is 429 with Retry-After. Every answer on the
// route carries RateLimit-Limit / -Remaining / -Reset and X-RateLimit-Limit / -Remaining of the
// limit with the fewest requests remaining (via ctx.extraResponseHeaders).
//
// Who a route limit counts (`by`): consumer = ctx.consumer's name (the client IP when the request
// is unauthenticated); ip = the client address; route = everyone together; header:NAME = the
// header's value (the client IP when the header is absent, so omitting it is no way around the
// limit). Tier limits always count per consumer, across every route: they are the consumer's plan.
//
// With a shared store (rate_limit_store.redis) the decision is asked of Redis and the exchange waits
// for it (FilterStatus::Stop, resumed by the answer); when Redis cannot decide in time, on_error
// says: allow lets the request through without limit headers (noted in the capture), deny answers
// 503 problem+json with Retry-After: 1.
class RateLimitFilter final : public HttpFilter
{
public:
    RateLimitFilter(QString routeName, std::optional<config::RateLimit> routeLimit,
        QHash<QString, config::RateLimit> tierLimits, std::shared_ptr<RateLimitStore> store,
        const Clock &clock, Counter *limitedCounter, std::shared_ptr<RedisRateLimitStore> shared = nullptr);

    const char *name() const override { return "rate_limit"; }
    FilterStatus onRequest(RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &callbacks) override;

private:
    class StackKey; // a key built on the stack (RateLimitFilter.cpp)
    void routeKey(const RequestContext &ctx, StackKey &key) const;
    // Sets the limit headers; false when a limit refused (and the 429 went out).
    bool answer(RequestContext &ctx, FilterCallbacks &callbacks, std::span<const RateLimitDecision> decisions,
        const QByteArray *const *limitTexts) const;
    void storeFailed(RequestContext &ctx, FilterCallbacks &callbacks, const QString &why) const;

    QString m_routeName;
    std::optional<config::RateLimit> m_routeLimit;
    QByteArray m_routeKeyPrefix;
    QByteArray m_routeHeader; // by: header:NAME
    QByteArray m_routeLimitText; // RateLimit-Limit, formatted once
    struct TierLimit
    {
        config::RateLimit limit;
        QByteArray keyPrefix; // the consumer's name completes the key
        QByteArray limitText;
    };
    QHash<QString, TierLimit> m_tierLimits; // tier name -> its limit
    std::shared_ptr<RateLimitStore> m_store;
    std::shared_ptr<RedisRateLimitStore> m_shared; // null: decide in this process
    const Clock &m_clock;
    Counter *m_limited; // null: not counted
};

} // namespace portico::filters::ratelimit
