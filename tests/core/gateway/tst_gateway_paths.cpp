// Paths through the real proxy: a keyed route cannot be reached through a public one by dot
// segments, encodings or doubled slashes; the upstream receives the normalised path; paths that
// climb above the root are a 400; the gateway.paths options change what %2F and "//" mean.
#include "FilterItKit.h"

#include <QTest>

using namespace portico;
using namespace portico::test;

namespace {

const char *kRoutes = R"(upstreams:
  echo: {targets: [{url: {{UP}}}]}
consumers:
  - name: alice
    api_keys: [alice-key]
auth:
  keys: {type: api_key, header: X-Key}
routes:
  - name: private
    match: {path: /private}
    upstream: echo
    auth: [keys]
  - name: public
    match: {path: /public}
    upstream: echo
  - name: files
    match: {path: /files}
    upstream: echo
)";

} // namespace

class TestGatewayPaths : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LoopbackUpstream> m_up;
    std::unique_ptr<GatewayHarness> m_gw;

    void startWith(const QString &pathsOption)
    {
        m_up = std::make_unique<LoopbackUpstream>();
        QVERIFY(m_up->isRunning());
        m_gw = std::make_unique<GatewayHarness>();
        const QString problems
            = m_gw->start(gatewayHeaderWithCapture(pathsOption) + QString::fromLatin1(kRoutes),
                { { QStringLiteral("UP"), m_up->url().toString() } });
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }

private Q_SLOTS:
    void init() { startWith({}); }
    void cleanup()
    {
        m_gw.reset();
        m_up.reset();
    }

    // Every way of naming /private/s from /public: the private route answers, so without a key 401.
    void walkingAroundAuthIsRefused_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::newRow("dotdot") << QByteArray("/public/../private/s");
        QTest::newRow("encoded dotdot") << QByteArray("/public/%2e%2e/private/s");
        QTest::newRow("upper encoded dotdot") << QByteArray("/public/%2E%2E/private/s");
        QTest::newRow("mixed dotdot") << QByteArray("/public/.%2e/private/s");
        QTest::newRow("dot then dotdot") << QByteArray("/public/./../private/s");
        QTest::newRow("encoded letters") << QByteArray("/%70rivate/s");
        QTest::newRow("double slash") << QByteArray("//private/s");
        QTest::newRow("dotdot after slashes") << QByteArray("/public//../private/s");
        QTest::newRow("absolute form") << QByteArray("http://gateway.test/public/../private/s");
    }
    void walkingAroundAuthIsRefused()
    {
        QFETCH(QByteArray, target);
        const RawResponse r = m_gw->get(target);
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 401);
        QCOMPARE(m_up->requestCount(), 0);
    }

    void upstreamReceivesTheNormalisedPath()
    {
        const RawResponse r = m_gw->get("/public/a/./b/../c/%7Euser?x=%2e%2e", { { "X-Key", "alice-key" } });
        QCOMPARE(r.status, 200);
        const RecordedRequest seen = m_up->lastRequest();
        QCOMPARE(seen.path, QStringLiteral("/public/a/c/~user"));
        QCOMPARE(seen.query, QStringLiteral("x=%2e%2e")); // the query is not a path

        QCOMPARE(m_gw->get("/public/../private/s", { { "X-Key", "alice-key" } }).status, 200);
        QCOMPARE(m_up->lastRequest().path, QStringLiteral("/private/s"));
    }

    void climbingAboveTheRootIsA400_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::newRow("dotdot") << QByteArray("/public/../../etc/passwd");
        QTest::newRow("encoded") << QByteArray("/%2e%2e/etc/passwd");
        QTest::newRow("bad escape") << QByteArray("/public/%zz");
        QTest::newRow("nul") << QByteArray("/public/%00");
        QTest::newRow("tomcat") << QByteArray("/public/..;/private/s");
    }
    void climbingAboveTheRootIsA400()
    {
        QFETCH(QByteArray, target);
        const RawResponse r = m_gw->get(target);
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QVERIFY(jsonOf(r).value(QStringLiteral("type")).toString().endsWith(QStringLiteral("bad-path")));
        QCOMPARE(m_up->requestCount(), 0);
    }

    void escapedSlashIsDataByDefault()
    {
        // "/public/..%2Fprivate" is one segment named "..%2Fprivate" under /public, never /private.
        const RawResponse r = m_gw->get("/public/..%2fprivate/s");
        QCOMPARE(r.status, 200);
        QCOMPARE(m_up->lastRequest().path, QStringLiteral("/public/..%2Fprivate/s"));
    }

    void escapedSlashRejectedWhenAsked()
    {
        cleanup();
        startWith(QStringLiteral("  paths: {escaped_slashes: reject}\n"));
        QCOMPARE(m_gw->get("/files/a%2Fb").status, 400);
        QCOMPARE(m_gw->get("/files/a/b").status, 200);
    }

    void escapedSlashDecodedWhenAsked()
    {
        cleanup();
        startWith(QStringLiteral("  paths: {escaped_slashes: decode}\n"));
        QCOMPARE(m_gw->get("/public/..%2Fprivate/s").status, 401);
        QCOMPARE(m_gw->get("/files/a%2fb").status, 200);
        QCOMPARE(m_up->lastRequest().path, QStringLiteral("/files/a/b"));
    }

    void slashesKeptWhenMergingIsOff()
    {
        cleanup();
        startWith(QStringLiteral("  paths: {merge_slashes: false}\n"));
        QCOMPARE(m_gw->get("/files//a").status, 200);
        QCOMPARE(m_up->lastRequest().path, QStringLiteral("/files//a"));
        QCOMPARE(m_gw->get("//private/s").status, 404); // no route; never the public one
    }
};

QTEST_GUILESS_MAIN(TestGatewayPaths)
#include "tst_gateway_paths.moc"
