#pragma once

#include "core/filters/Filter.h"
#include "core/filters/acl/AclConfig.h"

namespace portico::filters::acl {

// The route's allow_groups filter, or nothing when it has none. Goes after auth, before rate limit.
struct AclFilters
{
    using Config = config::AclConfig;
    static constexpr const char *kName = Config::kName;
    static FilterList make(const FilterBuildContext &context, QStringList &errors);
};

} // namespace portico::filters::acl
