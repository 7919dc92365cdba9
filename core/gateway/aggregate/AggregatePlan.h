#pragma once

#include "core/config/Workspace.h"
#include "core/gateway/aggregate/AggregateMerger.h"

#include <memory>

namespace portico::gateway {

// What the engine needs to serve an `aggregate` route, checked once per config revision: the
// parts in config order (each names an existing upstream, a unique key and an absolute path) and
// a merger whose per-part cap is gateway.limits.max_body_bytes. The engine sends
// makeAggregateSubRequest(request, part) for every part in parallel, each through its upstream's
// pool and under the route's timeout, collects AggregatePartResults, and answers with
// merger.merge(results) (then the response filters, as for any answer).
struct AggregatePlan
{
    QList<config::AggregatePart> parts;
    AggregateMerger merger;
};

// The plan of a route with `aggregate` parts; null (and *error empty) for any other route; null
// with *error set (naming the route) on a bad part.
std::shared_ptr<const AggregatePlan> makeAggregatePlan(
    const config::Workspace &workspace, const config::Route &route, QString *error);

} // namespace portico::gateway
