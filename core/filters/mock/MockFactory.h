#pragma once

#include "core/config/Workspace.h"
#include "core/filters/Filter.h"
#include "core/filters/FilterServices.h"

namespace portico::filters {

// The MockFilter of a route with a `mock` block; null (and *error empty) for any other route.
// Place it last among the request filters, after auth and rate limiting.
//
// Built once per config revision: a body_file is read here (resolved against the workspace
// folder), not per request, so editing the file takes effect on the next reload. When the mock
// names no Content-Type and has a body, one is chosen: application/json for an inline body that
// parses as JSON, else text/plain; charset=utf-8; for a body_file, the type its name and content
// suggest (QMimeDatabase). On a bad block (unreadable file, body and body_file both set, a status
// outside 200-599, a malformed header, framing headers the proxy owns) returns null and sets
// *error to a message naming the route.
FilterPtr makeMockFilter(
    const config::Workspace &workspace, const config::Route &route, FilterServices &services, QString *error);

} // namespace portico::filters
