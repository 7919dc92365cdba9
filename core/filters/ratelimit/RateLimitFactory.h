#pragma once

#include "core/filters/Filter.h"
#include "core/filters/ratelimit/RateLimitConfig.h"

namespace portico::filters::ratelimit {

// The rate-limit filter of a route, or nothing when no limit can apply: the route has no
// rate_limit and either no auth (so no consumer, so no tier) or no tier with a rate_limit.
// Goes after auth and acl, so that `by: consumer` and tier limits see the consumer and refused
// requests do not spend quota.
struct RateLimitFilters
{
    using Config = config::RateLimitConfig;
    static constexpr const char *kName = Config::kName;
    static FilterList make(const FilterBuildContext &context, QStringList &errors);
};

} // namespace portico::filters::ratelimit
