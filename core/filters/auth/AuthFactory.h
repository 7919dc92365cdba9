#pragma once

#include "core/filters/Filter.h"
#include "core/filters/auth/AuthConfig.h"

namespace portico::filters::auth {

// The auth filter of a route (first in its chain: auth -> acl -> ratelimit), or nothing when the
// route lists no schemes. A scheme that cannot be built (unknown name, unreadable public_key PEM)
// is reported in `errors` and refuses every request: a broken config fails closed, never open.
struct AuthFilters
{
    using Config = config::AuthConfig;
    static constexpr const char *kName = Config::kName;
    static FilterList make(const FilterBuildContext &context, QStringList &errors);
};

} // namespace portico::filters::auth
