#pragma once

#include "core/config/Workspace.h"
#include "core/filters/Filter.h"

#include <vector>

namespace portico::filters {
struct FilterServices;
}

namespace portico::filters::ratelimit {

// The rate-limit filter of a route, or nothing when no limit can apply: the route has no
// rate_limit and either no auth (so no consumer, so no tier) or no tier with a rate_limit.
// Goes last in the chain, after auth and acl, so that `by: consumer` and tier limits see the
// consumer and refused requests do not spend quota.
std::vector<FilterPtr> makeRateLimitFilters(
    const config::Workspace &workspace, const config::Route &route, FilterServices &services);

} // namespace portico::filters::ratelimit
