#pragma once

#include "core/gateway/pipeline/DownstreamStream.h"
#include "core/http/HttpMessage.h"

namespace portico::gateway {

class ExchangeRecorder;

// Writes the answer of one exchange to its downstream stream, whatever the codec: the head with
// the end-to-end fields only (hop-by-hop fields and those the Connection field names dropped, the
// filters' extra fields and X-Request-Id added), the body as it streams or whole, each through the
// recorder. Knows whether the answer has started, so a failure afterwards cuts the stream instead.
class ResponseWriter
{
    Q_DISABLE_COPY_MOVE(ResponseWriter)

public:
    ResponseWriter(DownstreamStream &down, ExchangeRecorder &recorder);

    // Per exchange, before the first write.
    void setRequest(const QByteArray *requestId, const http::HttpHeaders *extraHeaders, bool headRequest)
    {
        m_requestId = requestId;
        m_extraHeaders = extraHeaders;
        m_headRequest = headRequest;
    }
    bool started() const { return m_started; }
    // No body goes to the client (HEAD, 204, 304, 101); a HEAD answer keeps its Content-Length.
    void setNoBody(bool noBody) { m_noBody = noBody; }
    bool noBody() const { return m_noBody; }

    // bodyLength -1 = streamed (the codec frames it).
    void writeHead(const http::ResponseHead &head, qint64 bodyLength);
    void writeBody(const char *data, size_t length);
    void endBody() { m_down.endResponse(); }
    // A whole answer (a buffered upstream body after the filters, a mock, a local reply).
    void writeWhole(http::ResponseHead &head, const QByteArray &body);

    // A response the filters want whole: kept here until the upstream has sent all of it.
    bool buffering() const { return m_buffering; }
    void startBuffering() { m_buffering = true; }
    // False when the body would pass `cap` bytes.
    bool buffer(const char *data, size_t length, qint64 cap);
    QByteArray takeBuffer();

private:
    DownstreamStream &m_down;
    ExchangeRecorder &m_recorder;
    const QByteArray *m_requestId = nullptr;
    const http::HttpHeaders *m_extraHeaders = nullptr;
    QByteArray m_buffer;
    bool m_headRequest = false;
    bool m_started = false;
    bool m_noBody = false;
    bool m_buffering = false;
};

} // namespace portico::gateway
