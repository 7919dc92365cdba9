#include "core/capture/ExchangeJson.h"

#include "core/capture/GrpcMessages.h"

#include <QDateTime>
#include <QJsonArray>
#include <QStringDecoder>

namespace portico::capture {

namespace {

QJsonValue micros(qint64 us)
{
    return us < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(us);
}

QJsonObject side(const HeaderList &headers, const QByteArray &body, qint64 size, bool truncated)
{
    QJsonArray h;
    for (const auto &pair : headers)
        h.append(QJsonArray { QString::fromLatin1(pair.first), QString::fromUtf8(pair.second) });
    QJsonObject o { { QStringLiteral("headers"), h }, { QStringLiteral("body_size"), size },
        { QStringLiteral("truncated"), truncated } };
    QStringDecoder decoder(QStringDecoder::Utf8);
    const QString text = decoder(body);
    if (decoder.hasError()) {
        o.insert(QStringLiteral("body"), QString::fromLatin1(body.toBase64()));
        o.insert(QStringLiteral("body_encoding"), QStringLiteral("base64"));
    } else {
        o.insert(QStringLiteral("body"), text);
    }
    return o;
}

} // namespace

QString rfc3339(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonObject summaryToJson(const ExchangeSummary &s)
{
    QJsonObject o {
        { QStringLiteral("id"), s.id },
        { QStringLiteral("started_at"), rfc3339(s.startedAtMs) },
        { QStringLiteral("method"), s.method },
        { QStringLiteral("url"), s.url },
        { QStringLiteral("host"), s.host },
        { QStringLiteral("path"), s.path },
        { QStringLiteral("status"), s.status },
        { QStringLiteral("duration_ms"),
            s.durationUs < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(double(s.durationUs) / 1000.0) },
        { QStringLiteral("route"), s.route },
        { QStringLiteral("consumer"), s.consumer },
        { QStringLiteral("upstream"), s.upstream },
        { QStringLiteral("trace_id"), s.traceId },
        { QStringLiteral("request_bytes"), s.requestBytes },
        { QStringLiteral("response_bytes"), s.responseBytes },
        { QStringLiteral("error"), s.error },
        { QStringLiteral("parent_id"), s.parentId },
        { QStringLiteral("protocol"), s.protocol },
    };
    if (s.proxied)
        o.insert(QStringLiteral("proxied"), true);
    if (!s.grpcService.isEmpty()) {
        o.insert(QStringLiteral("grpc_service"), s.grpcService);
        o.insert(QStringLiteral("grpc_method"), s.grpcMethod);
        o.insert(QStringLiteral("grpc_status"),
            s.grpcStatus < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(s.grpcStatus));
    }
    return o;
}

QJsonObject exchangeToJson(const Exchange &e, const grpc::Schema *schema)
{
    QJsonObject o = summaryToJson(summarize(e));
    o.insert(QStringLiteral("scheme"), e.scheme);
    o.insert(QStringLiteral("query"), e.query);
    o.insert(QStringLiteral("client_address"), e.clientAddress);
    o.insert(QStringLiteral("upstream_target"), e.upstreamTarget);
    o.insert(QStringLiteral("listener"), e.listener);
    o.insert(QStringLiteral("api_version"), e.apiVersion);
    o.insert(QStringLiteral("span_id"), e.spanId);
    o.insert(QStringLiteral("parent_span_id"), e.parentSpanId);
    o.insert(QStringLiteral("retries"), e.retries);
    o.insert(QStringLiteral("notes"), e.notes);
    o.insert(QStringLiteral("timings_us"),
        QJsonObject { { QStringLiteral("received"), micros(e.timings.receivedUs) },
            { QStringLiteral("upstream_connect"), micros(e.timings.upstreamConnectUs) },
            { QStringLiteral("first_upstream_byte"), micros(e.timings.firstUpstreamByteUs) },
            { QStringLiteral("last_byte"), micros(e.timings.lastByteUs) } });
    QJsonObject request = side(e.requestHeaders, e.requestBody, e.requestBodySize, e.requestTruncated);
    QJsonObject response = side(e.responseHeaders, e.responseBody, e.responseBodySize, e.responseTruncated);
    if (!e.grpcService.isEmpty()) {
        request.insert(QStringLiteral("messages"), grpcMessages(e, true, schema));
        response.insert(QStringLiteral("messages"), grpcMessages(e, false, schema));
    }
    o.insert(QStringLiteral("request"), request);
    response.insert(QStringLiteral("bodies_dropped"), e.bodiesDropped);
    o.insert(QStringLiteral("response"), response);
    return o;
}

} // namespace portico::capture
