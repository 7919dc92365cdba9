#pragma once

#include "core/config/Workspace.h"
#include "core/filters/Filter.h"
#include "core/filters/FilterServices.h"

#include <vector>

namespace portico::filters {

// The transform filters of a route, in chain order: a RequestTransformFilter when the route has
// `request` operations, then a ResponseTransformFilter when it has `response` operations. Append
// them at the END of the route's chain: request operations then run last before the upstream,
// and response operations run first on the way back (responses go through the chain in reverse).
// A route without transforms gets an empty list. On a bad config (a malformed header name or JSON
// path) returns an empty list and sets *error to a message naming the route.
std::vector<FilterPtr> makeTransformFilters(
    const config::Workspace &workspace, const config::Route &route, FilterServices &services, QString *error);

} // namespace portico::filters
