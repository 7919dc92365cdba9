#pragma once

#include "core/filters/Filter.h"
#include "core/filters/mock/MockConfig.h"

namespace portico::filters::mock {

// The MockFilter of a route with a `mock` backend (Route::mock; no route keys of its own, so
// Config is void); none for any other route. Last among the request filters, after auth and rate
// limiting, so that the response transforms before it shape its answers too.
//
// Built once per config revision: a body_file is read here (resolved against the workspace
// folder), not per request, so editing the file takes effect on the next reload. When the mock
// names no Content-Type and has a body, one is chosen: application/json for an inline body that
// parses as JSON, else text/plain; charset=utf-8; for a body_file, the type its name and content
// suggest (QMimeDatabase). On a bad block (unreadable file, body and body_file both set, a status
// outside 200-599, a malformed header, framing headers the proxy owns) returns none and reports a
// message naming the route.
struct MockFilters
{
    using Config = void;
    static constexpr const char *kName = "mock";
    static FilterList make(const FilterBuildContext &context, QStringList &errors);
};

} // namespace portico::filters::mock
