#pragma once

#include "core/config/Workspace.h"
#include "core/filters/Filter.h"

#include <vector>

namespace portico::filters {
struct FilterServices;
}

namespace portico::filters::acl {

// The route's allow_groups filter, or nothing when it has none. Goes after auth, before rate limit.
std::vector<FilterPtr> makeAclFilters(
    const config::Workspace &workspace, const config::Route &route, FilterServices &services);

} // namespace portico::filters::acl
