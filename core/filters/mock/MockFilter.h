#pragma once

#include "core/filters/Filter.h"

#include <chrono>

namespace portico::filters {

// A mock route: answers every request itself with a fixed response, so clients can be built
// against a backend that does not exist yet. Runs after auth and rate limiting (a mock of a
// protected API stays protected) and never lets the request reach an upstream.
//
// With a delay, onRequest() arms a single-shot timer on the calling worker thread's event loop and
// returns Stop; the timer answers through the callbacks, which do nothing if the client has gone.
// The timer holds the callbacks and the response, not the filter, so a config reload that drops
// the filter while a delayed answer is pending is safe.
class MockFilter final : public HttpFilter
{
public:
    struct Response
    {
        http::ResponseHead head; // status, reason and headers as sent (framing is the proxy's)
        QByteArray body;
        std::chrono::milliseconds delay { 0 };
    };

    explicit MockFilter(Response response);

    const char *name() const override { return "mock"; }
    FilterStatus onRequest(RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &callbacks) override;

    const Response &response() const { return *m_response; }

private:
    std::shared_ptr<const Response> m_response;
};

} // namespace portico::filters
