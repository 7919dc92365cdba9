#include "core/gateway/pipeline/ResponseWriter.h"

#include "core/gateway/pipeline/PipelineSupport.h"
#include "core/gateway/UpstreamRequest.h"
#include "core/gateway/pipeline/ExchangeRecorder.h"

namespace portico::gateway {

using namespace detail;

ResponseWriter::ResponseWriter(DownstreamStream &down, ExchangeRecorder &recorder)
    : m_down(down)
    , m_recorder(recorder)
{
}

void ResponseWriter::writeHead(const http::ResponseHead &head, qint64 bodyLength)
{
    const bool upgrade = head.status == 101;
    const qsizetype extra = m_extraHeaders ? m_extraHeaders->size() : 0;
    // Room for a small body too: the head and the first body bytes leave in one write.
    m_down.beginHead(head.status, head.reason,
                     256 + (head.headers.size() + extra) * 48
                         + (bodyLength > 0 && bodyLength <= 16 * 1024 ? bodyLength + 16 : 0));
    // The capture records the head as the client gets it: every field written, the codec's
    // framing fields included.
    m_recorder.beginResponseHead();
    const auto add = [&](QByteArrayView name, QByteArrayView value) {
        m_down.addField(name, value);
        m_recorder.field(name, value);
    };
    const QByteArrayList tokens = connectionTokens(head.headers);
    for (const auto &[name, value] : head.headers.entries()) {
        if (upgrade
            && (http::HttpHeaders::nameEquals(name, "upgrade") || http::HttpHeaders::nameEquals(name, "connection"))) {
            add(name, value);
            continue;
        }
        if (isHopByHop(name) || http::HttpHeaders::nameEquals(name, "x-request-id"))
            continue;
        if (http::HttpHeaders::nameEquals(name, "content-length") && !(m_noBody && m_headRequest))
            continue;
        if (!tokens.isEmpty() && listsToken(tokens, name))
            continue;
        add(name, value);
    }
    if (m_extraHeaders) {
        for (const auto &[name, value] : m_extraHeaders->entries()) {
            if (addsToResponse(head.headers, name, value))
                add(name, value);
        }
    }
    if (m_requestId)
        add("X-Request-Id", *m_requestId);
    DownstreamStream::HeadOptions options;
    options.bodyLength = bodyLength;
    options.noBody = m_noBody;
    options.upgrade = upgrade;
    m_down.endHead(options, &m_recorder);
    m_started = true;
    m_recorder.endResponseHead();
}

void ResponseWriter::writeBody(const char *data, size_t length)
{
    m_recorder.responseBody(data, length);
    if (!m_noBody)
        m_down.sendData(data, length);
}

void ResponseWriter::writeWhole(http::ResponseHead &head, const QByteArray &body)
{
    head.headers.remove("content-length");
    head.headers.remove("transfer-encoding");
    writeHead(head, m_noBody ? -1 : body.size());
    if (!m_noBody) {
        // The capture holds what the client got: a field a transform removed is not stored.
        writeBody(body.constData(), size_t(body.size()));
    }
    m_down.endResponse();
    m_down.flush();
}

bool ResponseWriter::buffer(const char *data, size_t length, qint64 cap)
{
    if (m_buffer.size() + qint64(length) > cap)
        return false;
    m_buffer.append(data, qsizetype(length));
    return true;
}

QByteArray ResponseWriter::takeBuffer()
{
    m_buffering = false;
    return std::exchange(m_buffer, {});
}

} // namespace portico::gateway
