#pragma once

#include "core/filters/Filter.h"

#include <memory>
#include <vector>

namespace portico::gateway {

class Worker;

// Runs a route's filter chain for one exchange: onRequest() in chain order, pausing while a filter
// waits for async work and going on when it resumes; then, on whatever answers (the upstream, a
// mock, a local reply), onResponseHead() and onResponseBody() in reverse order over the filters
// that ran. Filters reach the exchange through callbacks that survive it (see FilterCallbacks).
class FilterRunner
{
    Q_DISABLE_COPY_MOVE(FilterRunner)

public:
    // What the filters' callbacks act on: the exchange.
    class Host
    {
    public:
        virtual void resumeFilters() = 0;
        virtual void sendLocalReply(filters::LocalReply reply) = 0;
        virtual void sendFilterResponse(http::ResponseHead head, QByteArray body) = 0;

    protected:
        ~Host() = default;
    };

    FilterRunner(Host &host, Worker *worker);
    ~FilterRunner();

    void setChain(const std::vector<filters::FilterPtr> *chain) { m_chain = chain; }
    // Runs the request filters from where they stopped. True when every filter let the request
    // through; false when one answered or waits (it resumes through the callbacks).
    bool runRequest(filters::RequestContext &ctx);
    // A filter's callback asked to go on. False when the runner is inside a filter (the loop in
    // runRequest goes on by itself) or the chain is done.
    bool shouldResume();
    bool finished() const { return m_finished; }

    void responseHead(filters::RequestContext &ctx, http::ResponseHead &head);
    bool wantsResponseBody(const filters::RequestContext &ctx, const http::ResponseHead &head) const;
    void responseBody(filters::RequestContext &ctx, http::ResponseHead &head, QByteArray &body);
    // Local replies skip the response body filters: they are the gateway's own words.
    void skipResponseBodyFilters() { m_index = 0; }
    // The exchange is over: callbacks kept by async work become no-ops.
    void detach();

private:
    class Callbacks;

    Host &m_host;
    Worker *m_worker;
    const std::vector<filters::FilterPtr> *m_chain = nullptr;
    std::shared_ptr<Callbacks> m_callbacks;
    size_t m_index = 0; // filters that ran (and see the response)
    bool m_finished = false;
    bool m_inFilter = false;
    bool m_resumePending = false;
};

} // namespace portico::gateway
