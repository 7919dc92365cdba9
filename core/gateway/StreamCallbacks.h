#pragma once

#include "core/filters/Filter.h"

namespace portico::gateway {

class ProxyStream;
class Worker;

// The FilterCallbacks of one ProxyStream. Filters may keep it across async work; when the stream
// ends first (client gone, timeout), detach() makes every call a no-op.
class StreamCallbacks final : public filters::FilterCallbacks
{
public:
    StreamCallbacks(ProxyStream *stream, Worker *worker)
        : m_stream(stream)
        , m_worker(worker)
    {
    }
    void detach() { m_stream = nullptr; }

    void resume() override;
    void sendLocalReply(filters::LocalReply reply) override;
    void sendResponse(http::ResponseHead head, QByteArray body) override;
    bool cancelled() const override { return m_stream == nullptr; }
    QNetworkAccessManager &network() override;

private:
    ProxyStream *m_stream;
    Worker *m_worker;
};

} // namespace portico::gateway
