// Routing through a running gateway: which route (and so which upstream) answers each request.
// The upstreams are LoopbackUpstreams with distinct names; X-Upstream-Name says who answered.
#include "GatewayHarness.h"

#include <QJsonArray>
#include <QTest>

using namespace portico;
using namespace portico::test;

namespace {

QByteArray who(const RawResponse &r)
{
    return r.header("x-upstream-name");
}

} // namespace

class TestGatewayRouting : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LoopbackUpstream> m_a, m_b, m_c, m_d;
    std::unique_ptr<GatewayHarness> m_gw;

    QHash<QString, QString> vars() const
    {
        return { { QStringLiteral("A"), m_a->url().toString() },
            { QStringLiteral("B"), m_b->url().toString() }, { QStringLiteral("C"), m_c->url().toString() },
            { QStringLiteral("D"), m_d->url().toString() } };
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_a.reset(new LoopbackUpstream({ false, QStringLiteral("a") }));
        m_b.reset(new LoopbackUpstream({ false, QStringLiteral("b") }));
        m_c.reset(new LoopbackUpstream({ false, QStringLiteral("c") }));
        m_d.reset(new LoopbackUpstream({ false, QStringLiteral("d") }));
        QVERIFY(m_a->isRunning() && m_b->isRunning() && m_c->isRunning() && m_d->isRunning());
        m_gw.reset(new GatewayHarness);
        // File order is deliberately the reverse of the priority order: the regex comes first, the
        // exact route last, so a "first match in file order" router would fail every check below.
        const QString yaml = gatewayHeader() + QStringLiteral(R"(
upstreams:
  a: {targets: [{url: {{A}}}]}
  b: {targets: [{url: {{B}}}]}
  c: {targets: [{url: {{C}}}]}
  d: {targets: [{url: {{D}}}]}
routes:
  - name: any-api-regex
    match: {path_regex: '^/api/.*$'}
    upstream: a
  - name: api-prefix
    match: {path: /api}
    upstream: b
  - name: users-prefix
    match: {path: /api/users}
    upstream: c
  - name: me-exact
    match: {path_exact: /api/users/me}
    upstream: d
  - name: apix-regex
    match: {path_regex: '^/apix'}
    upstream: d
  - name: same-first
    match: {path: /same}
    upstream: a
  - name: same-second
    match: {path: /same}
    upstream: b
  - name: post-only
    match: {path: /write, methods: [POST, PUT]}
    upstream: a
  - name: write-fallback
    match: {path: /write}
    upstream: b
  - name: hosts
    match: {path: /h, hosts: [api.local, "*.svc.local"]}
    upstream: c
  - name: header-dev
    match: {path: /env, headers: {X-Env: dev}}
    upstream: a
  - name: header-prod
    match: {path: /env, headers: {X-Env: prod}}
    upstream: b
  - name: strip
    match: {path: /svc}
    upstream: a
    strip_prefix: true
  - name: strip-slash
    match: {path: /slash/}
    upstream: b
    strip_prefix: true
  - name: keep
    match: {path: /keep}
    upstream: c
  - name: mock
    match: {path_exact: /mocked}
    mock: {status: 202, headers: {Content-Type: application/json}, body: '{"mock":true}'}
)");
        const QString problems = m_gw->start(yaml, vars());
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }

    void cleanupTestCase() { m_gw.reset(); }

    void priority_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("upstream");
        QTest::newRow("exact beats longer prefix") << QByteArray("/api/users/me") << QByteArray("d");
        QTest::newRow("longest prefix beats shorter") << QByteArray("/api/users/7") << QByteArray("c");
        QTest::newRow("prefix itself") << QByteArray("/api/users") << QByteArray("c");
        QTest::newRow("prefix beats earlier regex") << QByteArray("/api/orders") << QByteArray("b");
        QTest::newRow("exact is exact") << QByteArray("/api/users/me/more") << QByteArray("c");
        QTest::newRow("query is not part of the path") << QByteArray("/api/users/me?x=1") << QByteArray("d");
        QTest::newRow("prefix matches whole segments") << QByteArray("/api/usersx") << QByteArray("b");
        QTest::newRow("regex when no prefix matches") << QByteArray("/apix/1") << QByteArray("d");
        QTest::newRow("same prefix: file order") << QByteArray("/same/x") << QByteArray("a");
    }

    void priority()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, upstream);
        const RawResponse r = m_gw->get(path);
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(who(r), upstream);
    }

    void methods()
    {
        QCOMPARE(who(m_gw->request("POST", "/write", "x")), QByteArray("a"));
        QCOMPARE(who(m_gw->request("PUT", "/write/1", "x")), QByteArray("a"));
        // A method the route does not list falls through to the next matching route.
        QCOMPARE(who(m_gw->request("GET", "/write")), QByteArray("b"));
        QCOMPARE(who(m_gw->request("DELETE", "/write")), QByteArray("b"));
    }

    void hosts_data()
    {
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<int>("status");
        QTest::newRow("exact") << QByteArray("api.local") << 200;
        QTest::newRow("exact with port") << QByteArray("api.local:8080") << 200;
        QTest::newRow("case-insensitive") << QByteArray("API.Local") << 200;
        QTest::newRow("wildcard one label") << QByteArray("v1.svc.local") << 200;
        QTest::newRow("wildcard two labels") << QByteArray("a.b.svc.local:99") << 200;
        QTest::newRow("wildcard needs a label") << QByteArray("svc.local") << 404;
        QTest::newRow("suffix is not a label") << QByteArray("xsvc.local") << 404;
        QTest::newRow("other host") << QByteArray("other.local") << 404;
        QTest::newRow("exact is not a suffix") << QByteArray("x.api.local") << 404;
    }

    void hosts()
    {
        QFETCH(QByteArray, host);
        QFETCH(int, status);
        const RawResponse r = m_gw->get("/h/1", { { "Host", host } });
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, status);
        if (status == 200)
            QCOMPARE(who(r), QByteArray("c"));
    }

    void headers()
    {
        QCOMPARE(who(m_gw->get("/env", { { "X-Env", "dev" } })), QByteArray("a"));
        QCOMPARE(who(m_gw->get("/env", { { "x-env", "prod" } })), QByteArray("b"));
        QCOMPARE(m_gw->get("/env", { { "X-Env", "staging" } }).status, 404);
        QCOMPARE(m_gw->get("/env").status, 404);
    }

    void stripPrefix_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QString>("upstreamPath");
        QTest::addColumn<QString>("upstreamQuery");
        QTest::newRow("rest of the path") << QByteArray("/svc/users/7?x=1&y=2") << "/users/7"
                                          << "x=1&y=2";
        QTest::newRow("prefix only") << QByteArray("/svc") << "/"
                                     << "";
        QTest::newRow("prefix and slash") << QByteArray("/svc/") << "/"
                                          << "";
        QTest::newRow("route path ending in slash") << QByteArray("/slash/a/b") << "/a/b"
                                                    << "";
        QTest::newRow("without strip_prefix") << QByteArray("/keep/a?q") << "/keep/a"
                                              << "q";
    }

    void stripPrefix()
    {
        QFETCH(QByteArray, target);
        QFETCH(QString, upstreamPath);
        QFETCH(QString, upstreamQuery);
        const RawResponse r = m_gw->get(target);
        QCOMPARE(r.status, 200);
        const QJsonObject echo = jsonOf(r);
        QCOMPARE(echo.value(QStringLiteral("path")).toString(), upstreamPath);
        QCOMPARE(echo.value(QStringLiteral("query")).toString(), upstreamQuery);
    }

    void noRouteIsProblemJson()
    {
        const RawResponse r = m_gw->get("/nowhere/at/all");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 404);
        QCOMPARE(r.header("content-type"), QByteArray("application/problem+json"));
        QVERIFY(!r.header("x-request-id").isEmpty());
        const QJsonObject p = jsonOf(r);
        QCOMPARE(p.value(QStringLiteral("status")).toInt(), 404);
        QVERIFY(p.value(QStringLiteral("type")).toString().startsWith(QStringLiteral("https://")));
        QVERIFY(!p.value(QStringLiteral("title")).toString().isEmpty());
        QVERIFY(p.value(QStringLiteral("detail")).toString().contains(QStringLiteral("/nowhere/at/all")));
        QCOMPARE(p.value(QStringLiteral("request_id")).toString().toLatin1(), r.header("x-request-id"));
        QVERIFY(!p.value(QStringLiteral("trace_id")).toString().isEmpty());
    }

    void noRouteKeepsTheConnection()
    {
        // A 404 is an ordinary answer: the connection stays usable for the next request.
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
        QCOMPARE(client.roundTrip(httpRequest("GET", "/nowhere", {}, {}, true)).status, 404);
        const RawResponse second = client.roundTrip(httpRequest("GET", "/api/users/me", {}, {}, true));
        QCOMPARE(second.status, 200);
        QCOMPARE(who(second), QByteArray("d"));
    }

    void noRouteAnswersAnExpectationWithoutContinue()
    {
        // The body is not wanted: the client must not be invited to send it.
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
        QVERIFY(client.send(
            "PUT /nowhere HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n"));
        const RawResponse r = client.readResponse(3000);
        QVERIFY2(r.raw.startsWith("HTTP/1.1 404"), r.raw.constData());
        // The unread body would desynchronise the connection, so it ends here.
        QCOMPARE(r.header("connection").toLower(), QByteArray("close"));
        QVERIFY(client.isClosed(3000));
    }

    void headOnNoRouteHasNoBody()
    {
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
        QVERIFY(client.send(httpRequest("HEAD", "/nowhere", {}, {}, true)));
        const RawResponse r = client.readResponse(3000, true);
        QCOMPARE(r.status, 404);
        QVERIFY(r.body.isEmpty());
        QCOMPARE(client.roundTrip(httpRequest("GET", "/api/users/me", {}, {}, true)).status, 200);
    }

    void mockRouteAnsweredByTheGateway()
    {
        const int before
            = m_a->requestCount() + m_b->requestCount() + m_c->requestCount() + m_d->requestCount();
        const RawResponse r = m_gw->get("/mocked");
        QCOMPARE(r.status, 202);
        QCOMPARE(r.body, QByteArray(R"({"mock":true})"));
        QCOMPARE(r.header("content-type"), QByteArray("application/json"));
        QVERIFY(!r.header("x-request-id").isEmpty());
        QCOMPARE(
            m_a->requestCount() + m_b->requestCount() + m_c->requestCount() + m_d->requestCount(), before);
    }
};

QTEST_GUILESS_MAIN(TestGatewayRouting)
#include "tst_gateway_routing.moc"
