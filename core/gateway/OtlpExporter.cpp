#include "core/gateway/OtlpExporter.h"

#include "core/capture/Exchange.h"
#include "core/common/Metrics.h"
#include "core/common/Version.h"
#include "core/gateway/TraceContext.h"

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

OtlpExporter::~OtlpExporter() = default;

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
    s.method = request.method;
    s.path = request.path;
    s.clientAddress = request.clientAddress;
    s.route = x.route;
    s.consumer = x.consumer;
    s.upstream = x.upstream;
    s.upstreamTarget = x.upstreamTarget;
    s.listener = x.listener;
    s.error = x.error;
    s.status = x.status;
    s.retries = x.retries;
    s.startNs = x.startedAt.toMSecsSinceEpoch() * 1'000'000;
    s.endNs = s.startNs + std::max<qint64>(0, x.timings.lastByteUs) * 1000;
    if (!x.upstreamTarget.isEmpty() && x.timings.upstreamConnectUs >= 0) {
        s.upstreamStartNs = s.startNs + x.timings.upstreamConnectUs * 1000;
        s.clientSpanId = randomHex(8);
    }
    bool post = false;
    {
        QMutexLocker lock(&m_mutex);
        if (m_queue.size() >= kMaxQueued) {
            lock.unlock();
            drop(1);
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
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const bool networkError = status == 0;
        sent(status, networkError, reply->rawHeader("Retry-After").toLongLong());
    });
}

void OtlpExporter::sent(int status, bool networkError, qint64 retryAfterSeconds)
{
    if (status >= 200 && status < 300) {
        if (m_exported)
            m_exported->inc(m_inFlight.size());
    } else if ((networkError || retryable(status)) && m_attempt < kMaxAttempts) {
        milliseconds wait = milliseconds(1000) * (1 << (m_attempt - 1));
        if (retryAfterSeconds > 0)
            wait = std::max(wait, milliseconds(retryAfterSeconds * 1000));
        m_retry->start(std::min(wait, milliseconds(30'000)));
        return;
    } else {
        qWarning("tracing.otlp: %s refused %zu spans (%s)", qPrintable(m_settings.endpoint.toString()),
            m_inFlight.size(),
            networkError ? "unreachable" : qPrintable(QStringLiteral("HTTP %1").arg(status)));
        drop(m_inFlight.size());
    }
    m_inFlight.clear();
    m_body.clear();
    bool more = false;
    {
        QMutexLocker lock(&m_mutex);
        more = m_queue.size() >= kBatch;
    }
    if (more)
        flush();
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
            server.insert(QStringLiteral("status"),
                QJsonObject {
                    { QStringLiteral("code"), kStatusError }, { QStringLiteral("message"), s.error } });
        out.append(server);

        if (s.clientSpanId.isEmpty())
            continue;
        const QUrl target(s.upstreamTarget);
        QJsonArray cattrs { attr("http.request.method", method), attr("server.address", target.host()),
            attr("server.port", qint64(target.port(target.scheme() == u"https" ? 443 : 80))),
            attr("url.full", s.upstreamTarget + text(s.path)) };
        if (s.status > 0)
            cattrs.append(attr("http.response.status_code", qint64(s.status)));
        if (s.retries > 0)
            cattrs.append(attr("http.request.resend_count", qint64(s.retries)));
        if (!s.upstream.isEmpty())
            cattrs.append(attr("portico.upstream", s.upstream));
        QJsonObject client { { QStringLiteral("traceId"), text(s.traceId) },
            { QStringLiteral("spanId"), text(s.clientSpanId) },
            { QStringLiteral("parentSpanId"), text(s.spanId) }, { QStringLiteral("name"), method },
            { QStringLiteral("kind"), kSpanKindClient },
            { QStringLiteral("startTimeUnixNano"), QString::number(s.upstreamStartNs) },
            { QStringLiteral("endTimeUnixNano"), QString::number(std::max(s.upstreamStartNs, s.endNs)) },
            { QStringLiteral("attributes"), cattrs } };
        if (s.status >= 500 || s.status == 0)
            client.insert(QStringLiteral("status"),
                QJsonObject {
                    { QStringLiteral("code"), kStatusError }, { QStringLiteral("message"), s.error } });
        out.append(client);
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
