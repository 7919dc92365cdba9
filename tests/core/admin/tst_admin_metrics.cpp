// GET /metrics: every line is valid Prometheus text exposition (0.0.4), the contract's families are
// there before any traffic, and the counters move with requests.
#include "AdminTestSupport.h"

#include <QRegularExpression>
#include <QtTest>

using namespace portico;
using namespace portico::test;

namespace {

const char kWorkspace[] = R"(version: 1
gateway:
  listen: 127.0.0.1:0
  workers: 1
admin:
  listen: 127.0.0.1:0
capture:
  database: traffic.db
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
  - name: private
    match: {path: /api/private}
    upstream: echo
    auth: [keys]
  - name: limited
    match: {path: /api/limited}
    upstream: echo
    rate_limit: {requests: 1, per: 1m, by: ip}
)";

// Parses the exposition text strictly. Returns the samples ("name{labels}" -> value) or fails
// the test with the offending line.
struct Exposition
{
    QMap<QString, double> samples;
    QMap<QString, QString> types; // family -> type
    QString error;
};

Exposition parseExposition(const QByteArray &text)
{
    Exposition out;
    static const QRegularExpression help(QStringLiteral(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$)"));
    static const QRegularExpression type(
        QStringLiteral(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)"));
    static const QRegularExpression sample(QStringLiteral(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\})? ([-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|Inf|NaN))$)"));
    if (!text.endsWith('\n')) {
        out.error = QStringLiteral("the text does not end with a newline");
        return out;
    }
    QSet<QString> seenSampleFamilies;
    const QList<QByteArray> lines = text.split('\n');
    for (int i = 0; i < lines.size() - 1; ++i) {
        const QString line = QString::fromUtf8(lines[i]);
        if (line.startsWith(u"# HELP")) {
            if (!help.match(line).hasMatch())
                out.error = QStringLiteral("bad HELP line %1: %2").arg(i + 1).arg(line);
        } else if (line.startsWith(u"# TYPE")) {
            const auto m = type.match(line);
            if (!m.hasMatch() || out.types.contains(m.captured(1))
                || seenSampleFamilies.contains(m.captured(1)))
                out.error = QStringLiteral("bad or late TYPE line %1: %2").arg(i + 1).arg(line);
            else
                out.types.insert(m.captured(1), m.captured(2));
        } else {
            const auto m = sample.match(line);
            if (!m.hasMatch()) {
                out.error = QStringLiteral("bad sample line %1: %2").arg(i + 1).arg(line);
            } else {
                QString family = m.captured(1);
                for (const char *suffix : { "_bucket", "_sum", "_count" }) {
                    const QString s = QString::fromLatin1(suffix);
                    if (family.endsWith(s) && out.types.value(family.chopped(s.size())) == u"histogram")
                        family.chop(s.size());
                }
                if (!out.types.contains(family))
                    out.error = QStringLiteral("sample before its TYPE on line %1: %2").arg(i + 1).arg(line);
                seenSampleFamilies.insert(family);
                const QString v = m.captured(4);
                out.samples.insert(m.captured(1) + m.captured(2),
                    v.endsWith(u"Inf") ? (v.startsWith(u'-') ? -qInf() : qInf()) : v.toDouble());
            }
        }
        if (!out.error.isEmpty())
            return out;
    }
    return out;
}

double sum(const Exposition &e, const QString &prefix)
{
    double total = 0;
    for (auto it = e.samples.cbegin(); it != e.samples.cend(); ++it) {
        if (it.key().startsWith(prefix))
            total += it.value();
    }
    return total;
}

} // namespace

