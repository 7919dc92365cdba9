#include "core/filters/ratelimit/RateLimitFactory.h"

#include "core/common/Metrics.h"
#include "core/filters/FilterServices.h"
#include "core/filters/auth/AuthConfig.h"
#include "core/filters/ratelimit/RateLimitFilter.h"
#include "core/filters/ratelimit/RateLimitStore.h"
#include "core/filters/ratelimit/RedisRateLimitStore.h"

namespace portico::filters::ratelimit {

FilterList RateLimitFilters::make(const FilterBuildContext &context, QStringList &)
{
    const config::Workspace &workspace = context.workspace;
    const config::Route &route = context.route;
    FilterServices &services = context.services;
    const std::optional<config::RateLimit> &routeLimit = route.filters.value<Config>().limit;
    QHash<QString, config::RateLimit> tierLimits;
    // Tiers belong to consumers, which only an auth filter names.
    if (!route.filters.value<config::AuthConfig>().schemes.isEmpty()) {
        for (const config::Tier &tier : workspace.tiers) {
            if (tier.rateLimit)
                tierLimits.insert(tier.name, *tier.rateLimit);
        }
    }
    if (!routeLimit && tierLimits.isEmpty())
        return {};

    if (!services.rateLimits)
        services.rateLimits = std::make_shared<RateLimitStore>();
    // One Redis store per distinct settings, shared by every route of a config; a reload that
    // keeps the settings keeps the store and its connections.
    std::shared_ptr<RedisRateLimitStore> shared;
    if (workspace.rateLimitStore.shared()) {
        if (!services.sharedRateLimits || services.sharedRateLimits->settings() != workspace.rateLimitStore)
            services.sharedRateLimits
                = std::make_shared<RedisRateLimitStore>(workspace.rateLimitStore, services.metrics);
        shared = services.sharedRateLimits;
    }
    Counter *limited = nullptr;
    if (services.metrics) {
        limited = &services.metrics->counter("portico_rate_limited_total",
            "Requests refused with 429 by a rate limit", { { "route", route.name.toUtf8() } });
    }
    const Clock &clock = services.clock ? *services.clock : SystemClock::instance();
    return { std::make_shared<RateLimitFilter>(route.name, routeLimit, std::move(tierLimits),
        services.rateLimits, clock, limited, std::move(shared)) };
}

} // namespace portico::filters::ratelimit
