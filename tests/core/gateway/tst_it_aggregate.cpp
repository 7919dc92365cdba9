// Aggregate routes through the real proxy: parallel fan-out merged under the parts' keys, a slow
// part cut by the route timeout and a failing part reported in the object (200), every part
// failing (502), auth and limits applied once at the edge, and the sub-requests captured as
// children of the client's exchange with the same trace id.
#include "FilterItKit.h"

using namespace portico;
using namespace portico::test;

namespace {

const char *kWorkspace = R"(upstreams:
  users: {targets: [{url: {{USERS}}}]}
  orders: {targets: [{url: {{ORDERS}}}]}
  dead: {targets: [{url: http://127.0.0.1:{{DEAD}}}], timeouts: {connect: 1s}}
consumers:
  - {name: alice, groups: [staff], api_keys: [alice-key]}
auth:
  keys: {type: api_key, header: X-API-Key}
routes:
  - name: dashboard
    match: {path_exact: /api/dashboard, methods: [GET]}
    timeout: 400ms
    auth: [keys]
    hide_credentials: true
    response: {json: {remove: [user.headers]}, headers: {set: {X-Frame-Options: DENY}}}
    rate_limit: {requests: 100, per: 1m, by: consumer}
    aggregate:
      - {key: user, upstream: users, path: /users/me}
      - {key: orders, upstream: orders, path: "/orders/recent?delay=3s"}
      - {key: broken, upstream: orders, path: "/orders/broken?close=1"}
  - name: nothing
    match: {path_exact: /api/nothing}
    timeout: 2s
    aggregate:
      - {key: a, upstream: users, path: "/a?close=1"}
      - {key: b, upstream: orders, path: "/b?status=503"}
      - {key: c, upstream: dead, path: /c}
)";

const QByteArray kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

} // namespace

class TestItAggregate : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LoopbackUpstream> m_users;
    std::unique_ptr<LoopbackUpstream> m_orders;
    std::unique_ptr<GatewayHarness> m_gw;

    static QJsonObject errorOf(const QJsonObject &merged, const QString &key)
    {
        return merged.value(key).toObject().value(QStringLiteral("error")).toObject();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_users = std::make_unique<LoopbackUpstream>(
            LoopbackUpstream::Options { false, QStringLiteral("users") });
        m_orders = std::make_unique<LoopbackUpstream>(
            LoopbackUpstream::Options { false, QStringLiteral("orders") });
        QVERIFY(m_users->isRunning() && m_orders->isRunning());
        m_gw = std::make_unique<GatewayHarness>();
        const QString problems = m_gw->start(gatewayHeaderWithCapture() + QString::fromLatin1(kWorkspace),
            { { QStringLiteral("USERS"), m_users->url().toString() },
                { QStringLiteral("ORDERS"), m_orders->url().toString() },
                { QStringLiteral("DEAD"), QString::number(closedLoopbackPort()) } });
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }
    void cleanupTestCase()
    {
        m_gw.reset();
        m_users.reset();
        m_orders.reset();
    }

    void authComesFirst()
    {
        const RawResponse r = m_gw->get("/api/dashboard");
        QCOMPARE(r.status, 401);
        QCOMPARE(m_users->requestCount(), 0);
        QCOMPARE(m_orders->requestCount(), 0);
    }

    void slowAndFailingPartsAreReported()
    {
        QElapsedTimer timer;
        timer.start();
        const RawResponse r = m_gw->get("/api/dashboard",
            { { "X-API-Key", "alice-key" }, { "traceparent", "00-" + kTraceId + "-00f067aa0ba902b7-01" } });
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QVERIFY2(timer.elapsed() < 2500, "the slow part was not cut at the route timeout");
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        // Auth and limits ran once, at the edge: one unit of the consumer's quota.
        QCOMPARE(r.header("RateLimit-Remaining"), QByteArray("99"));

        const QJsonObject merged = jsonOf(r);
        QCOMPARE(merged.keys(), QStringList({ "broken", "orders", "user" }));
        const QJsonObject user = merged.value(QStringLiteral("user")).toObject();
        QCOMPARE(user.value(QStringLiteral("server")).toString(), QStringLiteral("users"));
        QCOMPARE(user.value(QStringLiteral("path")).toString(), QStringLiteral("/users/me"));
        QCOMPARE(user.value(QStringLiteral("method")).toString(), QStringLiteral("GET"));
        // The route's response transforms shape the merged object.
        QVERIFY(!user.contains(QStringLiteral("headers")));
        QCOMPARE(r.header("X-Frame-Options"), QByteArray("DENY"));
        QCOMPARE(errorOf(merged, QStringLiteral("orders")).value(QStringLiteral("status")).toInt(), 504);
        QCOMPARE(errorOf(merged, QStringLiteral("broken")).value(QStringLiteral("status")).toInt(), 502);
        QVERIFY(
            !errorOf(merged, QStringLiteral("broken")).value(QStringLiteral("detail")).toString().isEmpty());

        // The parts carried the consumer and the client's trace.
        const RecordedRequest up = m_users->lastRequest();
        QCOMPARE(up.header("X-Consumer-Name"), QByteArray("alice"));
        QCOMPARE(up.header("X-Consumer-Groups"), QByteArray("staff"));
        QVERIFY(!up.hasHeader("X-API-Key")); // hide_credentials holds for the parts too
        QVERIFY2(up.header("traceparent").startsWith("00-" + kTraceId + "-"),
            up.header("traceparent").constData());
        QCOMPARE(m_orders->requestCount(QStringLiteral("/orders/recent")), 1);
        QCOMPARE(m_orders->requestCount(QStringLiteral("/orders/broken")), 1);
    }

    void subRequestsAreCapturedAsChildren()
    {
        qint64 parentId = 0;
        QList<capture::Exchange> all;
        const auto parentCaptured = [&] {
            all = capturedExchanges(*m_gw);
            for (const capture::Exchange &e : all) {
                if (e.route == QStringLiteral("dashboard") && e.parentId == 0 && e.status == 200)
                    parentId = e.id;
            }
            int children = 0;
            for (const capture::Exchange &e : all)
                children += parentId && e.parentId == parentId ? 1 : 0;
            return parentId != 0 && children == 3;
        };
        QTRY_VERIFY_WITH_TIMEOUT(parentCaptured(), 5000);

        capture::CaptureReader reader;
        QVERIFY(reader.open(m_gw->dir().path(QStringLiteral("traffic.db"))));
        const auto parent = reader.get(parentId);
        QVERIFY(parent);
        QCOMPARE(parent->traceId, QString::fromLatin1(kTraceId));
        QCOMPARE(parent->consumer, QStringLiteral("alice"));
        QCOMPARE(parent->path, QStringLiteral("/api/dashboard"));
        // Each part is a span of the client's exchange.
        for (const capture::Exchange &e : std::as_const(all)) {
            if (e.parentId == parentId) {
                QCOMPARE(e.parentSpanId, parent->spanId);
                QVERIFY(!e.spanId.isEmpty() && e.spanId != parent->spanId);
            }
        }
        const QList<capture::ExchangeSummary> children = reader.children(parentId);
        QCOMPARE(children.size(), 3);
        QStringList paths;
        for (const capture::ExchangeSummary &c : children) {
            QCOMPARE(c.parentId, parentId);
            QCOMPARE(c.traceId, QString::fromLatin1(kTraceId));
            QCOMPARE(c.route, QStringLiteral("dashboard"));
            QCOMPARE(c.consumer, QStringLiteral("alice"));
            paths << c.path;
            if (c.path == QStringLiteral("/users/me")) {
                QCOMPARE(c.status, 200);
                QCOMPARE(c.upstream, QStringLiteral("users"));
            } else {
                QVERIFY2(!c.error.isEmpty(), qPrintable(c.path));
            }
        }
        paths.sort();
        QCOMPARE(paths, QStringList({ "/orders/broken", "/orders/recent", "/users/me" }));
        QVERIFY(parent->notes.contains(QStringLiteral("aggregate part 'orders' failed")));
    }

    void everyPartFailingIs502()
    {
        const RawResponse r = m_gw->get("/api/nothing");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 502);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        const QJsonObject merged = jsonOf(r);
        QCOMPARE(errorOf(merged, QStringLiteral("a")).value(QStringLiteral("status")).toInt(), 502);
        QCOMPARE(errorOf(merged, QStringLiteral("b")).value(QStringLiteral("status")).toInt(), 503);
        QCOMPARE(errorOf(merged, QStringLiteral("c")).value(QStringLiteral("status")).toInt(), 502);
        // The upstream's own error body rides along under "body".
        QVERIFY(errorOf(merged, QStringLiteral("b")).contains(QStringLiteral("body")));
    }
};

QTEST_GUILESS_MAIN(TestItAggregate)
#include "tst_it_aggregate.moc"
