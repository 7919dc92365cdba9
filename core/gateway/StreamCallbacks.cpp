#include "core/gateway/StreamCallbacks.h"

#include "core/gateway/ProxyStream.h"
#include "core/gateway/Worker.h"

namespace portico::gateway {

void StreamCallbacks::resume()
{
    if (m_stream)
        m_stream->resumeFilters();
}

void StreamCallbacks::sendLocalReply(filters::LocalReply reply)
{
    if (m_stream)
        m_stream->sendLocalReply(std::move(reply));
}

void StreamCallbacks::sendResponse(http::ResponseHead head, QByteArray body)
{
    if (m_stream)
        m_stream->sendFilterResponse(std::move(head), std::move(body));
}

QNetworkAccessManager &StreamCallbacks::network()
{
    return m_worker->network();
}

} // namespace portico::gateway
