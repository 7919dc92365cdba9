// tracing.otlp: spans of real exchanges reach an OTLP/HTTP receiver in this test, which decodes
// the JSON: a SERVER span per exchange continuing the incoming trace, a CLIENT span for the
// upstream call under it (the upstream saw the server span as its parent), HTTP semantic
// convention attributes, ERROR status on 5xx; an unsampled incoming trace and sample: 0 send
// nothing; 503 from the collector is retried; the queue is bounded and drops are counted; the
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
routes:
  - {name: users, match: {path: /users}, upstream: echo}
  - {name: dead, match: {path: /dead}, upstream: nowhere}
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

QJsonObject spanWhere(const QJsonArray &spans, const QByteArray &traceId, int kind)
{
    for (const QJsonValue &s : spans) {
        const QJsonObject o = s.toObject();
        if (o.value("traceId").toString().toLatin1() == traceId && o.value("kind").toInt() == kind)
            return o;
    }
    return {};
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

    QString start(const QString &otlp)
    {
        m_gw = std::make_unique<GatewayHarness>();
        return m_gw->start(gatewayHeader() + QStringLiteral("tracing:\n  otlp: %1\n").arg(otlp) + kRoutes,
            { { "UP", m_up->url().toString() }, { "DEAD", QString::number(deadPort()) } });
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
        QCOMPARE(server.value("spanId").toString(), upstreamParent); // what the upstream was told
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
        QCOMPARE(attribute(client, "server.address").toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(attribute(client, "server.port").toString(), QString::number(m_up->port()));
        QCOMPARE(attribute(client, "portico.upstream").toString(), QStringLiteral("echo"));
        QVERIFY(m_gw->gateway().metrics().sumCounter("portico_otlp_spans_exported_total") >= 1);
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
            {}, true };
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
