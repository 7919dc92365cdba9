#pragma once

#include "core/common/Clock.h"
#include "core/common/Metrics.h"
#include "core/filters/auth/IntrospectionCache.h"
#include "core/filters/auth/JwksCache.h"
#include "core/filters/ratelimit/RateLimitStore.h"
#include "core/filters/ratelimit/RedisRateLimitStore.h"

#include <memory>

namespace portico::filters {

// What filters share across requests, threads and config reloads. The gateway owns one instance
// for its lifetime and hands it to the filter factories; a reload builds new filter chains over
// the same services, so rate-limit windows, JWKS caches and introspection caches survive it.
// Each filter family adds its shared state here as a member (e.g. a rate-limit store).
struct FilterServices
{
    const Clock *clock = nullptr;
    MetricsRegistry *metrics = nullptr;
    // Rate-limit buckets, keyed by route name + limit parameters (+ subject), so a reload that
    // keeps a limit keeps its counts. The gateway may call rateLimits->sweep() on a timer.
    std::shared_ptr<ratelimit::RateLimitStore> rateLimits = std::make_shared<ratelimit::RateLimitStore>();
    // The same buckets in Redis when the workspace has rate_limit_store.redis (several instances
    // share them); made by the rate-limit factory, replaced when those settings change.
    std::shared_ptr<ratelimit::RedisRateLimitStore> sharedRateLimits;
    // JWK sets by URL, shared by all routes and worker threads (refetch floor per URL).
    std::shared_ptr<auth::JwksCache> jwks = std::make_shared<auth::JwksCache>();
    // Active token introspection answers (bounded; never kept past a token's exp).
    std::shared_ptr<auth::IntrospectionCache> introspection = std::make_shared<auth::IntrospectionCache>();
};

} // namespace portico::filters
