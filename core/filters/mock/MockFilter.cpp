#include "core/filters/mock/MockFilter.h"

#include <QTimer>

namespace portico::filters {

namespace {

void answer(const std::shared_ptr<FilterCallbacks> &callbacks, const MockFilter::Response &response)
{
    if (!callbacks->cancelled())
        callbacks->sendResponse(response.head, response.body);
}

} // namespace

MockFilter::MockFilter(Response response)
    : m_response(std::make_shared<const Response>(std::move(response)))
{
}

FilterStatus MockFilter::onRequest(RequestContext &, const std::shared_ptr<FilterCallbacks> &callbacks)
{
    if (!callbacks)
        return FilterStatus::Stop; // nobody to answer to; never fall through to an upstream
    if (m_response->delay <= std::chrono::milliseconds::zero()) {
        answer(callbacks, *m_response);
        return FilterStatus::Stop;
    }
    QTimer::singleShot(m_response->delay, Qt::PreciseTimer,
        [callbacks, response = m_response] { answer(callbacks, *response); });
    return FilterStatus::Stop;
}

} // namespace portico::filters