class TestAdminMetrics final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_fx = std::make_unique<AdminFixture>();
        const QString error = m_fx->start(QString::fromUtf8(kWorkspace));
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    void cleanup() { m_fx.reset(); }

    void contractFamiliesBeforeTraffic()
    {
        const HttpResult r = m_fx->adminCall("GET", QStringLiteral("/metrics"));
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("Content-Type").startsWith("text/plain; version=0.0.4"));
        const Exposition e = parseExposition(r.body);
        QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
        QCOMPARE(e.types.value(QStringLiteral("portico_requests_total")), QStringLiteral("counter"));
        QCOMPARE(
            e.types.value(QStringLiteral("portico_request_duration_seconds")), QStringLiteral("histogram"));
        QCOMPARE(
            e.types.value(QStringLiteral("portico_upstream_duration_seconds")), QStringLiteral("histogram"));
        QCOMPARE(e.types.value(QStringLiteral("portico_rate_limited_total")), QStringLiteral("counter"));
        QCOMPARE(e.types.value(QStringLiteral("portico_auth_failures_total")), QStringLiteral("counter"));
        QCOMPARE(e.types.value(QStringLiteral("portico_capture_dropped_total")), QStringLiteral("counter"));
        QCOMPARE(e.types.value(QStringLiteral("portico_capture_stored_total")), QStringLiteral("counter"));
        QCOMPARE(e.types.value(QStringLiteral("portico_config_reloads_total")), QStringLiteral("counter"));
        QCOMPARE(e.types.value(QStringLiteral("portico_upstream_target_healthy")), QStringLiteral("gauge"));
        QCOMPARE(sum(e, QStringLiteral("portico_requests_total")), 0.0);
        QCOMPARE(e.samples.value(
                     QStringLiteral("portico_upstream_target_healthy{upstream=\"echo\",target=\"http://%1\"}")
                         .arg(m_fx->upstream.hostPort()),
                     -1),
            1.0);
    }

    void countersMoveWithTraffic()
    {
        for (int i = 0; i < 3; ++i)
            QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/users"))).status, 200);
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/private"))).status, 401);
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/limited"))).status, 200);
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/limited"))).status, 429);
        QVERIFY(m_fx->waitForStored(6));

        const HttpResult r = m_fx->adminCall("GET", QStringLiteral("/metrics"));
        const Exposition e = parseExposition(r.body);
        QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
        QCOMPARE(e.samples.value(
                     QStringLiteral("portico_requests_total{route=\"users\",method=\"GET\",status=\"200\","
                                    "protocol=\"HTTP/1.1\"}")),
            3.0);
        QCOMPARE(
            e.samples.value(QStringLiteral("portico_request_duration_seconds_count{route=\"users\"}")), 3.0);
        QCOMPARE(e.samples.value(
                     QStringLiteral("portico_request_duration_seconds_bucket{route=\"users\",le=\"+Inf\"}")),
            3.0);
        QVERIFY(e.samples.value(QStringLiteral("portico_request_duration_seconds_sum{route=\"users\"}")) > 0);
        QCOMPARE(
            e.samples.value(QStringLiteral("portico_upstream_duration_seconds_count{route=\"users\"}")), 3.0);
        QCOMPARE(sum(e, QStringLiteral("portico_auth_failures_total")), 1.0);
        QCOMPARE(sum(e, QStringLiteral("portico_rate_limited_total")), 1.0);
        // Buckets are cumulative.
        double previous = 0;
        for (const char *le : { "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                 "0.5", "1", "2.5", "5", "10", "+Inf" }) {
            const QString key
                = QStringLiteral("portico_request_duration_seconds_bucket{route=\"users\",le=\"%1\"}")
                      .arg(QString::fromLatin1(le));
            QVERIFY2(e.samples.contains(key), qPrintable(key));
            QVERIFY(e.samples.value(key) >= previous);
            previous = e.samples.value(key);
        }
        // The capture committed them (the stored counter reads the store).
        const Exposition after = parseExposition(m_fx->adminCall("GET", QStringLiteral("/metrics")).body);
        QCOMPARE(after.samples.value(QStringLiteral("portico_capture_stored_total")), 6.0);
        QCOMPARE(after.samples.value(QStringLiteral("portico_capture_dropped_total")), 0.0);
    }

    void reloadsAreCounted()
    {
        const Exposition before = parseExposition(m_fx->adminCall("GET", QStringLiteral("/metrics")).body);
        QCOMPARE(before.samples.value(QStringLiteral("portico_config_reloads_total")), 0.0);
        QVERIFY(m_fx->gateway->apply(m_fx->gateway->workspace()).isEmpty());
        const Exposition after = parseExposition(m_fx->adminCall("GET", QStringLiteral("/metrics")).body);
        QCOMPARE(after.samples.value(QStringLiteral("portico_config_reloads_total")), 1.0);
    }

    void parserRejectsBadText()
    {
        // The checker itself must fail on malformed exposition, or the tests above prove nothing.
        QVERIFY(parseExposition("# TYPE a counter\na{x=\"1\"} 1\n").error.isEmpty());
        QVERIFY(!parseExposition("a 1\n").error.isEmpty());
        QVERIFY(!parseExposition("# TYPE a counter\na{x=1} 1\n").error.isEmpty());
        QVERIFY(!parseExposition("# TYPE a counter\na one\n").error.isEmpty());
        QVERIFY(!parseExposition("# TYPE a counter\na 1").error.isEmpty());
        QVERIFY(!parseExposition("# TYPE a counter\na 1\n# TYPE a counter\n").error.isEmpty());
    }

private:
    std::unique_ptr<AdminFixture> m_fx;
};

QTEST_GUILESS_MAIN(TestAdminMetrics)
#include "tst_admin_metrics.moc"
