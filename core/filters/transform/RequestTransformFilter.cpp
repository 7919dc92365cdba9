#include "core/filters/transform/RequestTransformFilter.h"

namespace portico::filters {

RequestTransformFilter::RequestTransformFilter(HeaderTransform headers, QueryTransform query)
    : m_headers(std::move(headers))
    , m_query(std::move(query))
{
}

FilterStatus RequestTransformFilter::onRequest(RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &)
{
    if (!ctx.request)
        return FilterStatus::Continue;
    m_headers.apply(ctx.request->headers);
    if (!m_query.isEmpty())
        ctx.request->query = m_query.apply(ctx.request->query);
    return FilterStatus::Continue;
}

} // namespace portico::filters
