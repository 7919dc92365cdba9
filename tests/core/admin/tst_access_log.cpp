// The structured access log: one JSON line per exchange with the same ids the client and the
// upstream saw, written off the proxy threads, also when capture is off.
#include "AdminTestSupport.h"

#include "core/admin/AccessLog.h"

#include <QFile>
#include <QtTest>

using namespace portico;
using namespace portico::test;

namespace {

const char kWorkspace[] = R"(version: 1
gateway:
  listen: 127.0.0.1:0
  workers: 2
admin:
  listen: 127.0.0.1:0
capture:
  enabled: false
upstreams:
  echo:
    targets: ["{{UPSTREAM_URL}}"]
consumers:
  - name: alice
    api_keys: [alice-key]
auth:
  keys: {type: api_key, header: X-API-Key}
routes:
  - name: users
    match: {path: /api/users}
    upstream: echo
    auth: [keys]
  - name: limited
    match: {path: /limited}
    upstream: echo
    auth: [keys]
    rate_limit: {requests: 1, per: 1m, by: consumer}
)";

QList<QJsonObject> readLines(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = f.errorString();
        return {};
    }
    QList<QJsonObject> out;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (int i = 0; i < lines.size(); ++i) {
        if (lines[i].isEmpty() && i == lines.size() - 1)
            break;
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(lines[i], &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
            *error = QStringLiteral("line %1 is not a JSON object: %2")
                         .arg(i + 1)
                         .arg(QString::fromUtf8(lines[i]));
            return {};
        }
        out << doc.object();
    }
    return out;
}

} // namespace

