// tracing.otlp: spans of real exchanges reach an OTLP/HTTP receiver in this test, which decodes
// the JSON: a SERVER span per exchange continuing the incoming trace, a CLIENT span per upstream
// attempt under it (the upstream saw its attempt's span as its parent; a retry is a second client
// span) and per aggregate part, HTTP semantic convention attributes, ERROR status on 5xx and
// failed attempts; an unsampled incoming trace and sample: 0 send nothing; 503 from the collector
// is retried; the queue is bounded and drops are counted; stopping the gateway sends what is
// queued, bounded in time when the collector hangs; hostile text stays bounded, valid JSON; the
// section's mistakes are reported at their line.
#include "../filters/AuthTestKit.h"
#include "FilterItKit.h"
#include "core/config/WorkspaceWriter.h"
#include "core/gateway/OtlpExporter.h"
#include "core/gateway/TraceContext.h"

using namespace portico;
using namespace portico::test;

namespace {

const char *kRoutes = R"(upstreams:
  echo: {targets: [{url: {{UP}}}]}
  nowhere: {targets: [{url: http://127.0.0.1:{{DEAD}}}]}
  flaky:
    targets: [{url: http://127.0.0.1:{{DEAD}}}, {url: {{UP}}}]
    retries: 1
routes:
  - {name: users, match: {path: /users}, upstream: echo}
  - {name: dead, match: {path: /dead}, upstream: nowhere}
  - {name: retried, match: {path: /retried}, upstream: flaky}
  - name: both
    match: {path: /both}
    aggregate:
      - {key: ok, upstream: echo, path: /ok}
      - {key: busy, upstream: echo, path: "/busy?status=503"}
)";

const QByteArray kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
const QByteArray kParent = "00f067aa0ba902b7";

QJsonArray spansOf(const QList<QByteArray> &bodies)
{
    QJsonArray out;
    for (const QByteArray &body : bodies) {
        const QJsonObject doc = QJsonDocument::fromJson(body).object();
        for (const QJsonValue &rs : doc.value("resourceSpans").toArray()) {
            for (const QJsonValue &ss : rs.toObject().value("scopeSpans").toArray()) {
                for (const QJsonValue &span : ss.toObject().value("spans").toArray())
                    out.append(span);
            }
        }
    }
    return out;
}

QJsonValue attribute(const QJsonObject &span, const QString &key)
{
    for (const QJsonValue &a : span.value("attributes").toArray()) {
        if (a.toObject().value("key").toString() == key) {
            const QJsonObject v = a.toObject().value("value").toObject();
            return v.contains("intValue") ? v.value("intValue") : v.value("stringValue");
        }
    }
    return {};
}

QList<QJsonObject> spansWhere(const QJsonArray &spans, const QByteArray &traceId, int kind)
{
    QList<QJsonObject> out;
    for (const QJsonValue &s : spans) {
        const QJsonObject o = s.toObject();
        if (o.value("traceId").toString().toLatin1() == traceId && o.value("kind").toInt() == kind)
            out << o;
    }
    return out;
}

QJsonObject spanWhere(const QJsonArray &spans, const QByteArray &traceId, int kind)
{
    const QList<QJsonObject> all = spansWhere(spans, traceId, kind);
    return all.isEmpty() ? QJsonObject() : all.first();
}

qint64 nanos(const QJsonObject &span, const char *key)
{
    return span.value(QLatin1String(key)).toString().toLongLong();
}

quint16 deadPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace

class TestOtlpExport : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LoopbackUpstream> m_up;
    std::unique_ptr<GatewayHarness> m_gw;
    std::unique_ptr<ScriptedHttpServer> m_collector;
    QList<QByteArray> m_bodies;
    QList<QByteArray> m_heads;
    int m_refuseFirst = 0; // answer 503 to this many posts first
    quint16 m_deadPort = 0;

    QString start(const QString &otlp, const QString &tracingExtra = {})
    {
        m_gw = std::make_unique<GatewayHarness>();
        m_deadPort = deadPort();
        return m_gw->start(
            gatewayHeader() + QStringLiteral("tracing:\n  otlp: %1\n").arg(otlp) + tracingExtra + kRoutes,
            { { "UP", m_up->url().toString() }, { "DEAD", QString::number(m_deadPort) } });
    }
    QString collectorUrl() const { return m_collector->url(QStringLiteral("/v1/traces")); }
    // Blocking requests go from a helper thread: the collector and the exporter live on this one.
    RawResponse get(const QByteArray &path, const wire::Headers &headers = {})
    {
        return runSpinning([&] { return m_gw->get(path, headers); });
    }

private Q_SLOTS:
    void init()
    {
        m_bodies.clear();
        m_heads.clear();
        m_refuseFirst = 0;
        m_up = std::make_unique<LoopbackUpstream>();
        QVERIFY(m_up->isRunning());
        m_collector = std::make_unique<ScriptedHttpServer>([this](const QByteArray &head,
                                                               const QByteArray &body) {
            if (m_refuseFirst > 0) {
                --m_refuseFirst;
                return QByteArray(
                    "HTTP/1.1 503 Busy\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
            m_heads << head;
            m_bodies << body;
            return ScriptedHttpServer::response(200, "{}");
        });
    }

    void cleanup()
    {
        m_gw.reset();
        m_up.reset();
        m_collector.reset();
    }

    void serverAndClientSpansContinueTheIncomingTrace()
    {
        const QString problems
            = start(QStringLiteral("{endpoint: %1, service_name: edge}").arg(collectorUrl()));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const RawResponse r
            = get("/users/7?x=1", { { "traceparent", "00-" + kTrace + "-" + kParent + "-01" } });
        QCOMPARE(r.status, 200);
        const QString upstreamParent = echoHeader(r, QStringLiteral("traceparent")).section(u'-', 2, 2);

        QTRY_VERIFY_WITH_TIMEOUT(spansOf(m_bodies).size() >= 2, 5000);
        QVERIFY(m_heads.first().toLower().contains("content-type: application/json"));
        QVERIFY(m_heads.first().startsWith("POST /v1/traces "));
        const QJsonObject doc = QJsonDocument::fromJson(m_bodies.first()).object();
        const QJsonObject resource
            = doc.value("resourceSpans").toArray().first().toObject().value("resource").toObject();
        QCOMPARE(attribute(resource, "service.name").toString(), QStringLiteral("edge"));

        const QJsonArray spans = spansOf(m_bodies);
        const QJsonObject server = spanWhere(spans, kTrace, 2);
        QVERIFY(!server.isEmpty());
        QCOMPARE(server.value("parentSpanId").toString().toLatin1(), kParent);
        QCOMPARE(server.value("name").toString(), QStringLiteral("GET users"));
        QCOMPARE(attribute(server, "http.request.method").toString(), QStringLiteral("GET"));
        QCOMPARE(attribute(server, "http.route").toString(), QStringLiteral("users"));
        QCOMPARE(attribute(server, "http.response.status_code").toString(), QStringLiteral("200"));
        QCOMPARE(attribute(server, "url.path").toString(), QStringLiteral("/users/7"));
        QVERIFY(!server.contains("status"));
        const qint64 start = server.value("startTimeUnixNano").toString().toLongLong();
        const qint64 end = server.value("endTimeUnixNano").toString().toLongLong();
        QVERIFY(start > 1'600'000'000LL * 1'000'000'000LL);
        QVERIFY(end >= start);

        const QJsonObject client = spanWhere(spans, kTrace, 3);
        QVERIFY(!client.isEmpty());
        QCOMPARE(client.value("parentSpanId").toString(), server.value("spanId").toString());
        QCOMPARE(client.value("spanId").toString(), upstreamParent); // what the upstream was told
        QCOMPARE(spansWhere(spans, kTrace, 3).size(), 1);
        QCOMPARE(attribute(client, "http.response.status_code").toString(), QStringLiteral("200"));
        QVERIFY(!client.contains("status"));
        QVERIFY(nanos(client, "startTimeUnixNano") >= start);
        QVERIFY(nanos(client, "endTimeUnixNano") <= end);
        QCOMPARE(attribute(client, "server.address").toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(attribute(client, "server.port").toString(), QString::number(m_up->port()));
        QCOMPARE(attribute(client, "portico.upstream").toString(), QStringLiteral("echo"));
        // Counted once the collector's answer is back, which may come after its handler ran.
        QTRY_VERIFY_WITH_TIMEOUT(
            m_gw->gateway().metrics().sumCounter("portico_otlp_spans_exported_total") >= 2, 5000);
    }

    void upstreamFailureIsAnError()
    {
        const QString problems = start(QStringLiteral("{endpoint: %1}").arg(collectorUrl()));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const RawResponse r = get("/dead", { { "traceparent", "00-" + kTrace + "-" + kParent + "-01" } });
        QCOMPARE(r.status, 502);
        QTRY_VERIFY_WITH_TIMEOUT(!spanWhere(spansOf(m_bodies), kTrace, 2).isEmpty(), 5000);
        const QJsonObject server = spanWhere(spansOf(m_bodies), kTrace, 2);
        QCOMPARE(server.value("status").toObject().value("code").toInt(), 2);
        QCOMPARE(attribute(server, "error.type").toString(), QStringLiteral("502"));
        // The attempt that could not connect is a failed CLIENT span without a status code.
        QTRY_VERIFY_WITH_TIMEOUT(!spanWhere(spansOf(m_bodies), kTrace, 3).isEmpty(), 5000);
        const QJsonObject client = spanWhere(spansOf(m_bodies), kTrace, 3);
        QCOMPARE(client.value("status").toObject().value("code").toInt(), 2);
        QVERIFY(!client.value("status").toObject().value("message").toString().isEmpty());
        QCOMPARE(attribute(client, "error.type").toString(), QStringLiteral("_OTHER"));
        QVERIFY(attribute(client, "http.response.status_code").isNull());
    }

    void b3NamesTheClientSpanWithTheServerSpanAsItsParent()
    {
        const QString problems = start(QStringLiteral("{endpoint: %1}").arg(collectorUrl()),
            QStringLiteral("  propagation: [w3c, b3]\n"));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const RawResponse r = get("/users", { { "traceparent", "00-" + kTrace + "-" + kParent + "-01" } });
        QCOMPARE(r.status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(!spanWhere(spansOf(m_bodies), kTrace, 3).isEmpty(), 5000);
        const QJsonObject server = spanWhere(spansOf(m_bodies), kTrace, 2);
        const QJsonObject client = spanWhere(spansOf(m_bodies), kTrace, 3);
        QCOMPARE(echoHeader(r, QStringLiteral("x-b3-spanid")), client.value("spanId").toString());
        QCOMPARE(echoHeader(r, QStringLiteral("x-b3-parentspanid")), server.value("spanId").toString());
        QCOMPARE(echoHeader(r, QStringLiteral("traceparent")).section(u'-', 2, 2),
            client.value("spanId").toString());
    }

    void aRetryIsItsOwnClientSpan()
    {
        const QString problems = start(QStringLiteral("{endpoint: %1}").arg(collectorUrl()));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        // Round robin tries the dead target first, then the live one (retries: 1).
        const RawResponse r = get("/retried", { { "traceparent", "00-" + kTrace + "-" + kParent + "-01" } });
        QCOMPARE(r.status, 200);
        const QString upstreamParent = echoHeader(r, QStringLiteral("traceparent")).section(u'-', 2, 2);
        QTRY_VERIFY_WITH_TIMEOUT(spansWhere(spansOf(m_bodies), kTrace, 3).size() >= 2, 5000);
        const QJsonArray spans = spansOf(m_bodies);
        QCOMPARE(spansWhere(spans, kTrace, 2).size(), 1);
        const QJsonObject server = spanWhere(spans, kTrace, 2);
        QCOMPARE(server.value("parentSpanId").toString().toLatin1(), kParent);
        QVERIFY(!server.contains("status")); // the exchange succeeded
        QList<QJsonObject> clients = spansWhere(spans, kTrace, 3);
        QCOMPARE(clients.size(), 2);
        std::sort(clients.begin(), clients.end(), [](const QJsonObject &a, const QJsonObject &b) {
            return nanos(a, "startTimeUnixNano") < nanos(b, "startTimeUnixNano");
        });
        const QJsonObject &failed = clients[0];
        const QJsonObject &ok = clients[1];
        for (const QJsonObject &c : clients) {
            QCOMPARE(c.value("parentSpanId").toString(), server.value("spanId").toString());
            QCOMPARE(c.value("spanId").toString().size(), 16);
            QVERIFY(nanos(c, "startTimeUnixNano") >= nanos(server, "startTimeUnixNano"));
            QVERIFY(nanos(c, "endTimeUnixNano") <= nanos(server, "endTimeUnixNano"));
        }
        QVERIFY(failed.value("spanId") != ok.value("spanId"));
        QVERIFY(nanos(failed, "endTimeUnixNano") <= nanos(ok, "startTimeUnixNano"));
        QCOMPARE(attribute(failed, "server.port").toString(), QString::number(m_deadPort));
        QCOMPARE(failed.value("status").toObject().value("code").toInt(), 2);
        QVERIFY(attribute(failed, "http.response.status_code").isNull());
        QVERIFY(attribute(failed, "http.request.resend_count").isNull());
        QCOMPARE(attribute(ok, "server.port").toString(), QString::number(m_up->port()));
        QCOMPARE(attribute(ok, "http.response.status_code").toString(), QStringLiteral("200"));
        QCOMPARE(attribute(ok, "http.request.resend_count").toString(), QStringLiteral("1"));
        QVERIFY(!ok.contains("status"));
        // The upstream that answered was told the attempt that reached it as its parent.
        QCOMPARE(ok.value("spanId").toString(), upstreamParent);
    }

    void anAggregateHasAClientSpanPerPart()
    {
        const QString problems = start(QStringLiteral("{endpoint: %1}").arg(collectorUrl()));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const RawResponse r = get("/both", { { "traceparent", "00-" + kTrace + "-" + kParent + "-01" } });
        QVERIFY2(r.complete, qPrintable(r.error));
        QTRY_VERIFY_WITH_TIMEOUT(spansWhere(spansOf(m_bodies), kTrace, 3).size() >= 2, 5000);
        const QJsonArray spans = spansOf(m_bodies);
        const QJsonObject server = spanWhere(spans, kTrace, 2);
        QCOMPARE(server.value("name").toString(), QStringLiteral("GET both"));
        const QList<QJsonObject> clients = spansWhere(spans, kTrace, 3);
        QCOMPARE(clients.size(), 2);
        QStringList ids;
        for (const QJsonObject &c : clients) {
            QCOMPARE(c.value("parentSpanId").toString(), server.value("spanId").toString());
            QCOMPARE(attribute(c, "portico.upstream").toString(), QStringLiteral("echo"));
            ids << c.value("spanId").toString();
            const QString part = attribute(c, "portico.aggregate.part").toString();
            if (part == u"ok") {
                QCOMPARE(attribute(c, "http.response.status_code").toString(), QStringLiteral("200"));
                QVERIFY(!c.contains("status"));
            } else {
                QCOMPARE(part, QStringLiteral("busy"));
                QCOMPARE(attribute(c, "http.response.status_code").toString(), QStringLiteral("503"));
                QCOMPARE(c.value("status").toObject().value("code").toInt(), 2);
            }
        }
        QVERIFY(ids[0] != ids[1]);
        // Each part told its upstream its own span as the parent.
        const QByteArray sentOn = m_up->lastRequest().header("traceparent");
        QVERIFY2(ids.contains(QString::fromLatin1(sentOn).section(u'-', 2, 2)), sentOn.constData());
    }

    void stoppingSendsWhatIsQueued()
    {
        const QString problems = start(QStringLiteral("{endpoint: %1}").arg(collectorUrl()));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        QCOMPARE(get("/users", { { "traceparent", "00-" + kTrace + "-" + kParent + "-01" } }).status, 200);
        m_gw->gateway().stop();
        // No waiting here: stop() returned after the collector took them.
        QVERIFY(!spanWhere(spansOf(m_bodies), kTrace, 2).isEmpty());
        QVERIFY(!spanWhere(spansOf(m_bodies), kTrace, 3).isEmpty());
        QCOMPARE(m_gw->gateway().metrics().sumCounter("portico_otlp_spans_dropped_total"), quint64(0));
        QCOMPARE(m_gw->gateway().metrics().sumCounter("portico_otlp_spans_exported_total"), quint64(2));
    }

    void stoppingIsBoundedWhenTheCollectorHangs()
    {
        QTcpServer silent; // the kernel accepts the connection; nobody ever answers
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        const QString problems
            = start(QStringLiteral("{endpoint: \"http://127.0.0.1:%1/v1/traces\"}").arg(silent.serverPort()));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        QCOMPARE(get("/users", { { "traceparent", "00-" + kTrace + "-" + kParent + "-01" } }).status, 200);
        QElapsedTimer took;
        took.start();
        m_gw->gateway().stop();
        QVERIFY2(took.elapsed() < 4000, qPrintable(QString::number(took.elapsed())));
        // Lost, and counted: the server span and its client span.
        QCOMPARE(m_gw->gateway().metrics().sumCounter("portico_otlp_spans_dropped_total"), quint64(2));
    }

    void hostileTextStaysBoundedAndValidJson()
    {
        config::OtlpSettings settings;
        settings.endpoint = QUrl(collectorUrl());
        gateway::OtlpExporter exporter(settings, nullptr, std::chrono::hours(1));
        capture::Exchange x;
        x.startedAt = QDateTime::currentDateTimeUtc();
        x.status = 502;
        x.route = QStringLiteral("r");
        x.error = QStringLiteral("bad\x01\x1b[31m\n\"\\") + QString(100'000, u'e');
        std::vector<gateway::UpstreamAttempt> attempts(1);
        attempts[0].spanId = "2222222222222222";
        attempts[0].target = QStringLiteral("http://127.0.0.1:9");
        attempts[0].error = QString(QChar(0)) + QString(50'000, QChar(0x7f));
        attempts[0].endUs = 10;
        const QByteArray path
            = QByteArray("/p\x01\x02\r\n\"\\\xff\xfe\xe2\x82", 12) + QByteArray(200'000, 'a');
        const gateway::ExchangeSink::Request request { QByteArray(5000, 'G'), path, "127.0.0.1", kTrace,
            "1111111111111111", "rid", {}, true, &attempts };
        exporter.exchangeFinished(x, request);
        exporter.drain(std::chrono::seconds(5)); // also: drain sends without waiting for the timer
        QCOMPARE(m_bodies.size(), 1);
        QVERIFY2(m_bodies.first().size() < 24 * 1024, qPrintable(QString::number(m_bodies.first().size())));
        QJsonParseError error;
        QJsonDocument::fromJson(m_bodies.first(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QJsonArray spans = spansOf(m_bodies);
        QCOMPARE(spans.size(), 2);
        const QJsonObject server = spanWhere(spans, kTrace, 2);
        const QString sentPath = attribute(server, "url.path").toString();
        QVERIFY(sentPath.size() <= gateway::OtlpExporter::kMaxValueChars);
        QVERIFY(sentPath.startsWith(QStringLiteral("/p\x01\x02\r\n\"\\")));
        QVERIFY(server.value("status").toObject().value("message").toString().size()
            <= gateway::OtlpExporter::kMaxValueChars);
        const QJsonObject client = spanWhere(spans, kTrace, 3);
        QVERIFY(client.value("status").toObject().value("message").toString().size()
            <= gateway::OtlpExporter::kMaxValueChars);
        QCOMPARE(exporter.dropped(), quint64(0));
    }

    void unsampledAndRatioZeroSendNothing()
    {
        const QString problems = start(QStringLiteral("{endpoint: %1, sample: 0}").arg(collectorUrl()));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const QByteArray unsampled = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        QCOMPARE(get("/users", { { "traceparent", "00-" + unsampled + "-" + kParent + "-00" } }).status, 200);
        QCOMPARE(get("/users").status, 200); // a new trace: sample 0
        // ... and the upstream is told so: the trace is not sampled anywhere down the line.
        const QByteArray sentOn = m_up->lastRequest().header("traceparent");
        QVERIFY2(sentOn.endsWith("-00"), sentOn.constData());
        // An incoming sampled trace is exported whatever `sample` says; it arrives after the others.
        QCOMPARE(get("/users", { { "traceparent", "00-" + kTrace + "-" + kParent + "-01" } }).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(!spanWhere(spansOf(m_bodies), kTrace, 2).isEmpty(), 5000);
        for (const QJsonValue &s : spansOf(m_bodies))
            QCOMPARE(s.toObject().value("traceId").toString().toLatin1(), kTrace);
    }

    void collectorBusyIsRetried()
    {
        m_refuseFirst = 1;
        const QString problems = start(QStringLiteral("{endpoint: %1}").arg(collectorUrl()));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        QCOMPARE(get("/users", { { "traceparent", "00-" + kTrace + "-" + kParent + "-01" } }).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(!spanWhere(spansOf(m_bodies), kTrace, 2).isEmpty(), 8000);
        QCOMPARE(m_refuseFirst, 0);
        QCOMPARE(m_gw->gateway().metrics().sumCounter("portico_otlp_spans_dropped_total"), quint64(0));
    }

    void queueIsBoundedAndDropsAreCounted()
    {
        MetricsRegistry metrics;
        config::OtlpSettings settings;
        settings.endpoint = QUrl(collectorUrl());
        gateway::OtlpExporter exporter(settings, &metrics, std::chrono::hours(1));
        capture::Exchange x;
        x.startedAt = QDateTime::currentDateTimeUtc();
        gateway::ExchangeSink::Request request { "GET", "/", "127.0.0.1", kTrace, "1111111111111111", "rid",
            {}, true, nullptr };
        // Without the loop running, nothing is sent: the queue fills, then drops.
        for (size_t i = 0; i < gateway::OtlpExporter::kMaxQueued + 10; ++i)
            exporter.exchangeFinished(x, request);
        QCOMPARE(exporter.dropped(), quint64(10));
        QCOMPARE(metrics.sumCounter("portico_otlp_spans_dropped_total"), quint64(10));
        // Hostile ids are not exported at all.
        request.traceId = "not-hex\r\n";
        exporter.exchangeFinished(x, request);
        QCOMPARE(exporter.dropped(), quint64(10));
    }

    void ratioSamplingIsByTraceId()
    {
        using gateway::OtlpExporter;
        QVERIFY(OtlpExporter::sampledByRatio("0123456789abcdef0000000000000000", 0.5));
        QVERIFY(!OtlpExporter::sampledByRatio("0123456789abcdefffffffffffffffff", 0.5));
        QVERIFY(OtlpExporter::sampledByRatio("0123456789abcdefffffffffffffffff", 1.0));
        QVERIFY(!OtlpExporter::sampledByRatio("0123456789abcdef0000000000000000", 0.0));
        QVERIFY(!OtlpExporter::sampledByRatio("short", 0.5));
        QVERIFY(!OtlpExporter::sampledByRatio("0123456789abcdefzzzzzzzzzzzzzzzz", 0.5));
        int hits = 0;
        for (int i = 0; i < 2000; ++i)
            hits += OtlpExporter::sampledByRatio(gateway::randomHex(16), 0.25);
        QVERIFY2(hits > 400 && hits < 600, qPrintable(QString::number(hits)));
    }

    void mistakesAreReportedAtTheirLine_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("sample over 1")
            << QByteArray(
                   "version: 1\ntracing:\n  otlp:\n    endpoint: http://c:4318/v1/traces\n    sample: 1.5\n")
            << QStringLiteral(":5:13: error: 'sample' must be a fraction from 0 to 1, not '1.5'");
        QTest::newRow("not a number")
            << QByteArray("version: 1\ntracing:\n  otlp: {endpoint: http://c/v1/traces, sample: half}\n")
            << QStringLiteral(":3:48: error: 'sample' must be a fraction from 0 to 1, not 'half'");
        QTest::newRow("no endpoint") << QByteArray("version: 1\ntracing:\n  otlp: {service_name: x}\n")
                                     << QStringLiteral(":3:3: error: missing 'endpoint' in tracing otlp");
        QTest::newRow("grpc endpoint")
            << QByteArray("version: 1\ntracing:\n  otlp: {endpoint: \"grpc://c:4317\"}\n")
            << QStringLiteral(":3:20: error: URL 'grpc://c:4317' must start with http:// or https://");
        QTest::newRow("unknown key") << QByteArray(
            "version: 1\ntracing:\n  otlp: {endpoint: http://c/v1/traces, protocol: grpc}\n")
                                     << QStringLiteral(
                                            ":3:40: error: unknown key 'protocol' in tracing otlp");
    }

    void mistakesAreReportedAtTheirLine()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        const config::LoadResult r
            = config::loadWorkspaceText(text, QStringLiteral("w.yaml"), QProcessEnvironment());
        QVERIFY(!r.ok());
        QVERIFY2(r.errors.first().toString().startsWith(QStringLiteral("w.yaml") + expected),
            qPrintable(r.errors.first().toString()));
    }

    void settingsSurviveSaveAndLoad()
    {
        const config::LoadResult r
            = config::loadWorkspaceText("version: 1\ntracing:\n  propagation: [w3c]\n  otlp: {endpoint: "
                                        "http://c:4318/v1/traces, service_name: edge, sample: 0.25}\n",
                QStringLiteral("w.yaml"), QProcessEnvironment());
        QVERIFY(r.ok());
        QCOMPARE(r.workspace->tracing.otlp->sample, 0.25);
        QCOMPARE(r.workspace->tracing.otlp->serviceName, QStringLiteral("edge"));
        const QByteArray saved = config::writeWorkspaceYaml(*r.workspace);
        const config::LoadResult again
            = config::loadWorkspaceText(saved, QStringLiteral("w.yaml"), QProcessEnvironment());
        QVERIFY2(again.ok(), saved.constData());
        QCOMPARE(again.workspace->tracing, r.workspace->tracing);
    }
};

QTEST_GUILESS_MAIN(TestOtlpExport)
#include "tst_otlp_export.moc"
