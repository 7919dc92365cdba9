// Mock routes through the real proxy: status, headers, inline body, body_file, delay, bodyless
// statuses, and the route's other filters (response transforms, rate limit) around the mock.
#include "FilterItKit.h"

using namespace portico;
using namespace portico::test;

namespace {

const char *kWorkspace = R"(routes:
  - name: health
    match: {path_exact: /health}
    mock: {status: 200, headers: {Content-Type: application/json}, body: '{"status":"ok"}'}
  - name: created
    match: {path_exact: /created, methods: [POST]}
    mock: {status: 201, headers: {Location: /things/1, X-Mock: "yes-ish"}, body: made it}
  - name: file
    match: {path: /file}
    mock: {status: 200, body_file: mocks/users.json}
  - name: slow
    match: {path_exact: /slow}
    mock: {status: 202, body: '{"queued":true}', delay: 300ms}
  - name: slower
    match: {path_exact: /slower}
    mock: {status: 202, body: later, delay: 2s}
  - name: empty
    match: {path_exact: /empty}
    mock: {status: 204}
  - name: teapot
    match: {path_exact: /teapot}
    mock: {status: 418, headers: {Content-Type: text/plain}, body: short and stout}
  - name: shaped
    match: {path_exact: /shaped}
    response: {headers: {set: {X-Frame-Options: DENY}, remove: [X-Internal]}, json: {remove: [password]}}
    mock: {status: 200, headers: {X-Internal: "1"}, body: '{"user":"a","password":"x"}'}
  - name: limited
    match: {path_exact: /limited}
    rate_limit: {requests: 1, per: 1m, by: route}
    mock: {status: 200, body: ok}
)";

const QByteArray kUsersJson = R"([{"id":1,"name":"Ada"},{"id":2,"name":"Grace"}])";

} // namespace

class TestItMock : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<GatewayHarness> m_gw;

private Q_SLOTS:
    void initTestCase()
    {
        m_gw = std::make_unique<GatewayHarness>();
        m_gw->dir().writeFile(QStringLiteral("mocks/users.json"), kUsersJson);
        const QString problems = m_gw->start(gatewayHeader() + QString::fromLatin1(kWorkspace));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }
    void cleanupTestCase() { m_gw.reset(); }

    void inlineBodyWithHeaders()
    {
        const RawResponse r = m_gw->get("/health");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(r.body, QByteArray(R"({"status":"ok"})"));
        QCOMPARE(r.header("Content-Length"), QByteArray::number(r.body.size()));
        QVERIFY(r.hasHeader("X-Request-Id"));
    }

    void statusAndHeadersAsConfigured()
    {
        const RawResponse r = m_gw->request(
            "POST", "/created", "{\"name\":\"x\"}", { { "Content-Type", "application/json" } });
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 201);
        QCOMPARE(r.header("Location"), QByteArray("/things/1"));
        QCOMPARE(r.header("X-Mock"), QByteArray("yes-ish"));
        QCOMPARE(r.body, QByteArray("made it"));
        QCOMPARE(r.header("Content-Type"), QByteArray("text/plain; charset=utf-8")); // not JSON: plain text
        // The method list still applies.
        QCOMPARE(m_gw->get("/created").status, 404);

        const RawResponse teapot = m_gw->get("/teapot");
        QCOMPARE(teapot.status, 418);
        QCOMPARE(teapot.body, QByteArray("short and stout"));
        QCOMPARE(teapot.header("Content-Type"), QByteArray("text/plain"));
    }

    void bodyFile()
    {
        const RawResponse r = m_gw->get("/file/anything?x=1");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, kUsersJson);
        QVERIFY2(
            r.header("Content-Type").startsWith("application/json"), r.header("Content-Type").constData());
    }

    void delay()
    {
        QElapsedTimer timer;
        timer.start();
        const RawResponse r = m_gw->get("/slow");
        const qint64 elapsed = timer.elapsed();
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 202);
        QCOMPARE(r.body, QByteArray(R"({"queued":true})"));
        QVERIFY2(elapsed >= 290, qPrintable(QString::number(elapsed)));
        QVERIFY2(elapsed < 3000, qPrintable(QString::number(elapsed)));
        // The delay is a timer, not a sleep: the worker serves others meanwhile.
        RawClient slow;
        QVERIFY(slow.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
        QVERIFY(slow.send(httpRequest("GET", "/slower", { { "Host", "gateway.test" } })));
        timer.restart();
        for (int i = 0; i < 6; ++i)
            QCOMPARE(m_gw->get("/health").status, 200);
        QVERIFY2(timer.elapsed() < 1500, qPrintable(QString::number(timer.elapsed())));
        const RawResponse later = slow.readResponse(5000);
        QCOMPARE(later.status, 202);
        QCOMPARE(later.body, QByteArray("later"));
    }

    void bodylessStatus()
    {
        const RawResponse r = m_gw->get("/empty");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 204);
        QVERIFY(r.body.isEmpty());
        QVERIFY(!r.hasHeader("Content-Type"));
        const RawResponse head = m_gw->request("HEAD", "/health");
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());
    }

    void responseTransformsShapeTheMock()
    {
        const RawResponse r = m_gw->get("/shaped");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("X-Frame-Options"), QByteArray("DENY"));
        QVERIFY(!r.hasHeader("X-Internal"));
        // json.remove applies to a mock's body as to an upstream's.
        QCOMPARE(QJsonDocument::fromJson(r.body).object(), QJsonObject({ { "user", "a" } }));
        QCOMPARE(r.header("Content-Length"), QByteArray::number(r.body.size()));
    }

    void rateLimitBeforeTheMock()
    {
        const RawResponse first = m_gw->get("/limited");
        QCOMPARE(first.status, 200);
        QCOMPARE(first.body, QByteArray("ok"));
        QCOMPARE(first.header("RateLimit-Limit"), QByteArray("1"));
        QCOMPARE(first.header("RateLimit-Remaining"), QByteArray("0"));
        const RawResponse second = m_gw->get("/limited");
        QCOMPARE(second.status, 429);
        QCOMPARE(second.header("Retry-After"), QByteArray("60"));
    }
};

QTEST_GUILESS_MAIN(TestItMock)
#include "tst_it_mock.moc"
