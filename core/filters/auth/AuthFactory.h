#pragma once

#include "core/config/Workspace.h"
#include "core/filters/Filter.h"

#include <vector>

namespace portico::filters {
struct FilterServices;
}

namespace portico::filters::auth {

// The auth filter of a route (first in its chain: auth -> acl -> ratelimit), or nothing when the
// route lists no schemes. A scheme that cannot be built (unknown name, unreadable public_key PEM)
// is reported in `errors` and refuses every request: a broken config fails closed, never open.
std::vector<FilterPtr> makeAuthFilters(const config::Workspace &workspace, const config::Route &route,
    FilterServices &services, QStringList *errors = nullptr);

} // namespace portico::filters::auth
