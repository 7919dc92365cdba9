#pragma once

#include "core/config/Workspace.h"
#include "core/filters/Filter.h"
#include "core/filters/FilterServices.h"

namespace portico::filters {

// The VersioningFilter of a route with a `versions` block; null (and *error empty) for any other
// route. Place it after auth and rate limiting. On a bad block, or a version naming an upstream the
// workspace does not have, returns null and sets *error to a message naming the route.
FilterPtr makeVersioningFilter(
    const config::Workspace &workspace, const config::Route &route, FilterServices &services, QString *error);

} // namespace portico::filters