class TestAccessLog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneLinePerExchangeWithCaptureOff()
    {
        TempWorkspace logDir;
        const QString path = logDir.path(QStringLiteral("access.log"));
        admin::AccessLog accessLog; // declared before the gateway: it must outlive the workers
        QString error;
        QVERIFY2(accessLog.open(path, &error), qPrintable(error));
        AdminFixture fx;
        error = fx.start(QString::fromUtf8(kWorkspace));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!fx.gateway->captureStore());
        fx.gateway->state().setExchangeSink(&accessLog);
        accessLog.exportMetrics(fx.gateway->metrics());

        const HttpResult ok = httpCall("GET", fx.gatewayUrl(QStringLiteral("/api/users/7?x=1")), {},
            { { "X-API-Key", "alice-key" },
                { "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" } });
        QCOMPARE(ok.status, 200);
        const HttpResult denied = httpCall("GET", fx.gatewayUrl(QStringLiteral("/api/users")));
        QCOMPARE(denied.status, 401);
        const HttpResult missing = httpCall("DELETE", fx.gatewayUrl(QStringLiteral("/nowhere")));
        QCOMPARE(missing.status, 404);
        // A worker finishes an exchange just after its last byte went out: wait for all three.
        QTRY_COMPARE_WITH_TIMEOUT((accessLog.flush(), accessLog.written()), quint64(3), 5000);

        const QList<QJsonObject> lines = readLines(path, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(lines.size(), 3);
        const QByteArray metrics = fx.adminCall("GET", QStringLiteral("/metrics")).body;
        QVERIFY2(metrics.contains("\nportico_access_log_lines_total 3\n"), metrics.constData());
        QVERIFY(metrics.contains("\nportico_access_log_dropped_total 0\n"));
        QCOMPARE(accessLog.dropped(), quint64(0));

        // Lines may come in any order across workers: find each by status.
        QJsonObject first, second, third;
        for (const QJsonObject &o : lines) {
            const int status = o.value(QStringLiteral("status")).toInt();
            (status == 200 ? first : status == 401 ? second : third) = o;
        }
        for (const char *key : { "time", "method", "path", "status", "duration_ms", "route", "consumer",
                 "upstream", "trace_id", "span_id", "request_id", "bytes", "error" })
            QVERIFY2(first.contains(QLatin1String(key)), key);
        QCOMPARE(first.value(QStringLiteral("method")).toString(), QStringLiteral("GET"));
        QCOMPARE(first.value(QStringLiteral("path")).toString(), QStringLiteral("/api/users/7"));
        QCOMPARE(first.value(QStringLiteral("route")).toString(), QStringLiteral("users"));
        QCOMPARE(first.value(QStringLiteral("consumer")).toString(), QStringLiteral("alice"));
        QCOMPARE(first.value(QStringLiteral("upstream")).toString(), QStringLiteral("echo"));
        QCOMPARE(first.value(QStringLiteral("trace_id")).toString(),
            QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
        QCOMPARE(first.value(QStringLiteral("request_id")).toString(),
            QString::fromLatin1(ok.header("X-Request-Id")));
        QVERIFY(QDateTime::fromString(first.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs)
                    .isValid());
        QVERIFY(first.value(QStringLiteral("duration_ms")).toDouble() > 0);
        QVERIFY(first.value(QStringLiteral("bytes")).toInteger() > 0);
        QVERIFY(first.value(QStringLiteral("error")).isNull());
        // The span the upstream saw as its parent is the one logged.
        const QByteArray upstreamParent
            = fx.upstream.lastRequests().first().header("traceparent").split('-').value(2);
        QCOMPARE(first.value(QStringLiteral("span_id")).toString().toLatin1(), upstreamParent);

        QVERIFY(second.value(QStringLiteral("consumer")).isNull());
        QCOMPARE(second.value(QStringLiteral("request_id")).toString(),
            QString::fromLatin1(denied.header("X-Request-Id")));
        QCOMPARE(third.value(QStringLiteral("method")).toString(), QStringLiteral("DELETE"));
        QVERIFY(third.value(QStringLiteral("route")).isNull());
        QCOMPARE(third.value(QStringLiteral("trace_id")).toString().size(), 32);
    }

    // A filter that answers after the consumer is known (rate limit 429, group ACL 403) still
    // logs, and captures, who it was.
    void consumerIsKnownWhenAFilterAnswers()
    {
        TempWorkspace logDir;
        const QString path = logDir.path(QStringLiteral("access.log"));
        admin::AccessLog accessLog;
        QString error;
        QVERIFY2(accessLog.open(path, &error), qPrintable(error));
        AdminFixture fx;
        error = fx.start(QString::fromUtf8(kWorkspace));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        fx.gateway->state().setExchangeSink(&accessLog);
        const QList<std::pair<QByteArray, QByteArray>> key { { "X-API-Key", "alice-key" } };
        QCOMPARE(httpCall("GET", fx.gatewayUrl(QStringLiteral("/limited")), {}, key).status, 200);
        QCOMPARE(httpCall("GET", fx.gatewayUrl(QStringLiteral("/limited")), {}, key).status, 429);
        QTRY_COMPARE_WITH_TIMEOUT((accessLog.flush(), accessLog.written()), quint64(2), 5000);
        const QList<QJsonObject> lines = readLines(path, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(lines.size(), 2);
        for (const QJsonObject &line : lines)
            QCOMPARE(line.value(QStringLiteral("consumer")).toString(), QStringLiteral("alice"));
    }

    void badDestinationIsAnError()
    {
        admin::AccessLog log;
        QString error;
        QVERIFY(!log.open(QStringLiteral("/nonexistent-dir/for/sure/access.log"), &error));
        QVERIFY(error.contains(QStringLiteral("cannot open")));
        QVERIFY(!log.isOpen());
    }

    void appendsToAnExistingFile()
    {
        TempWorkspace dir;
        const QString path = dir.writeFile(QStringLiteral("access.log"), QByteArray("{\"earlier\":true}\n"));
        {
            admin::AccessLog log;
            QVERIFY(log.open(path));
            capture::Exchange e;
            e.startedAt = QDateTime::currentDateTimeUtc();
            e.status = 204;
            log.exchangeFinished(e, { "GET", "/x\"y", "127.0.0.1", {}, {}, "rid-1", {}, true });
            // Escapes, non-ASCII text and bytes that are not UTF-8 still make one valid line.
            e.route = QStringLiteral("r\u00e9sum\u00e9\t\u20ac");
            e.error = QStringLiteral("upstream said \"no\"\\\n\x01");
            e.timings.lastByteUs = 12'345;
            log.exchangeFinished(e, { "GET", "/caf\xc3\xa9/\xff", "::1", {}, {}, "rid-\xe9", {}, true });
        } // the destructor writes what is queued
        QString error;
        const QList<QJsonObject> lines = readLines(path, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[0].value(QStringLiteral("earlier")).toBool());
        QCOMPARE(
            lines[2].value(QStringLiteral("route")).toString(), QStringLiteral("r\u00e9sum\u00e9\t\u20ac"));
        QCOMPARE(lines[2].value(QStringLiteral("error")).toString(),
            QStringLiteral("upstream said \"no\"\\\n\x01"));
        QCOMPARE(lines[2].value(QStringLiteral("path")).toString(), QStringLiteral("/caf\u00e9/\ufffd"));
        QCOMPARE(lines[2].value(QStringLiteral("duration_ms")).toDouble(), 12.345);
        // A client's X-Request-Id may hold any bytes; the line stays valid UTF-8.
        QCOMPARE(lines[2].value(QStringLiteral("request_id")).toString(), QStringLiteral("rid-\ufffd"));
        QCOMPARE(lines[1].value(QStringLiteral("path")).toString(), QStringLiteral("/x\"y"));
        QCOMPARE(lines[1].value(QStringLiteral("request_id")).toString(), QStringLiteral("rid-1"));
        QVERIFY(lines[1].value(QStringLiteral("duration_ms")).isNull());
    }
};

QTEST_GUILESS_MAIN(TestAccessLog)
#include "tst_access_log.moc"
