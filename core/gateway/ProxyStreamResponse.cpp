// The response side of ProxyStream: heads and bodies back to the client, local replies, the
// WebSocket tunnel, the capture copy and the end of the exchange.
#include "core/gateway/ProxyStream.h"

#include "core/capture/CaptureStore.h"
#include "core/gateway/DownstreamConnection.h"
#include "core/gateway/Problem.h"
#include "core/gateway/ProxyStreamSupport.h"
#include "core/gateway/StreamCallbacks.h"
#include "core/gateway/UpstreamRequest.h"
#include "core/gateway/Worker.h"

namespace portico::gateway {

using namespace detail;

void ProxyStream::onUpstreamInformational(http::ResponseHead &&head)
{
    // 103 Early Hints and the like go straight to the client.
    if (m_responseStarted)
        return;
    QByteArray h = "HTTP/1.1 " + QByteArray::number(head.status) + ' ' + http::reasonPhrase(head.status) + "\r\n";
    for (const auto &[name, value] : head.headers.entries())
        h += name + ": " + value + "\r\n";
    h += "\r\n";
    m_out += h;
    m_exchange.responseBytes += h.size();
}

void ProxyStream::onUpstreamResponseHead(http::ResponseHead &&head)
{
    m_exchange.timings.firstUpstreamByteUs = nowUs() - m_startUs;
    m_responseDeadline = 0;
    m_cluster->reportSuccess(m_target);
    m_response = std::move(head);
    m_exchange.status = m_response.status;

    const auto &chain = m_match.route->filters;
    for (size_t i = m_filterIndex; i-- > 0;)
        chain[i]->onResponseHead(m_ctx, m_response);

    if (m_response.status == 101) {
        // WebSocket (or another upgrade): answer the handshake, then tunnel bytes both ways.
        m_noResponseBody = true;
        sendResponseHead(m_response, -1);
        m_tunnel = true;
        flushOut();
        m_down->beginTunnel();
        return;
    }
    m_noResponseBody = m_request.method == "HEAD" || m_response.status == 204 || m_response.status == 304;
    for (size_t i = 0; i < m_filterIndex && !m_noResponseBody; ++i)
        m_bufferResponse = m_bufferResponse || chain[i]->wantsResponseBody(m_ctx, m_response);
    if (m_bufferResponse)
        return;
    qint64 length = -1;
    const QByteArray cl = m_response.headers.value("content-length");
    if (!cl.isEmpty() && !m_response.headers.contains("transfer-encoding"))
        length = cl.toLongLong();
    sendResponseHead(m_response, length);
}

void ProxyStream::sendResponseHead(http::ResponseHead &head, qint64 bodyLength)
{
    const bool upgrade = head.status == 101;
    QByteArray h;
    // Room for a small body too: the head and the first body bytes leave in one write.
    h.reserve(256 + (head.headers.size() + m_ctx.extraResponseHeaders.size()) * 48
              + (bodyLength > 0 && bodyLength <= 16 * 1024 ? bodyLength + 16 : 0));
    h += "HTTP/1.1 ";
    h += QByteArray::number(head.status);
    h += ' ';
    h += head.reason.isEmpty() ? http::reasonPhrase(head.status) : head.reason;
    h += "\r\n";
    // The capture records the head as the client gets it: every field written below, the
    // framing and Connection fields included.
    if (m_capturing)
        m_record.beginHead(capture::CaptureRecord::ResponseHead);
    const auto add = [&](QByteArrayView name, QByteArrayView value) {
        // Appended piece by piece: `name + ": " + ...` would allocate a temporary per part
        // (rate-limited routes add five extra fields to every response).
        h.append(name);
        h += ": ";
        h.append(value);
        h += "\r\n";
        if (m_capturing)
            m_record.addHeader(name, value);
    };
    const QByteArrayList tokens = connectionTokens(head.headers);
    for (const auto &[name, value] : head.headers.entries()) {
        if (upgrade && (http::HttpHeaders::nameEquals(name, "upgrade") || http::HttpHeaders::nameEquals(name, "connection"))) {
            add(name, value);
            continue;
        }
        if (isHopByHop(name) || http::HttpHeaders::nameEquals(name, "x-request-id"))
            continue;
        if (http::HttpHeaders::nameEquals(name, "content-length") && !(m_noResponseBody && m_request.method == "HEAD"))
            continue;
        if (!tokens.isEmpty() && listsToken(tokens, name))
            continue;
        add(name, value);
    }
    for (const auto &[name, value] : m_ctx.extraResponseHeaders.entries()) {
        if (addsToResponse(head.headers, name, value))
            add(name, value);
    }
    add("X-Request-Id", m_requestId);
    if (!m_noResponseBody) {
        if (bodyLength >= 0) {
            add("Content-Length", QByteArray::number(bodyLength));
        } else if (m_request.httpMinor >= 1) {
            add("Transfer-Encoding", "chunked");
            m_chunkedOut = true;
        } else {
            m_closeAfter = true; // HTTP/1.0 client, unknown length: the close ends the body
        }
    }
    if (!m_framing.keepAlive || m_worker->state().draining() || (!m_requestComplete && !upgrade))
        m_closeAfter = true;
    if (!upgrade) {
        if (m_closeAfter)
            add("Connection", "close");
        else if (m_request.httpMinor == 0)
            add("Connection", "keep-alive");
    }
    h += "\r\n";
    // Response bytes count what the client receives: head, framing and body (as request bytes do).
    m_exchange.responseBytes += h.size();
    if (m_out.isEmpty())
        m_out = std::move(h); // the body is appended into the room reserved above
    else
        m_out += h;
    m_responseStarted = true;
    if (m_capturing)
        m_record.endHead(capture::CaptureRecord::ResponseHead);
}

void ProxyStream::writeBodyChunk(const char *data, size_t length)
{
    if (length == 0 || m_noResponseBody)
        return;
    const qsizetype before = m_out.size();
    if (m_chunkedOut) {
        m_out += QByteArray::number(qulonglong(length), 16);
        m_out += "\r\n";
        m_out.append(data, qsizetype(length));
        m_out += "\r\n";
    } else {
        m_out.append(data, qsizetype(length));
    }
    m_exchange.responseBytes += m_out.size() - before;
}

void ProxyStream::onUpstreamBody(const char *data, size_t length)
{
    if (!m_bufferResponse) // a buffered body is captured as the filters leave it (sendBuffered)
        captureResponseBody(data, length);
    if (m_cluster) {
        const auto timeout = m_ctx.route->timeout.value_or(m_cluster->config().responseTimeout);
        m_responseDeadline = steadyMs() + timeout.count(); // idle time between reads
    }
    if (m_bufferResponse) {
        const qint64 cap = m_config->workspace().gateway.limits.maxBodyBytes;
        if (m_responseBuffer.size() + qint64(length) > cap) {
            // Never pass a body unfiltered: a transform that cannot run fails the exchange.
            releaseUpstream(false);
            m_bufferResponse = false;
            sendLocalReply({ 502, QStringLiteral("Bad Gateway"),
                             QStringLiteral("the upstream response is larger than %1 bytes, the most a response transform may buffer").arg(cap),
                             {}, "response-too-large" });
            return;
        }
        m_responseBuffer.append(data, qsizetype(length));
        return;
    }
    writeBodyChunk(data, length);
}

void ProxyStream::onUpstreamReadBatchDone()
{
    flushOut();
    if (m_upstream && !m_upstreamPaused && m_down->pending() > kHighWater) {
        m_upstreamPaused = true;
        m_upstream->setReadEnabled(false);
    }
}

void ProxyStream::flushOut()
{
    if (m_out.isEmpty())
        return;
    m_down->send(m_out);
    m_out.resize(0); // keeps the capacity unless the transport had to queue (share) it
}

void ProxyStream::onUpstreamComplete()
{
    if (m_done)
        return;
    const bool reusable = m_upstream && m_upstream->reusable() && m_requestComplete;
    releaseUpstream(reusable);
    if (m_bufferResponse) {
        m_bufferResponse = false;
        sendBuffered(m_response, std::move(m_responseBuffer));
        return;
    }
    if (m_chunkedOut) {
        m_out += "0\r\n\r\n";
        m_exchange.responseBytes += 5;
    }
    flushOut();
    finish();
}

void ProxyStream::sendBuffered(http::ResponseHead &head, QByteArray body)
{
    const auto &chain = m_match.route ? m_match.route->filters : std::vector<filters::FilterPtr>();
    for (size_t i = m_filterIndex; i-- > 0;) {
        if (chain[i]->wantsResponseBody(m_ctx, head))
            chain[i]->onResponseBody(m_ctx, head, body);
    }
    head.headers.remove("content-length");
    head.headers.remove("transfer-encoding");
    sendResponseHead(head, m_noResponseBody ? -1 : body.size());
    if (!m_noResponseBody) {
        // The capture holds what the client got: a field a transform removed is not stored.
        captureResponseBody(body.constData(), size_t(body.size()));
        m_out += body;
        m_exchange.responseBytes += body.size();
    }
    flushOut();
    finish();
}

void ProxyStream::sendLocalReply(filters::LocalReply reply)
{
    if (m_done)
        return;
    if (m_responseStarted) {
        // Too late for a clean answer: cut the connection so the client sees the failure.
        releaseUpstream(false);
        m_closeAfter = true;
        m_down->abort();
        finish(reply.detail);
        return;
    }
    releaseUpstream(false);
    http::ResponseHead head;
    head.status = reply.status;
    head.headers = reply.headers;
    head.headers.set("Content-Type", "application/problem+json");
    head.headers.set("Cache-Control", "no-store");
    m_exchange.status = reply.status;
    if (reply.status >= 500 || reply.status == 408)
        m_exchange.error = reply.detail.isEmpty() ? reply.title : reply.detail;
    if (reply.status == 408 || reply.status == 400 || reply.status == 413 || reply.status == 431)
        m_closeAfter = true;
    const auto &chain = m_match.route ? m_match.route->filters : std::vector<filters::FilterPtr>();
    for (size_t i = std::min(m_filterIndex, chain.size()); i-- > 0;)
        chain[i]->onResponseHead(m_ctx, head);
    m_noResponseBody = m_request.method == "HEAD";
    QByteArray body = problemBody(reply, m_trace.traceId, m_requestId);
    // Local replies skip response body filters: they are the gateway's own words.
    m_filterIndex = 0;
    sendBuffered(head, std::move(body));
}

void ProxyStream::sendFilterResponse(http::ResponseHead head, QByteArray body)
{
    if (m_done || m_responseStarted)
        return;
    m_exchange.status = head.status;
    const auto &chain = m_match.route->filters;
    for (size_t i = m_filterIndex; i-- > 0;)
        chain[i]->onResponseHead(m_ctx, head);
    m_noResponseBody = m_request.method == "HEAD" || head.status == 204 || head.status == 304;
    // Unlike a local reply, a filter's answer (a mock) is content: the body filters before it
    // (response.json.remove) shape it as they would an upstream's.
    sendBuffered(head, std::move(body));
}

void ProxyStream::replyWithError(int status, const QString &detail)
{
    m_config = m_worker->config();
    m_capturing = m_worker->state().capture() != nullptr;
    m_maxCaptureBody = m_capturing ? m_config->workspace().capture.maxBodyBytes : 0;
    m_trace = TraceContext::fromRequest(m_request.headers);
    m_requestId = randomHex(16);
    if (m_capturing)
        recordRequestSide(false); // the head was refused: what was parsed of it may be partial
    m_closeAfter = true;
    sendLocalReply({ status, defaultTitle(status), detail, {}, QByteArray::number(status) });
}

void ProxyStream::failUpstream(int status, const QString &title, const QString &detail)
{
    sendLocalReply({ status, title, detail, {}, status == 504 ? "upstream-timeout" : status == 503 ? "no-healthy-upstream" : "bad-gateway" });
}

void ProxyStream::onTunnelData(const char *data, size_t length)
{
    m_down->send(QByteArray(data, qsizetype(length)));
    m_exchange.responseBytes += qint64(length);
    if (m_upstream && !m_upstreamPaused && m_down->pending() > kHighWater) {
        m_upstreamPaused = true;
        m_upstream->setReadEnabled(false);
    }
}

void ProxyStream::onTunnelEof()
{
    m_upstream = nullptr;
    m_closeAfter = true;
    m_down->closeGracefully();
    finish();
}

void ProxyStream::onDownstreamTunnelData(const char *data, size_t length)
{
    if (!m_upstream)
        return;
    m_upstream->send(QByteArray(data, qsizetype(length)));
    m_exchange.requestBytes += qint64(length);
    if (m_upstream->pending() > kHighWater && !m_clientPaused) {
        m_clientPaused = true;
        m_down->setReadPaused(true);
    }
}

void ProxyStream::onDownstreamTunnelEof()
{
    if (m_upstream)
        m_upstream->shutdownWrite();
}

// Bodies go straight into the capture record, up to the cap; the sizes are counted either way.
void ProxyStream::captureRequestBody(const char *data, size_t length)
{
    captureBody(capture::CaptureRecord::RequestBody, data, length, m_exchange.requestBodySize,
        m_exchange.requestTruncated);
}

void ProxyStream::captureResponseBody(const char *data, size_t length)
{
    captureBody(capture::CaptureRecord::ResponseBody, data, length, m_exchange.responseBodySize,
        m_exchange.responseTruncated);
}

void ProxyStream::captureBody(
    capture::CaptureRecord::Field field, const char *data, size_t length, qint64 &size, bool &truncated)
{
    size += qint64(length);
    if (!m_capturing || length == 0)
        return;
    const qint64 room = m_maxCaptureBody - m_record.view(field).size();
    if (room <= 0) {
        truncated = true;
        return;
    }
    m_record.append(field, QByteArrayView(data, qsizetype(std::min<qint64>(room, qint64(length)))));
    if (qint64(length) > room)
        truncated = true;
}

void ProxyStream::finish(const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    if (m_callbacks)
        m_callbacks->detach();
    const qint64 total = nowUs() - m_startUs;
    m_exchange.timings.lastByteUs = total;
    if (!error.isEmpty() && m_exchange.error.isEmpty())
        m_exchange.error = error;
    // A filter that answered itself (a 429, a group ACL's 403) after auth named the consumer
    // never reached proceedUpstream, where these are copied for proxied requests.
    if (m_exchange.consumer.isEmpty() && m_ctx.consumer)
        m_exchange.consumer = m_ctx.consumer->name;
    if (m_exchange.apiVersion.isEmpty())
        m_exchange.apiVersion = m_ctx.apiVersion;
    const double upstreamSeconds = m_upstreamStartUs >= 0 && m_exchange.timings.firstUpstreamByteUs >= 0
        ? double(total - (m_upstreamStartUs - m_startUs)) / 1e6
        : -1;
    m_worker->recordRequest(m_match.route ? m_match.route->nameBytes : QByteArray(), m_request.method,
                            m_exchange.status, double(total) / 1e6, upstreamSeconds);
    if (ExchangeSink *sink = m_worker->state().exchangeSink()) {
        sink->exchangeFinished(m_exchange,
            { m_request.method, m_clientPath, m_down->peerAddressLatin1(), m_trace.traceId, m_trace.spanId,
                m_requestId });
    }
    if (capture::CaptureStore *store = m_worker->state().capture(); store && m_capturing)
        submitRecord(store);
    m_down->streamDone(this);
}

void ProxyStream::submitRecord(capture::CaptureStore *store)
{
    using R = capture::CaptureRecord;
    const capture::Exchange &x = m_exchange;
    R::Numbers &n = m_record.n;
    n.id = x.id;
    n.startedAtMs = x.startedAt.toMSecsSinceEpoch();
    n.status = x.status;
    n.retries = x.retries;
    n.parentId = x.parentId;
    n.requestBytes = m_requestHeadBytes + x.requestBytes + x.requestBodySize;
    n.responseBytes = x.responseBytes;
    n.requestBodySize = x.requestBodySize;
    n.responseBodySize = x.responseBodySize;
    n.requestTruncated = x.requestTruncated;
    n.responseTruncated = x.responseTruncated;
    n.timings = x.timings;
    m_record.reserve(m_record.size() + 256);
    m_record.setText(R::Route, x.route);
    m_record.setText(R::Consumer, x.consumer);
    m_record.setText(R::Upstream, x.upstream);
    m_record.setText(R::UpstreamTarget, x.upstreamTarget);
    m_record.setText(R::ApiVersion, x.apiVersion);
    m_record.setText(R::Error, x.error);
    if (!m_ctx.notes.isEmpty())
        m_record.setText(R::Notes, m_ctx.notes.join(u'\n'));
    store->submit(std::move(m_record));
}

} // namespace portico::gateway
