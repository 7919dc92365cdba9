#pragma once

#include "core/filters/Filter.h"
#include "core/filters/transform/TransformConfig.h"

namespace portico::filters::transform {

// The transform filters of a route, in chain order: a RequestTransformFilter when the route has
// `request` operations, then a ResponseTransformFilter when it has `response` operations. They sit
// near the END of the route's chain (before mock only): request operations then run last before
// the upstream, and response operations run first on the way back (responses go through the chain
// in reverse). A route without transforms gets none. On a bad config (a malformed header name or
// JSON path) returns none and reports a message naming the route.
struct TransformFilters
{
    using Config = config::TransformConfig;
    static constexpr const char *kName = Config::kName;
    static FilterList make(const FilterBuildContext &context, QStringList &errors);
};

} // namespace portico::filters::transform
