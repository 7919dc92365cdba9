#pragma once

#include "core/filters/Filter.h"
#include "core/filters/versioning/VersionsConfig.h"

namespace portico::filters::versioning {

// The VersioningFilter of a route with a `versions` backend (Route::versions, the config this
// filter reads; it has no route keys of its own, so Config is void); none for any other route.
// Placed after auth and rate limiting. On a bad block, or a version naming an upstream the
// workspace does not have, returns none and reports a message naming the route.
struct VersioningFilters
{
    using Config = void;
    static constexpr const char *kName = "versioning";
    static FilterList make(const FilterBuildContext &context, QStringList &errors);
};

} // namespace portico::filters::versioning
