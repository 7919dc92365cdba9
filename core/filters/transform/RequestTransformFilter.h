#pragma once

#include "core/filters/Filter.h"
#include "core/filters/transform/HeaderTransform.h"
#include "core/filters/transform/QueryTransform.h"

namespace portico::filters {

// A route's `request.headers` and `request.query` operations, applied to ctx.request in
// onRequest(). Placed last in the chain, so auth and hide_credentials have seen the request as
// the client sent it and the upstream gets exactly what the operations leave.
class RequestTransformFilter final : public HttpFilter
{
public:
    RequestTransformFilter(HeaderTransform headers, QueryTransform query);

    const char *name() const override { return "request-transform"; }
    FilterStatus onRequest(RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &callbacks) override;

private:
    const HeaderTransform m_headers;
    const QueryTransform m_query;
};

} // namespace portico::filters
