#include "core/gateway/pipeline/ExchangeRecorder.h"

#include "core/capture/CaptureStore.h"
#include "core/capture/GrpcCall.h"
#include "core/gateway/ExchangeSink.h"
#include "core/gateway/Worker.h"
#include "core/gateway/pipeline/PipelineSupport.h"

#include <QDateTime>

namespace portico::gateway {

void ExchangeRecorder::responseTrailers(const http::HttpHeaders &trailers)
{
    const QByteArray status = trailers.value("grpc-status");
    if (!status.isNull())
        m_record.n.grpcStatus = capture::parseGrpcStatus(status);
}

using detail::nowUs;

ExchangeRecorder::ExchangeRecorder()
    : m_startUs(nowUs())
{
    m_exchange.startedAt = QDateTime::currentDateTimeUtc();
}

void ExchangeRecorder::begin(Worker *worker, qint64 maxCaptureBody)
{
    m_capturing = worker->state().capture() != nullptr;
    m_maxCaptureBody = m_capturing ? maxCaptureBody : 0;
}

qint64 ExchangeRecorder::elapsedUs() const
{
    return nowUs() - m_startUs;
}

void ExchangeRecorder::markConnected()
{
    if (m_exchange.timings.upstreamConnectUs < 0)
        m_exchange.timings.upstreamConnectUs = elapsedUs();
}

int ExchangeRecorder::beginAttempt(
    const QString &upstream, const QString &target, const QString &part, QByteArray spanId)
{
    if (!m_traced)
        return -1;
    UpstreamAttempt &a = m_attempts.emplace_back();
    a.spanId = spanId.isEmpty() ? randomHex(8) : std::move(spanId);
    a.upstream = upstream;
    a.target = target;
    a.part = part;
    a.startUs = elapsedUs();
    return int(m_attempts.size()) - 1;
}

void ExchangeRecorder::attemptStatus(int index, int status)
{
    if (index >= 0 && size_t(index) < m_attempts.size())
        m_attempts[size_t(index)].status = status;
}

void ExchangeRecorder::endAttempt(int index, const QString &error)
{
    if (index < 0 || size_t(index) >= m_attempts.size())
        return;
    UpstreamAttempt &a = m_attempts[size_t(index)];
    if (a.endUs >= 0)
        return;
    a.endUs = elapsedUs();
    a.error = error;
}

const QByteArray &ExchangeRecorder::attemptSpanId(int index) const
{
    static const QByteArray none;
    return index >= 0 && size_t(index) < m_attempts.size() ? m_attempts[size_t(index)].spanId : none;
}

void ExchangeRecorder::setError(const QString &error)
{
    if (!error.isEmpty() && m_exchange.error.isEmpty())
        m_exchange.error = error;
}

void ExchangeRecorder::recordRequest(const http::RequestHead &request, const DownstreamInfo &down,
                                     const QByteArray &host, const TraceContext &trace, bool withHead)
{
    const bool proxied = down.forward != DownstreamInfo::Forward::None;
    m_exchange.proxied = proxied;
    if (!m_capturing)
        return;
    using R = capture::CaptureRecord;
    m_record.n.proxied = proxied;
    const QByteArray target = request.target.startsWith('/') ? request.target : request.pathAndQuery();
    const bool https = down.tls || (proxied && request.target.startsWith("https://"));
    const QByteArrayView scheme = https ? QByteArrayView("https") : QByteArrayView("http");
    qsizetype head = 1;
    if (withHead) {
        for (const auto &[name, value] : request.headers.entries())
            head += name.size() + value.size() + 3;
        // Its size on the wire: request line, "Name: value\r\n" per field, the empty line.
        m_requestHeadBytes
            = request.method.size() + 1 + request.target.size() + 11 + head - 1 + request.headers.size() + 2;
    }
    // Room for what comes later too (names, ids, a response head, a small body), so that the
    // buffer usually never grows.
    const qint64 bodyRoom = std::min<qint64>(m_maxCaptureBody, 2048);
    m_record.reserve(head + 2 * target.size() + 2 * host.size() + request.method.size() + 640 + qsizetype(bodyRoom));
    if (withHead) {
        m_record.beginHead(R::RequestHead);
        for (const auto &[name, value] : request.headers.entries())
            m_record.addHeader(name, value);
        m_record.endHead(R::RequestHead);
    }
    m_record.set(R::Method, request.method);
    m_record.set(R::Path, request.path);
    m_record.set(R::Query, request.query);
    m_record.set(R::Host, host);
    m_record.set(R::Scheme, scheme);
    m_record.set(R::ClientAddress, down.peerText);
    m_record.set(R::Listener, down.listener);
    m_record.set(R::Protocol, down.protocol());
    m_record.set(R::TraceId, trace.traceId);
    m_record.set(R::SpanId, trace.spanId);
    m_record.set(R::ParentSpanId, trace.parentSpanId);
    if (request.method == "CONNECT")
        m_record.set(R::Url, request.target); // authority-form: host:port
    else
        m_record.setJoined(R::Url, { scheme, "://", host, target });
}

void ExchangeRecorder::beginResponseHead()
{
    if (m_capturing)
        m_record.beginHead(capture::CaptureRecord::ResponseHead);
}

void ExchangeRecorder::field(QByteArrayView name, QByteArrayView value)
{
    if (m_capturing)
        m_record.addHeader(name, value);
}

void ExchangeRecorder::endResponseHead()
{
    if (m_capturing)
        m_record.endHead(capture::CaptureRecord::ResponseHead);
}

// Bodies go straight into the capture record, up to the cap; the sizes are counted either way.
void ExchangeRecorder::requestBody(const char *data, size_t length)
{
    captureBody(capture::CaptureRecord::RequestBody, data, length, m_exchange.requestBodySize,
                m_exchange.requestTruncated);
}

void ExchangeRecorder::responseBody(const char *data, size_t length)
{
    captureBody(capture::CaptureRecord::ResponseBody, data, length, m_exchange.responseBodySize,
                m_exchange.responseTruncated);
}

void ExchangeRecorder::captureBody(capture::CaptureRecord::Field field, const char *data, size_t length,
                                   qint64 &size, bool &truncated)
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

void ExchangeRecorder::finish(Worker *worker, const DownstreamInfo &down, const Finish &f)
{
    const qint64 total = elapsedUs();
    m_exchange.timings.lastByteUs = total;
    m_exchange.responseBytes += f.responseBytes;
    const double upstreamSeconds = m_upstreamStartUs >= 0 && m_exchange.timings.firstUpstreamByteUs >= 0
        ? double(total - m_upstreamStartUs) / 1e6
        : -1;
    worker->recordRequest(f.routeName, f.method, m_exchange.status, double(total) / 1e6, upstreamSeconds,
                          down.protocol());
    ExchangeSink *sink = worker->state().exchangeSink();
    ExchangeSink *traces = worker->state().traceSink();
    if (sink || traces) {
        // An attempt still open (a tunnel, a client that left) ends with the exchange.
        for (UpstreamAttempt &a : m_attempts) {
            if (a.endUs < 0)
                a.endUs = total;
        }
        const ExchangeSink::Request request { f.method, f.clientPath, down.peerText, f.trace.traceId,
            f.trace.spanId, f.requestId, f.trace.parentSpanId, f.trace.sampled,
            m_traced ? &m_attempts : nullptr };
        if (sink)
            sink->exchangeFinished(m_exchange, request);
        if (traces)
            traces->exchangeFinished(m_exchange, request);
    }
    if (capture::CaptureStore *store = worker->state().capture(); store && m_capturing)
        submit(store, f.notes);
}

void ExchangeRecorder::submit(capture::CaptureStore *store, const QStringList &notes)
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
    if (!notes.isEmpty())
        m_record.setText(R::Notes, notes.join(u'\n'));
    store->submit(std::move(m_record));
}

} // namespace portico::gateway
