// Replay goes where the developer expects: through the gateway listener that captured the
// exchange, never to the host a client put in Host (which could point the replay, and the
// credentials given to it, anywhere), and the admin API's ?target= only reaches this machine, the
// gateway's own listeners or a configured upstream. Real gateway, real admin server, real SQLite.
#include "AdminTestSupport.h"

#include "support/RawClient.h"

#include <QTcpServer>
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
routes:
  - name: api
    match: {path: /api}
    upstream: echo
)";

const char kKeyedWorkspace[] = R"(version: 1
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
  - {name: alice, api_keys: [alice-admin-key]}
auth:
  keys: {type: api_key, header: X-API-Key}
routes:
  - name: api
    match: {path: /api}
    upstream: echo
    auth: [keys]
    hide_credentials: true
)";

} // namespace

class TestAdminReplay final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_fx = std::make_unique<AdminFixture>();
        const QString error = m_fx->start(QString::fromUtf8(kWorkspace));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(m_trap.listen(QHostAddress::LocalHost));
    }
    void cleanup()
    {
        m_fx.reset();
        m_trap.close();
    }

    void aHostileHostIsReplayedThroughTheGateway_data()
    {
        QTest::addColumn<QByteArray>("host");
        QTest::newRow("unresolvable") << QByteArray("attacker.invalid:1");
        QTest::newRow("another local port") << QByteArray("TRAP");
        QTest::newRow("with a path") << QByteArray("evil.example/steal");
    }
    void aHostileHostIsReplayedThroughTheGateway()
    {
        QFETCH(QByteArray, host);
        if (host == "TRAP")
            host = "127.0.0.1:" + QByteArray::number(m_trap.serverPort());
        const QUrl gateway = m_fx->gateway->listenUrls().first();
        {
            RawClient client;
            QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), quint16(gateway.port())));
            const RawResponse r = client.roundTrip(
                httpRequest("GET", "/api/things?x=1", { { "Host", host }, { "X-Dev", "developer" } }));
            QCOMPARE(r.status, 200);
        }
        QVERIFY(m_fx->waitForStored(1));
        const QJsonArray rows = m_fx->adminCall("GET", QStringLiteral("/exchanges"))
                                    .json()
                                    .value(QStringLiteral("exchanges"))
                                    .toArray();
        QCOMPARE(rows.size(), 1);
        const qint64 id = rows.first().toObject().value(QStringLiteral("id")).toInteger();
        const QJsonObject captured = m_fx->adminCall("GET", QStringLiteral("/exchanges/%1").arg(id)).json();
        QCOMPARE(captured.value(QStringLiteral("listener")).toString(),
            QStringLiteral("127.0.0.1:%1").arg(gateway.port()));

        const int upstreamBefore = m_fx->upstream.requestCount();
        const quint64 gatewayBefore = m_fx->gateway->totalRequests();
        const HttpResult r = m_fx->adminCall("POST", QStringLiteral("/exchanges/%1/replay").arg(id));
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), 200);
        QCOMPARE(r.json().value(QStringLiteral("url")).toString(),
            gateway.toString() + QStringLiteral("/api/things?x=1"));
        // Through the gateway (its counters moved) to the configured upstream, and nowhere else.
        QTRY_COMPARE(m_fx->gateway->totalRequests(), gatewayBefore + 1);
        QCOMPARE(m_fx->upstream.requestCount(), upstreamBefore + 1);
        QCOMPARE(m_fx->upstream.lastRequest().path, QStringLiteral("/api/things"));
        QCOMPARE(m_fx->upstream.lastRequest().header("X-Dev"), QByteArray("developer"));
        QVERIFY(!m_trap.waitForNewConnection(200));
        QVERIFY(!m_trap.hasPendingConnections());

        // The replay, recorded, goes the same way when replayed in turn.
        const qint64 replayId = r.json().value(QStringLiteral("id")).toInteger();
        // One row for it: the gateway's, linked to the original by its note.
        QVERIFY(m_fx->waitForStored(2));
        QVERIFY(m_fx->gateway->captureStore()->flush());
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/exchanges"))
                     .json()
                     .value(QStringLiteral("exchanges"))
                     .toArray()
                     .size(),
            2);
        const QJsonObject recorded
            = m_fx->adminCall("GET", QStringLiteral("/exchanges/%1").arg(replayId)).json();
        QVERIFY(recorded.value(QStringLiteral("notes"))
                    .toString()
                    .startsWith(QStringLiteral("replay of exchange %1").arg(id)));
        QCOMPARE(recorded.value(QStringLiteral("listener")).toString(),
            QStringLiteral("127.0.0.1:%1").arg(gateway.port()));
        QCOMPARE(m_fx->adminCall("POST", QStringLiteral("/exchanges/%1/replay").arg(replayId)).status, 200);
        QVERIFY(!m_trap.hasPendingConnections());
    }

    // A key the capture redacted comes back from the running workspace: the replay is a 200, the
    // answer and the new row's note say it was restored, and no row holds the key.
    void aRedactedKeyIsRestoredFromTheWorkspace()
    {
        m_fx = std::make_unique<AdminFixture>();
        const QString error = m_fx->start(QString::fromUtf8(kKeyedWorkspace));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/t")), {},
                     { { "X-API-Key", "alice-admin-key" } })
                     .status,
            200);
        QVERIFY(m_fx->waitForStored(1));
        const qint64 id = m_fx->adminCall("GET", QStringLiteral("/exchanges"))
                              .json()
                              .value(QStringLiteral("exchanges"))
                              .toArray()
                              .first()
                              .toObject()
                              .value(QStringLiteral("id"))
                              .toInteger();
        const HttpResult r = m_fx->adminCall("POST", QStringLiteral("/exchanges/%1/replay").arg(id));
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), 200);
        QVERIFY2(r.body.contains("header X-API-Key restored from the workspace: consumer alice's API key"),
            r.body.constData());
        QVERIFY(!r.body.contains("alice-admin-key"));
        // The gateway accepted the key (200) and kept it from the upstream (hide_credentials), so
        // nothing anywhere echoes it back.
        QVERIFY(!m_fx->upstream.lastRequest().hasHeader("X-API-Key"));
        QVERIFY(m_fx->waitForStored(2));
        const QByteArray row
            = m_fx->adminCall("GET",
                      QStringLiteral("/exchanges/%1").arg(r.json().value(QStringLiteral("id")).toInteger()))
                  .body;
        QVERIFY2(row.contains("restored from the workspace"), row.constData());
        QVERIFY2(!row.contains("alice-admin-key"), row.constData());
        QVERIFY(!m_fx->adminCall("GET", QStringLiteral("/exchanges/%1").arg(id))
                     .body.contains("alice-admin-key"));
    }

    void theAdminTargetIsLimited()
    {
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/t"))).status, 200);
        QVERIFY(m_fx->waitForStored(1));
        const qint64 id = m_fx->adminCall("GET", QStringLiteral("/exchanges"))
                              .json()
                              .value(QStringLiteral("exchanges"))
                              .toArray()
                              .first()
                              .toObject()
                              .value(QStringLiteral("id"))
                              .toInteger();
        auto replayTo = [&](const QString &target) {
            return m_fx->adminCall("POST",
                QStringLiteral("/exchanges/%1/replay?target=%2")
                    .arg(id)
                    .arg(QString::fromUtf8(QUrl::toPercentEncoding(target))));
        };
        const int before = m_fx->upstream.requestCount();
        for (const QString &forbidden : { QStringLiteral("http://attacker.invalid:1"),
                 QStringLiteral("http://192.0.2.1:80"), QStringLiteral("https://example.com"),
                 QStringLiteral("http://127.0.0.1.nip.io:%1").arg(m_fx->upstream.port()),
                 QStringLiteral("https://127.0.0.1.evil.example") }) {
            const HttpResult r = replayTo(forbidden);
            QVERIFY2(r.status == 403, qPrintable(forbidden));
            QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
            QVERIFY(r.json().value(QStringLiteral("type")).toString().endsWith(u"/forbidden-target"));
        }
        QCOMPARE(m_fx->upstream.requestCount(), before);

        // This machine, the gateway's listener, a configured upstream target.
        const QString upstreamPort = QString::number(m_fx->upstream.port());
        for (const QString &allowed :
            { m_fx->upstream.url().toString(), QStringLiteral("http://localhost:%1").arg(upstreamPort),
                m_fx->gateway->listenUrls().first().toString() }) {
            const HttpResult r = replayTo(allowed);
            QVERIFY2(r.status == 200, qPrintable(allowed + u' ' + QString::fromUtf8(r.body)));
        }
        QCOMPARE(m_fx->upstream.requestCount(), before + 3);
    }

    // A body is an edited gRPC message: checked before anything is sent (this workspace has no
    // schema; tst_gateway_grpc_replay sends edited calls to a real gRPC upstream).
    void anEditedGrpcMessageIsCheckedFirst()
    {
        capture::Exchange call;
        call.startedAt = QDateTime::currentDateTimeUtc();
        call.method = QStringLiteral("POST");
        call.path = QStringLiteral("/demo.Echo/Say");
        call.url = m_fx->upstream.url().toString() + call.path;
        call.upstreamTarget = m_fx->upstream.url().toString();
        call.protocol = QStringLiteral("HTTP/2");
        call.status = 200;
        call.requestHeaders = { { "content-type", "application/grpc" } };
        call.requestBody = QByteArray::fromHex("00000000050a03626f62");
        const qint64 id = m_fx->gateway->captureStore()->submit(std::move(call));
        QVERIFY(m_fx->gateway->captureStore()->flush());
        const int before = m_fx->upstream.requestCount();
        const QString path = QStringLiteral("/exchanges/%1/replay").arg(id);
        const HttpResult noSchema
            = m_fx->adminCall("POST", path, R"({"text": "x"})", { { "Content-Type", "application/json" } });
        QCOMPARE(noSchema.status, 400);
        QVERIFY(noSchema.json().value(QStringLiteral("type")).toString().endsWith(u"/invalid-grpc-message"));
        QVERIFY2(noSchema.json().value(QStringLiteral("detail")).toString().contains(u"no gRPC schema"),
            noSchema.body.constData());
        // A form's type (no preflight from a browser) is not taken as a message.
        QCOMPARE(
            m_fx->adminCall("POST", path, R"({"text": "x"})", { { "Content-Type", "text/plain" } }).status,
            415);
        QCOMPARE(m_fx->upstream.requestCount(), before);
    }

private:
    std::unique_ptr<AdminFixture> m_fx;
    QTcpServer m_trap;
};

QTEST_GUILESS_MAIN(TestAdminReplay)
#include "tst_admin_replay.moc"
