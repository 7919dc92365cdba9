#pragma once

#include "core/filters/Filter.h"
#include "core/gateway/RuntimeConfig.h"

#include <optional>

namespace portico::gateway {

// The routing steps of the pipeline: the path as routes see it, the route for a request, and the
// backend a route sends it to once its filters have run. Stateless: the compiled config holds the
// routes.
namespace Router {

// Normalises the request path in place (RFC 3986, gateway.paths); on failure the path is left as
// it came and the result says why (route() turns that into a 400).
http::NormalizedPath normalize(const RuntimeConfig &config, http::RequestHead &request);

struct Decision
{
    RouteMatchResult match;
    std::optional<filters::LocalReply> refusal; // 405 CONNECT, 400 bad path, 404 no route
};
// `hostHeader` as the client sent it (port and IPv6 brackets are stripped here).
Decision route(const RuntimeConfig &config, const http::RequestHead &request, const http::NormalizedPath &normal,
               const QByteArray &hostHeader);

// The upstream the filters chose (a version's, or another by name) or the route's own; null when
// there is none (-> 502). Aggregates are served by AggregateFanout, not through a cluster.
std::shared_ptr<Cluster> backend(const RuntimeConfig &config, const CompiledRoute &route,
                                 const filters::RequestContext &ctx);

} // namespace Router

} // namespace portico::gateway
