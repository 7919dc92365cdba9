#include "core/gateway/pipeline/FilterRunner.h"

#include "core/gateway/Worker.h"

namespace portico::gateway {

// The FilterCallbacks of one exchange. Filters may keep it across async work; when the exchange
// ends first (client gone, timeout), detach() makes every call a no-op.
class FilterRunner::Callbacks final : public filters::FilterCallbacks
{
public:
    Callbacks(Host *host, Worker *worker)
        : m_host(host)
        , m_worker(worker)
    {
    }
    void detach() { m_host = nullptr; }

    void resume() override
    {
        if (m_host)
            m_host->resumeFilters();
    }
    void sendLocalReply(filters::LocalReply reply) override
    {
        if (m_host)
            m_host->sendLocalReply(std::move(reply));
    }
    void sendResponse(http::ResponseHead head, QByteArray body) override
    {
        if (m_host)
            m_host->sendFilterResponse(std::move(head), std::move(body));
    }
    bool cancelled() const override { return m_host == nullptr; }
    QNetworkAccessManager &network() override { return m_worker->network(); }

private:
    Host *m_host;
    Worker *m_worker;
};

FilterRunner::FilterRunner(Host &host, Worker *worker)
    : m_host(host)
    , m_worker(worker)
{
}

FilterRunner::~FilterRunner()
{
    detach();
}

void FilterRunner::detach()
{
    if (m_callbacks)
        m_callbacks->detach();
}

bool FilterRunner::runRequest(filters::RequestContext &ctx)
{
    const auto &chain = *m_chain;
    while (m_index < chain.size()) {
        const filters::FilterPtr &filter = chain[m_index++];
        if (!m_callbacks)
            m_callbacks = std::make_shared<Callbacks>(&m_host, m_worker);
        m_inFilter = true;
        m_resumePending = false;
        const filters::FilterStatus status = filter->onRequest(ctx, m_callbacks);
        m_inFilter = false;
        if (m_callbacks->cancelled())
            return false; // the filter answered and the exchange ended
        if (status == filters::FilterStatus::Stop && !m_resumePending)
            return false; // answered, or resumes later through the callbacks
    }
    m_finished = true;
    return true;
}

bool FilterRunner::shouldResume()
{
    if (m_finished)
        return false;
    if (m_inFilter) {
        m_resumePending = true;
        return false;
    }
    return true;
}

void FilterRunner::responseHead(filters::RequestContext &ctx, http::ResponseHead &head)
{
    if (!m_chain)
        return;
    for (size_t i = std::min(m_index, m_chain->size()); i-- > 0;)
        (*m_chain)[i]->onResponseHead(ctx, head);
}

bool FilterRunner::wantsResponseBody(const filters::RequestContext &ctx, const http::ResponseHead &head) const
{
    if (!m_chain)
        return false;
    for (size_t i = 0; i < m_index && i < m_chain->size(); ++i) {
        if ((*m_chain)[i]->wantsResponseBody(ctx, head))
            return true;
    }
    return false;
}

void FilterRunner::responseBody(filters::RequestContext &ctx, http::ResponseHead &head, QByteArray &body)
{
    if (!m_chain)
        return;
    for (size_t i = std::min(m_index, m_chain->size()); i-- > 0;) {
        if ((*m_chain)[i]->wantsResponseBody(ctx, head))
            (*m_chain)[i]->onResponseBody(ctx, head, body);
    }
}

} // namespace portico::gateway
