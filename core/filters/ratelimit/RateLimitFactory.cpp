#include "core/filters/ratelimit/RateLimitFactory.h"

#include "core/common/Metrics.h"
#include "core/filters/FilterServices.h"
#include "core/filters/ratelimit/RateLimitFilter.h"
#include "core/filters/ratelimit/RateLimitStore.h"

namespace portico::filters::ratelimit {

std::vector<FilterPtr> makeRateLimitFilters(
    const config::Workspace &workspace, const config::Route &route, FilterServices &services)
{
    QHash<QString, config::RateLimit> tierLimits;
    if (!route.auth.isEmpty()) {
        for (const config::Tier &tier : workspace.tiers) {
            if (tier.rateLimit)
                tierLimits.insert(tier.name, *tier.rateLimit);
        }
    }
    if (!route.rateLimit && tierLimits.isEmpty())
        return {};

    if (!services.rateLimits)
        services.rateLimits = std::make_shared<RateLimitStore>();
    Counter *limited = nullptr;
    if (services.metrics) {
        limited = &services.metrics->counter("portico_rate_limited_total",
            "Requests refused with 429 by a rate limit", { { "route", route.name.toUtf8() } });
    }
    const Clock &clock = services.clock ? *services.clock : SystemClock::instance();
    return { std::make_shared<RateLimitFilter>(
        route.name, route.rateLimit, std::move(tierLimits), services.rateLimits, clock, limited) };
}

} // namespace portico::filters::ratelimit
