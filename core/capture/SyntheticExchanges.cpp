#include "core/capture/SyntheticExchanges.h"

#include <QRandomGenerator>

namespace portico::capture {

Exchange syntheticExchange(QRandomGenerator &rng, qint64 i, qint64 startedAtMs)
{
    static const char *const methods[] = { "GET", "GET", "GET", "POST", "PUT", "DELETE" };
    static const int statuses[] = { 200, 200, 200, 200, 201, 204, 304, 400, 401, 404, 429, 500, 502, 503 };
    Exchange e;
    e.startedAt = QDateTime::fromMSecsSinceEpoch(startedAtMs, Qt::UTC);
    e.clientAddress = QStringLiteral("127.0.0.1");
    e.method = QLatin1String(methods[rng.bounded(6)]);
    e.status = statuses[rng.bounded(14)];
    const int route = int(rng.bounded(12));
    e.route = QStringLiteral("route-%1").arg(route);
    e.consumer = QStringLiteral("consumer-%1").arg(rng.bounded(40));
    e.upstream = QStringLiteral("upstream-%1").arg(route % 5);
    e.upstreamTarget = QStringLiteral("http://127.0.0.1:%1").arg(9000 + route % 5);
    e.apiVersion = route % 4 == 0 ? QStringLiteral("v%1").arg(1 + i % 2) : QString();
    e.scheme = QStringLiteral("http");
    e.host = QStringLiteral("api%1.local").arg(route % 3);
    e.path = QStringLiteral("/api/r%1/items/%2").arg(route).arg(rng.bounded(100000));
    e.url = QStringLiteral("http://%1:8080%2").arg(e.host, e.path);
    e.traceId = QStringLiteral("%1%2")
                    .arg(rng.generate64(), 16, 16, QLatin1Char('0'))
                    .arg(rng.generate64(), 16, 16, QLatin1Char('0'));
    e.spanId = QStringLiteral("%1").arg(rng.generate64(), 16, 16, QLatin1Char('0'));
    e.requestHeaders = { { "Host", e.host.toLatin1() }, { "Accept", "application/json" },
        { "X-Request-Id", QByteArray::number(i) } };
    e.responseBody = "{\"id\":" + QByteArray::number(i) + ",\"ok\":true}";
    e.responseHeaders = { { "Content-Type", "application/json" },
        { "Content-Length", QByteArray::number(e.responseBody.size()) } };
    e.responseBodySize = e.responseBody.size();
    e.requestBytes = 120;
    e.responseBytes = 150 + e.responseBody.size();
    const qint64 d = 200 + qint64(rng.bounded(400'000));
    e.timings = { 50, 100, d - 50, d };
    if (e.status >= 502)
        e.error = QStringLiteral("upstream failed");
    return e;
}

} // namespace portico::capture
