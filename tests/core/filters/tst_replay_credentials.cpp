// What a replay may put back from the workspace of a credential the capture redacted, and what
// it must not: keys go only to this workspace's gateway, only into the field a scheme of the
// exchange's route reads, only for a consumer the workspace has; tokens are asked for.
#include "core/config/WorkspaceLoader.h"
#include "core/filters/auth/ReplayCredentials.h"

#include <QTest>

using namespace portico;
using namespace portico::filters::auth;

namespace {

const QByteArray kWorkspace = R"(version: 1
gateway: {listen: 127.0.0.1:8080}
upstreams:
  echo: {targets: [{url: http://127.0.0.1:9001}]}
consumers:
  - {name: alice, api_keys: [alice-key, second-key]}
  - {name: keyless}
auth:
  keys: {type: api_key, header: X-API-Key, query: apikey}
  idp: {type: jwt, secret: a-secret-of-at-least-thirty-two-bytes, algorithms: [HS256]}
routes:
  - {name: users, match: {path: /users}, upstream: echo, auth: [keys]}
  - {name: orders, match: {path: /orders}, upstream: echo, auth: [idp, keys]}
  - {name: open, match: {path: /open}, upstream: echo}
)";

capture::Exchange captured(const QString &route, const QString &consumer)
{
    capture::Exchange e;
    e.id = 7;
    e.method = QStringLiteral("GET");
    e.scheme = QStringLiteral("http");
    e.listener = QStringLiteral("127.0.0.1:8080");
    e.path = QStringLiteral("/") + route;
    e.query = QStringLiteral("page=2&apikey=[redacted]");
    e.route = route;
    e.consumer = consumer;
    e.requestHeaders = { { "Host", "localhost:8080" }, { "X-API-Key", "[redacted]" },
        { "Authorization", "[redacted]" }, { "Cookie", "[redacted]" } };
    return e;
}

} // namespace

class TestReplayCredentials final : public QObject
{
    Q_OBJECT

private:
    config::WorkspacePtr m_ws;
    QList<QUrl> m_listeners;

private Q_SLOTS:
    void initTestCase()
    {
        const auto loaded = config::loadWorkspaceText(kWorkspace, QStringLiteral("/tmp/replay.yaml"));
        QVERIFY2(loaded.ok(), qPrintable(loaded.errors.value(0).toString()));
        m_ws = loaded.workspace;
        m_listeners = configuredListeners(*m_ws);
        QCOMPARE(m_listeners, QList<QUrl> { QUrl(QStringLiteral("http://127.0.0.1:8080")) });
    }

    void theConsumersKeyGoesWhereTheSchemeReadsIt()
    {
        const ReplayCredentials c = restoreCredentials(
            captured(QStringLiteral("users"), QStringLiteral("alice")), *m_ws, {}, m_listeners);
        QCOMPARE(c.headers, capture::HeaderList { capture::Header("X-API-Key", "alice-key") });
        QCOMPARE(c.query,
            (QList<std::pair<QString, QString>> {
                { QStringLiteral("apikey"), QStringLiteral("alice-key") } }));
        QCOMPARE(c.notes.size(), 2);
        for (const QString &n : c.notes) {
            QVERIFY2(n.contains(QStringLiteral("consumer alice's API key (scheme keys)")), qPrintable(n));
            QVERIFY(!n.contains(QStringLiteral("alice-key")));
        }
        QVERIFY(c.asks.isEmpty()); // the route reads no token
        QVERIFY(c.problems.isEmpty());
        // Authorization and Cookie: no scheme of the route reads them, nothing is put there.
        capture::ReplayOptions o;
        c.applyTo(o);
        const auto left
            = capture::Replayer::withheld(captured(QStringLiteral("users"), QStringLiteral("alice")), o);
        QCOMPARE(left.size(), 2);
        QCOMPARE(left.at(0).name, QStringLiteral("Authorization"));
        QCOMPARE(left.at(1).name, QStringLiteral("Cookie"));
        const capture::Exchange prepared
            = capture::Replayer::prepare(captured(QStringLiteral("users"), QStringLiteral("alice")), o);
        QCOMPARE(prepared.query, QStringLiteral("page=2&apikey=alice-key"));
        QVERIFY(prepared.notes.contains(QStringLiteral("header X-API-Key restored from the workspace")));
    }

    void aTokenIsAskedForNotInvented()
    {
        const ReplayCredentials c = restoreCredentials(
            captured(QStringLiteral("orders"), QStringLiteral("alice")), *m_ws, {}, m_listeners);
        QCOMPARE(c.asks.size(), 1);
        QCOMPARE(c.asks.first().scheme, QStringLiteral("idp"));
        QCOMPARE(c.asks.first().header, QByteArray("Authorization"));
        QCOMPARE(c.headers.size(), 1); // and the key, which the route also accepts
        capture::ReplayOptions o;
        QVERIFY(supplyToken(o, c.asks.first(), "Bearer abc.def.ghi"));
        QCOMPARE(o.headers.last(), capture::Header("Authorization", "Bearer abc.def.ghi"));
        for (const QByteArray &hostile : { QByteArray("abc\r\nX-Admin: 1"), QByteArray("a b"), QByteArray(""),
                 QByteArray("tok\x7f"), QByteArray("Bearer ") }) {
            capture::ReplayOptions h;
            QVERIFY2(!supplyToken(h, c.asks.first(), hostile), hostile.constData());
            QVERIFY(h.headers.isEmpty());
        }
    }

    void hostileRowsGetNothing_data()
    {
        QTest::addColumn<QString>("route");
        QTest::addColumn<QString>("consumer");
        QTest::addColumn<QString>("listener");
        QTest::addColumn<QString>("problem");
        QTest::newRow("unknown consumer") << "users"
                                          << "mallory"
                                          << "127.0.0.1:8080"
                                          << "consumer 'mallory' is not in the workspace";
        QTest::newRow("no consumer") << "users"
                                     << ""
                                     << "127.0.0.1:8080"
                                     << "names no consumer";
        QTest::newRow("consumer with a newline") << "users"
                                                 << "alice\nX: y"
                                                 << "127.0.0.1:8080"
                                                 << "is not in the workspace";
        QTest::newRow("keyless consumer") << "users"
                                          << "keyless"
                                          << "127.0.0.1:8080"
                                          << "has no API key";
        QTest::newRow("unknown route") << "nowhere"
                                       << "alice"
                                       << "127.0.0.1:8080"
                                       << "route 'nowhere' is not in the workspace";
        QTest::newRow("public route") << "open"
                                      << "alice"
                                      << "127.0.0.1:8080"
                                      << "";
        QTest::newRow("another listener") << "users"
                                          << "alice"
                                          << "127.0.0.1:8081"
                                          << "only for a replay through this workspace's gateway";
        QTest::newRow("another host") << "users"
                                      << "alice"
                                      << "evil.example:8080"
                                      << "only for a replay through this workspace's gateway";
    }
    void hostileRowsGetNothing()
    {
        QFETCH(QString, route);
        QFETCH(QString, consumer);
        QFETCH(QString, listener);
        QFETCH(QString, problem);
        capture::Exchange e = captured(route, consumer);
        e.listener = listener;
        const ReplayCredentials c = restoreCredentials(e, *m_ws, {}, m_listeners);
        QVERIFY(!c.restoresAnything());
        QVERIFY(c.notes.isEmpty());
        if (problem.isEmpty())
            QVERIFY(c.problems.isEmpty());
        else
            QVERIFY2(c.problems.join(u'\n').contains(problem), qPrintable(c.problems.join(u'\n')));
    }

    // A target elsewhere gets no key, even with a captured listener of this gateway.
    void aTargetElsewhereGetsNoKey()
    {
        capture::ReplayOptions o;
        o.target = QUrl(QStringLiteral("http://attacker.example:8080"));
        const ReplayCredentials c = restoreCredentials(
            captured(QStringLiteral("users"), QStringLiteral("alice")), *m_ws, o, m_listeners);
        QVERIFY(!c.restoresAnything());
        o.target = QUrl(QStringLiteral("http://localhost:8080")); // this gateway, by name
        QVERIFY(restoreCredentials(
            captured(QStringLiteral("users"), QStringLiteral("alice")), *m_ws, o, m_listeners)
                    .restoresAnything());
    }

    // What the user supplied stays: the workspace does not override it.
    void suppliedValuesWin()
    {
        capture::ReplayOptions o;
        o.headers = { { "x-api-key", "typed" } };
        o.query = { { QStringLiteral("apikey"), QStringLiteral("typed") } };
        const ReplayCredentials c = restoreCredentials(
            captured(QStringLiteral("users"), QStringLiteral("alice")), *m_ws, o, m_listeners);
        QVERIFY(!c.restoresAnything());
    }

    void listeners()
    {
        const QList<QUrl> wildcard { QUrl(QStringLiteral("http://0.0.0.0:8080")) };
        QVERIFY(isListener(QUrl(QStringLiteral("http://127.0.0.1:8080")), wildcard));
        QVERIFY(isListener(QUrl(QStringLiteral("http://localhost:8080")), wildcard));
        QVERIFY(!isListener(QUrl(QStringLiteral("http://10.0.0.8:8080")), wildcard));
        QVERIFY(!isListener(QUrl(QStringLiteral("http://127.0.0.1:8081")), wildcard));
        QVERIFY(isListener(
            QUrl(QStringLiteral("http://[::1]:8443")), { QUrl(QStringLiteral("https://[::]:8443")) }));
        QVERIFY(!isListener(
            QUrl(QStringLiteral("http://127.0.0.1:0")), { QUrl(QStringLiteral("http://127.0.0.1:0")) }));
        QVERIFY(!isListener(QUrl(QStringLiteral("http://127.0.0.1:8080")), {}));
        const QList<QUrl> loopback { QUrl(QStringLiteral("http://127.0.0.1:8080")) };
        QVERIFY(isListener(QUrl(QStringLiteral("http://localhost:8080")), loopback));
        QVERIFY(!isListener(QUrl(QStringLiteral("http://127.0.0.2:8080")), loopback));
        QVERIFY(!isListener(QUrl(QStringLiteral("https://[::1]:8080")), loopback));
    }
};

QTEST_MAIN(TestReplayCredentials)
#include "tst_replay_credentials.moc"
