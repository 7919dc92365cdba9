// The exchanges part of the admin API against a real gateway and its capture database in a temp
// dir: listing (newest first, paging, filters), one exchange, replay and HAR export.
#include "AdminTestSupport.h"

#include "support/RawClient.h"

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
  - name: users
    match: {path: /api/users}
    upstream: echo
  - name: orders
    match: {path: /api/orders}
    upstream: echo
)";

QList<qint64> ids(const QJsonObject &page)
{
    QList<qint64> out;
    for (const auto &v : page.value(QStringLiteral("exchanges")).toArray())
        out << v.toObject().value(QStringLiteral("id")).toInteger();
    return out;
}

} // namespace

class TestAdminExchanges final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_fx = std::make_unique<AdminFixture>();
        const QString error = m_fx->start(QString::fromUtf8(kWorkspace));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // Five exchanges: users 200, users 404 (upstream says so), orders 200 x2, users POST 201.
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/users/1"))).status, 200);
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/users/2?status=404"))).status, 404);
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/orders"))).status, 200);
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/orders/9"))).status, 200);
        QCOMPARE(
            httpCall("POST", m_fx->gatewayUrl(QStringLiteral("/api/users?status=201")), "{\"name\":\"ann\"}",
                { { "Content-Type", "application/json" }, { "X-Test", "replay-me" } })
                .status,
            201);
        QVERIFY(m_fx->waitForStored(5));
    }
    void cleanup() { m_fx.reset(); }

    void listNewestFirstWithPaging()
    {
        const HttpResult all = m_fx->adminCall("GET", QStringLiteral("/exchanges"));
        QCOMPARE(all.status, 200);
        const QList<qint64> every = ids(all.json());
        QCOMPARE(every.size(), 5);
        QVERIFY(std::is_sorted(every.rbegin(), every.rend()));
        const QJsonObject newest = all.json().value(QStringLiteral("exchanges")).toArray().first().toObject();
        QCOMPARE(newest.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
        QCOMPARE(newest.value(QStringLiteral("status")).toInt(), 201);
        QCOMPARE(newest.value(QStringLiteral("route")).toString(), QStringLiteral("users"));
        QVERIFY(all.json().value(QStringLiteral("next_before")).isNull());

        const HttpResult first = m_fx->adminCall("GET", QStringLiteral("/exchanges?limit=2"));
        QCOMPARE(ids(first.json()), every.mid(0, 2));
        const qint64 next = first.json().value(QStringLiteral("next_before")).toInteger();
        QCOMPARE(next, every[1]);
        const HttpResult second
            = m_fx->adminCall("GET", QStringLiteral("/exchanges?limit=2&before=%1").arg(next));
        QCOMPARE(ids(second.json()), every.mid(2, 2));

        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/exchanges?limit=0")).status, 400);
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/exchanges?limit=many")).status, 400);
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/exchanges?before=-4")).status, 400);
    }

    void listWithFilters()
    {
        const auto count = [this](const QString &filter) {
            const HttpResult r = m_fx->adminCall("GET",
                QStringLiteral("/exchanges?filter=") + QString::fromUtf8(QUrl::toPercentEncoding(filter)));
            return r.status == 200 ? int(ids(r.json()).size()) : -r.status;
        };
        QCOMPARE(count(QStringLiteral("route:users")), 3);
        QCOMPARE(count(QStringLiteral("status:404")), 1);
        QCOMPARE(count(QStringLiteral("status:2xx -method:POST")), 3);
        QCOMPARE(count(QStringLiteral("route:orders | status:201")), 3);
        QCOMPARE(count(QStringLiteral("path:/api/orders*")), 2);
        // '+' for a space, as forms send it.
        const HttpResult plus
            = m_fx->adminCall("GET", QStringLiteral("/exchanges?filter=route:users+method:POST"));
        QCOMPARE(ids(plus.json()).size(), 1);
    }

    void badFilterIs400WithColumn()
    {
        const HttpResult r = m_fx->adminCall("GET",
            QStringLiteral("/exchanges?filter=")
                + QString::fromUtf8(QUrl::toPercentEncoding(QStringLiteral("route:users status:abc"))));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(r.json().value(QStringLiteral("column")).toInt(), 20); // the bad value "abc"
        QVERIFY(r.json().value(QStringLiteral("detail")).toString().contains(QStringLiteral("column 20")));
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/exchanges.har?filter=nosuchfield:x")).status, 400);
    }

    void getOneInFull()
    {
        const QList<qint64> every = ids(m_fx->adminCall("GET", QStringLiteral("/exchanges")).json());
        const HttpResult r = m_fx->adminCall("GET", QStringLiteral("/exchanges/%1").arg(every.first()));
        QCOMPARE(r.status, 200);
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QStringLiteral("id")).toInteger(), every.first());
        QCOMPARE(o.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
        const QJsonObject request = o.value(QStringLiteral("request")).toObject();
        QCOMPARE(request.value(QStringLiteral("body")).toString(), QStringLiteral("{\"name\":\"ann\"}"));
        QVERIFY(
            QJsonDocument(request.value(QStringLiteral("headers")).toArray()).toJson().contains("replay-me"));
        QCOMPARE(o.value(QStringLiteral("trace_id")).toString().size(), 32);

        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/exchanges/999999")).status, 404);
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/exchanges/abc")).status, 404);
    }

    void replayThroughTheGateway()
    {
        const QList<qint64> every = ids(m_fx->adminCall("GET", QStringLiteral("/exchanges")).json());
        const int before = m_fx->upstream.requestCount();
        const HttpResult r
            = m_fx->adminCall("POST", QStringLiteral("/exchanges/%1/replay").arg(every.first()));
        QVERIFY2(r.status == 200, r.body.constData());
        const qint64 newId = r.json().value(QStringLiteral("id")).toInteger();
        QVERIFY(newId > every.first());
        QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), 201);
        QCOMPARE(r.json().value(QStringLiteral("replay_of")).toInteger(), every.first());
        QCOMPARE(m_fx->upstream.requestCount(), before + 1);
        const RecordedRequest seen = m_fx->upstream.lastRequest();
        QCOMPARE(seen.method, QByteArray("POST"));
        QCOMPARE(seen.body, QByteArray("{\"name\":\"ann\"}"));
        QCOMPARE(seen.header("X-Test"), QByteArray("replay-me"));
        // The answer's id is a recorded exchange.
        const HttpResult stored = m_fx->adminCall("GET", QStringLiteral("/exchanges/%1").arg(newId));
        QCOMPARE(stored.status, 200);
        QVERIFY(stored.json()
                    .value(QStringLiteral("notes"))
                    .toString()
                    .contains(QStringLiteral("replay of exchange")));

        QCOMPARE(m_fx->adminCall("POST", QStringLiteral("/exchanges/424242/replay")).status, 404);
        QCOMPARE(
            m_fx->adminCall("GET", QStringLiteral("/exchanges/%1/replay").arg(every.first())).status, 405);
    }

    void replayToATargetWithHeaderOverride()
    {
        const QList<qint64> every
            = ids(m_fx->adminCall("GET", QStringLiteral("/exchanges?filter=route:orders")).json());
        const int gatewayRequests = int(m_fx->gateway->totalRequests());
        const QString target = QString::fromUtf8(QUrl::toPercentEncoding(m_fx->upstream.url().toString()));
        const HttpResult r = m_fx->adminCall("POST",
            QStringLiteral("/exchanges/%1/replay?target=%2&header=X-Override:%20yes")
                .arg(every.first())
                .arg(target));
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), 200);
        QCOMPARE(m_fx->upstream.lastRequest().header("X-Override"), QByteArray("yes"));
        QCOMPARE(m_fx->upstream.lastRequest().path, QStringLiteral("/api/orders/9"));
        // Straight to the target: the gateway saw nothing new.
        QCOMPARE(int(m_fx->gateway->totalRequests()), gatewayRequests);

        QCOMPARE(
            m_fx->adminCall("POST", QStringLiteral("/exchanges/%1/replay?target=ftp://x").arg(every.first()))
                .status,
            400);
    }

    void replayWhoseClientLeftDoesNotCrash()
    {
        // A slow replay (the upstream delays), and the admin client hangs up before it finishes:
        // the late answer must not be written to the dead socket.
        QCOMPARE(
            httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/users/slow?delay=300ms"))).status, 200);
        QVERIFY(m_fx->waitForStored(6));
        const QList<qint64> every = ids(m_fx->adminCall("GET", QStringLiteral("/exchanges?limit=1")).json());
        const int before = m_fx->upstream.requestCount();
        {
            RawClient client;
            QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), m_fx->admin->port()));
            QVERIFY(client.send(
                httpRequest("POST", QStringLiteral("/exchanges/%1/replay").arg(every.first()).toUtf8())));
            client.close();
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_fx->upstream.requestCount(), before + 1, 5000);
        // Give the replay time to finish and attempt its answer, then check the server still works.
        QTest::qWait(500);
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/status")).status, 200);
    }

    void serverDestroyedDuringAReplay()
    {
        QCOMPARE(
            httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/users/slow?delay=300ms"))).status, 200);
        QVERIFY(m_fx->waitForStored(6));
        const QList<qint64> every = ids(m_fx->adminCall("GET", QStringLiteral("/exchanges?limit=1")).json());
        const int before = m_fx->upstream.requestCount();
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), m_fx->admin->port()));
        QVERIFY(client.send(
            httpRequest("POST", QStringLiteral("/exchanges/%1/replay").arg(every.first()).toUtf8())));
        // The replay is under way once the upstream has it; then the admin server goes away.
        QTRY_COMPARE_WITH_TIMEOUT(m_fx->upstream.requestCount(), before + 1, 5000);
        m_fx->admin.reset();
        QVERIFY(client.isClosed(2000));
    }

    void harExport()
    {
        const HttpResult r = m_fx->adminCall("GET", QStringLiteral("/exchanges.har?filter=route:users"));
        QCOMPARE(r.status, 200);
        const QJsonObject log = r.json().value(QStringLiteral("log")).toObject();
        QCOMPARE(log.value(QStringLiteral("version")).toString(), QStringLiteral("1.2"));
        const QJsonArray entries = log.value(QStringLiteral("entries")).toArray();
        QCOMPARE(entries.size(), 3);
        for (const auto &v : entries) {
            const QJsonObject entry = v.toObject();
            QVERIFY(entry.value(QStringLiteral("request"))
                        .toObject()
                        .value(QStringLiteral("url"))
                        .toString()
                        .contains(QStringLiteral("/api/users")));
            QVERIFY(entry.value(QStringLiteral("time")).toDouble() >= 0);
        }
        const HttpResult everything = m_fx->adminCall("GET", QStringLiteral("/exchanges.har"));
        QCOMPARE(everything.json()
                     .value(QStringLiteral("log"))
                     .toObject()
                     .value(QStringLiteral("entries"))
                     .toArray()
                     .size(),
            5);
    }

    void captureOffIs503()
    {
        AdminFixture off;
        QString yaml = QString::fromUtf8(kWorkspace);
        yaml.replace(QStringLiteral("capture:\n  database: traffic.db\n"),
            QStringLiteral("capture:\n  enabled: false\n"));
        const QString error = off.start(yaml);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!off.gateway->captureStore());
        const HttpResult r = off.adminCall("GET", QStringLiteral("/exchanges"));
        QCOMPARE(r.status, 503);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
    }

private:
    std::unique_ptr<AdminFixture> m_fx;
};

QTEST_GUILESS_MAIN(TestAdminExchanges)
#include "tst_admin_exchanges.moc"
