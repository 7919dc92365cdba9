#include "core/gateway/OtlpExporter.h"

#include "core/capture/Exchange.h"
#include "core/common/Metrics.h"
#include "core/common/Version.h"
#include "core/gateway/TraceContext.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrl>

#include <algorithm>

namespace portico::gateway {

using namespace std::chrono;

namespace {

constexpr int kSpanKindServer = 2;
constexpr int kSpanKindClient = 3;
constexpr int kStatusError = 2;

QJsonObject attr(const char *key, const QString &value)
{
    return { { QStringLiteral("key"), QLatin1String(key) },
        { QStringLiteral("value"), QJsonObject { { QStringLiteral("stringValue"), value } } } };
}

QJsonObject attr(const char *key, qint64 value)
{
    // OTLP/JSON carries 64-bit integers as decimal strings.
    return { { QStringLiteral("key"), QLatin1String(key) },
        { QStringLiteral("value"), QJsonObject { { QStringLiteral("intValue"), QString::number(value) } } } };
}

QString text(const QByteArray &bytes)
{
    return QString::fromUtf8(bytes);
}

// Request-controlled text, cut before it is queued (a cut UTF-8 sequence decodes as U+FFFD).
QByteArray bounded(const QByteArray &bytes)
{
    return bytes.size() > OtlpExporter::kMaxValueChars ? bytes.left(OtlpExporter::kMaxValueChars) : bytes;
}

QString bounded(const QString &value)
{
    return value.size() > OtlpExporter::kMaxValueChars ? value.left(OtlpExporter::kMaxValueChars) : value;
}

QJsonObject errorStatus(const QString &message)
{
    return { { QStringLiteral("code"), kStatusError }, { QStringLiteral("message"), message } };
}

template<class Spans> size_t spanCount(const Spans &exchanges)
{
    size_t n = 0;
    for (const auto &x : exchanges)
        n += 1 + x.attempts.size();
    return n;
}

bool retryable(int status)
{
    return status == 429 || status == 502 || status == 503 || status == 504;
}

} // namespace

bool OtlpExporter::sampledByRatio(QByteArrayView traceId, double ratio)
{
    if (ratio >= 1.0)
        return true;
    if (ratio <= 0.0 || traceId.size() != 32)
        return false;
    bool ok = false;
    const quint64 low = traceId.last(16).toByteArray().toULongLong(&ok, 16);
    if (!ok)
        return false;
    // The id's last 8 bytes as a uniform number in [0, 2^64), below ratio * 2^64.
    return double(low) < ratio * 18446744073709551616.0;
}

OtlpExporter::OtlpExporter(const config::OtlpSettings &settings, MetricsRegistry *metrics,
    milliseconds flushInterval, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_network(new QNetworkAccessManager(this))
    , m_timer(new QTimer(this))
    , m_retry(new QTimer(this))
{
    if (metrics) {
        m_exported
            = &metrics->counter("portico_otlp_spans_exported_total", "Spans the OTLP collector accepted");
        m_dropped = &metrics->counter("portico_otlp_spans_dropped_total",
            "Spans not exported: queue full, or the collector refused them");
    }
    connect(m_timer, &QTimer::timeout, this, &OtlpExporter::flush);
    m_timer->start(flushInterval);
    m_retry->setSingleShot(true);
    connect(m_retry, &QTimer::timeout, this, &OtlpExporter::send);
}

OtlpExporter::~OtlpExporter()
{
    // Spans that were never sent are lost: counted, not silent.
    QMutexLocker lock(&m_mutex);
    const size_t left = spanCount(m_queue) + spanCount(m_inFlight);
    m_queue.clear();
    lock.unlock();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
    if (left > 0)
        drop(left);
}

void OtlpExporter::drop(size_t spans)
{
    m_droppedSpans.fetch_add(spans);
    if (m_dropped)
        m_dropped->inc(spans);
}

void OtlpExporter::exchangeFinished(const capture::Exchange &x, const Request &request)
{
    if (request.traceId.size() != 32 || request.spanId.size() != 16)
        return;
    const bool incoming = !request.parentSpanId.isEmpty();
    if (incoming ? !request.sampled : !sampledByRatio(request.traceId, m_settings.sample))
        return;
    Span s;
    s.traceId = request.traceId;
    s.spanId = request.spanId;
    s.parentSpanId = request.parentSpanId;
    s.method = bounded(request.method);
    s.path = bounded(request.path);
    s.clientAddress = bounded(request.clientAddress);
    s.route = x.route;
    s.consumer = bounded(x.consumer);
    s.upstream = x.upstream;
    s.listener = x.listener;
    s.error = bounded(x.error);
    s.status = x.status;
    s.startNs = x.startedAt.toMSecsSinceEpoch() * 1'000'000;
    s.endNs = s.startNs + std::max<qint64>(0, x.timings.lastByteUs) * 1000;
    if (request.attempts) {
        s.attempts = *request.attempts;
        for (UpstreamAttempt &a : s.attempts)
            a.error = bounded(a.error);
    }
    bool post = false;
    {
        QMutexLocker lock(&m_mutex);
        if (m_queue.size() >= kMaxQueued) {
            lock.unlock();
            drop(1 + s.attempts.size());
            return;
        }
        m_queue.push_back(std::move(s));
        post = m_queue.size() >= kBatch;
    }
    if (post && !m_flushPosted.exchange(true))
        QMetaObject::invokeMethod(this, &OtlpExporter::flush, Qt::QueuedConnection);
}

void OtlpExporter::flush()
{
    m_flushPosted = false;
    if (!m_inFlight.empty())
        return; // one request at a time; sent() goes on with the queue
    {
        QMutexLocker lock(&m_mutex);
        const size_t n = std::min(kBatch, m_queue.size());
        if (n == 0)
            return;
        m_inFlight.assign(std::make_move_iterator(m_queue.begin()),
            std::make_move_iterator(m_queue.begin() + qsizetype(n)));
        m_queue.erase(m_queue.begin(), m_queue.begin() + qsizetype(n));
    }
    // Each exchange is a SERVER span and its CLIENT spans.
    m_body = encode(m_inFlight);
    m_attempt = 0;
    send();
}

void OtlpExporter::send()
{
    ++m_attempt;
    QNetworkRequest request(m_settings.endpoint);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(10'000);
    QNetworkReply *reply = m_network->post(request, m_body);
    m_reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        m_reply = nullptr;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const bool networkError = status == 0;
        sent(status, networkError, reply->rawHeader("Retry-After").toLongLong());
    });
}

void OtlpExporter::sent(int status, bool networkError, qint64 retryAfterSeconds)
{
    if (status >= 200 && status < 300) {
        if (m_exported)
            m_exported->inc(spanCount(m_inFlight));
    } else if ((networkError || retryable(status)) && m_attempt < kMaxAttempts && !m_draining) {
        milliseconds wait = milliseconds(1000) * (1 << (m_attempt - 1));
        if (retryAfterSeconds > 0)
            wait = std::max(wait, milliseconds(retryAfterSeconds * 1000));
        m_retry->start(std::min(wait, milliseconds(30'000)));
        return;
    } else {
        qWarning("tracing.otlp: %s refused %zu spans (%s)", qPrintable(m_settings.endpoint.toString()),
            spanCount(m_inFlight),
            networkError ? "unreachable" : qPrintable(QStringLiteral("HTTP %1").arg(status)));
        drop(spanCount(m_inFlight));
    }
    m_inFlight.clear();
    m_body.clear();
    bool more = false;
    {
        QMutexLocker lock(&m_mutex);
        // While draining, everything goes; else a batch waits until it is full or the timer fires.
        more = m_draining ? !m_queue.empty() : m_queue.size() >= kBatch;
    }
    if (more)
        flush();
    idleCheck();
}

void OtlpExporter::idleCheck()
{
    if (m_draining && m_inFlight.empty())
        m_draining->quit();
}

void OtlpExporter::drain(milliseconds budget)
{
    if (m_draining)
        return;
    QEventLoop loop;
    m_draining = &loop;
    m_timer->stop();
    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    deadline.start(budget);
    if (m_retry->isActive()) {
        // A batch waiting for its backoff goes now, once.
        m_retry->stop();
        send();
    } else {
        flush();
    }
    if (!m_inFlight.empty())
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    // Out of time: the request in flight and what is queued are lost, and counted.
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply = nullptr;
    }
    size_t left = spanCount(m_inFlight);
    m_inFlight.clear();
    m_body.clear();
    {
        QMutexLocker lock(&m_mutex);
        left += spanCount(m_queue);
        m_queue.clear();
    }
    if (left > 0) {
        qWarning("tracing.otlp: %zu spans not exported before stopping (%s did not take them in time)", left,
            qPrintable(m_settings.endpoint.toString()));
        drop(left);
    }
    m_draining = nullptr;
    m_timer->start();
}

QByteArray OtlpExporter::encode(const std::vector<Span> &spans) const
{
    QJsonArray out;
    for (const Span &s : spans) {
        const QString method = text(s.method);
        QJsonArray attrs { attr("http.request.method", method), attr("url.path", text(s.path)),
            attr("client.address", text(s.clientAddress)) };
        if (!s.route.isEmpty())
            attrs.append(attr("http.route", s.route));
        if (s.status > 0)
            attrs.append(attr("http.response.status_code", qint64(s.status)));
        const qsizetype colon = s.listener.lastIndexOf(u':');
        if (colon > 0) {
            attrs.append(attr("server.address", s.listener.left(colon).remove(u'[').remove(u']')));
            attrs.append(attr("server.port", s.listener.mid(colon + 1).toLongLong()));
        }
        if (!s.consumer.isEmpty())
            attrs.append(attr("portico.consumer", s.consumer));
        if (!s.upstream.isEmpty())
            attrs.append(attr("portico.upstream", s.upstream));
        const bool failed = s.status >= 500 || s.status == 0 || !s.error.isEmpty();
        if (failed)
            attrs.append(
                attr("error.type", s.status >= 500 ? QString::number(s.status) : QStringLiteral("_OTHER")));
        QJsonObject server { { QStringLiteral("traceId"), text(s.traceId) },
            { QStringLiteral("spanId"), text(s.spanId) },
            { QStringLiteral("name"), s.route.isEmpty() ? method : method + u' ' + s.route },
            { QStringLiteral("kind"), kSpanKindServer },
            { QStringLiteral("startTimeUnixNano"), QString::number(s.startNs) },
            { QStringLiteral("endTimeUnixNano"), QString::number(s.endNs) },
            { QStringLiteral("attributes"), attrs } };
        if (!s.parentSpanId.isEmpty())
            server.insert(QStringLiteral("parentSpanId"), text(s.parentSpanId));
        if (failed)
            server.insert(QStringLiteral("status"), errorStatus(s.error));
        out.append(server);

        encodeClientSpans(s, out);
    }
    const QJsonObject resource { { QStringLiteral("attributes"),
        QJsonArray { attr("service.name", m_settings.serviceName),
            attr("telemetry.sdk.name", QStringLiteral("portico")) } } };
    const QJsonObject scope { { QStringLiteral("name"), QStringLiteral("portico") },
        { QStringLiteral("version"), QStringLiteral(PORTICO_VERSION) } };
    const QJsonObject doc { { QStringLiteral("resourceSpans"),
        QJsonArray { QJsonObject { { QStringLiteral("resource"), resource },
            { QStringLiteral("scopeSpans"),
                QJsonArray { QJsonObject {
                    { QStringLiteral("scope"), scope }, { QStringLiteral("spans"), out } } } } } } } };
    return QJsonDocument(doc).toJson(QJsonDocument::Compact);
}

} // namespace portico::gateway

namespace portico::gateway {

// A CLIENT span per upstream attempt and aggregate part, under the exchange's SERVER span.
void OtlpExporter::encodeClientSpans(const Span &s, QJsonArray &out) const
{
    const QString method = text(s.method);
    int resend = 0;
    for (const UpstreamAttempt &a : s.attempts) {
        const QUrl target(a.target);
        const bool tls = target.scheme() == u"https";
        QJsonArray attrs { attr("http.request.method", method), attr("server.address", target.host()),
            attr("server.port", qint64(target.port(tls ? 443 : 80))) };
        if (a.part.isEmpty()) {
            attrs.append(attr("url.full", a.target + text(s.path)));
            if (resend > 0)
                attrs.append(attr("http.request.resend_count", qint64(resend)));
            ++resend;
        } else {
            attrs.append(attr("portico.aggregate.part", a.part));
        }
        if (a.status > 0)
            attrs.append(attr("http.response.status_code", qint64(a.status)));
        if (!a.upstream.isEmpty())
            attrs.append(attr("portico.upstream", a.upstream));
        const bool failed = !a.error.isEmpty() || a.status >= 500 || a.status == 0;
        if (failed)
            attrs.append(
                attr("error.type", a.status >= 500 ? QString::number(a.status) : QStringLiteral("_OTHER")));
        const qint64 start = s.startNs + a.startUs * 1000;
        const qint64 end = std::max(start, s.startNs + a.endUs * 1000);
        QJsonObject client { { QStringLiteral("traceId"), text(s.traceId) },
            { QStringLiteral("spanId"), text(a.spanId) }, { QStringLiteral("parentSpanId"), text(s.spanId) },
            { QStringLiteral("name"), method }, { QStringLiteral("kind"), kSpanKindClient },
            { QStringLiteral("startTimeUnixNano"), QString::number(start) },
            { QStringLiteral("endTimeUnixNano"), QString::number(end) },
            { QStringLiteral("attributes"), attrs } };
        if (failed)
            client.insert(QStringLiteral("status"),
                errorStatus(a.error.isEmpty() ? QStringLiteral("HTTP %1").arg(a.status) : a.error));
        out.append(client);
    }
}

} // namespace portico::gateway
