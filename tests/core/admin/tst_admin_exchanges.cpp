// The exchanges part of the admin API against a real gateway and its capture database in a temp
// dir: listing (newest first, paging, filters), one exchange, replay and HAR export.
#include "AdminTestSupport.h"

#include "support/RawClient.h"

#include <QDir>
#include <QElapsedTimer>
#include <QSet>
#include <QTcpSocket>
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

// Stores `count` exchanges straight into the capture store (a real SQLite file): every tenth is a
// 500, each has a request and a response body that names its number.
bool storeMany(capture::CaptureStore &store, int count)
{
    const QDateTime start = QDateTime::currentDateTimeUtc();
    const QByteArray filler(1200, 'x');
    for (int i = 0; i < count; ++i) {
        capture::Exchange e;
        e.startedAt = start.addMSecs(i);
        e.method = i % 2 ? QStringLiteral("POST") : QStringLiteral("GET");
        e.scheme = QStringLiteral("http");
        e.host = QStringLiteral("bulk.local");
        e.path = QStringLiteral("/bulk/%1").arg(i);
        e.url = QStringLiteral("http://bulk.local/bulk/%1").arg(i);
        e.status = i % 10 == 0 ? 500 : 200;
        e.route = QStringLiteral("bulk");
        e.requestHeaders = { { "Content-Type", "application/json" } };
        e.responseHeaders = { { "Content-Type", "application/json" } };
        e.requestBody = QStringLiteral("{\"ask\":%1}").arg(i).toUtf8();
        e.requestBodySize = e.requestBody.size();
        e.responseBody = "{\"item\":\"item-" + QByteArray::number(i) + "\",\"pad\":\"" + filler + "\"}";
        e.responseBodySize = e.responseBody.size();
        e.timings.receivedUs = 100;
        e.timings.lastByteUs = 2000;
        if (store.submit(std::move(e)) <= 0)
            return false;
        if (i % 500 == 499 && !store.flush())
            return false;
    }
    return store.flush();
}

// The files directly in the temp dir this process holds open, as "fd -> target". Qt 6 creates a
// QTemporaryFile with O_TMPFILE on Linux (no name in the directory until fileName() is asked),
// so the open descriptors are what shows an export file alive.
QSet<QString> harTempFiles()
{
    QSet<QString> out;
    const QString temp = QDir(QDir::tempPath()).canonicalPath() + u'/';
    const QDir fds(QStringLiteral("/proc/self/fd"));
    for (const QString &fd : fds.entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot)) {
        const QString target = QFileInfo(fds.filePath(fd)).symLinkTarget();
        if (target.startsWith(temp) && !target.mid(temp.size()).contains(u'/')) // not the capture db
            out.insert(fd + QStringLiteral(" -> ") + target);
    }
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
        QCOMPARE(newest.value(QStringLiteral("protocol")).toString(), QStringLiteral("HTTP/1.1"));
        QVERIFY(all.json().value(QStringLiteral("next_before")).isNull());
        QCOMPARE(
            ids(m_fx->adminCall("GET", QStringLiteral("/exchanges?filter=protocol:HTTP/1.1")).json()), every);
        QVERIFY(ids(m_fx->adminCall("GET", QStringLiteral("/exchanges?filter=protocol:HTTP/2")).json())
                    .isEmpty());

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

    // The export streams from a temporary file: a big capture arrives whole and valid, with a
    // Content-Length, and a filter narrows it.
    void harStreamsABigCapture()
    {
        constexpr int kBulk = 3000;
        QVERIFY(storeMany(*m_fx->gateway->captureStore(), kBulk));
        const QSet<QString> tempBefore = harTempFiles();

        const HttpResult r = m_fx->adminCall("GET", QStringLiteral("/exchanges.har"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(r.header("Content-Length").toLongLong(), r.body.size());
        QVERIFY(r.header("Content-Disposition").contains("portico.har"));
        QVERIFY(r.body.size() > kBulk * 1200);
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(r.body, &pe);
        QVERIFY2(pe.error == QJsonParseError::NoError, qPrintable(pe.errorString()));
        const QJsonObject log = doc.object().value(QStringLiteral("log")).toObject();
        QCOMPARE(log.value(QStringLiteral("version")).toString(), QStringLiteral("1.2"));
        QVERIFY(!log.value(QStringLiteral("creator"))
                     .toObject()
                     .value(QStringLiteral("name"))
                     .toString()
                     .isEmpty());
        const QJsonArray entries = log.value(QStringLiteral("entries")).toArray();
        QCOMPARE(entries.size(), kBulk + 5);
        bool found = false;
        for (const auto &v : entries) {
            const QJsonObject entry = v.toObject();
            if (entry.value(QStringLiteral("request")).toObject().value(QStringLiteral("url")).toString()
                != u"http://bulk.local/bulk/1234")
                continue;
            found = true;
            const QJsonObject content = entry.value(QStringLiteral("response"))
                                            .toObject()
                                            .value(QStringLiteral("content"))
                                            .toObject();
            QVERIFY(content.value(QStringLiteral("text")).toString().contains(u"\"item\":\"item-1234\""));
            QCOMPARE(
                entry.value(QStringLiteral("response")).toObject().value(QStringLiteral("status")).toInt(),
                200);
        }
        QVERIFY(found);

        const HttpResult narrowed
            = m_fx->adminCall("GET", QStringLiteral("/exchanges.har?filter=status:500"));
        QCOMPARE(narrowed.status, 200);
        const QJsonArray errors = narrowed.json()
                                      .value(QStringLiteral("log"))
                                      .toObject()
                                      .value(QStringLiteral("entries"))
                                      .toArray();
        QCOMPARE(errors.size(), kBulk / 10);
        for (const auto &v : errors)
            QCOMPARE(v.toObject()
                         .value(QStringLiteral("response"))
                         .toObject()
                         .value(QStringLiteral("status"))
                         .toInt(),
                500);
        // Each temporary file went away with its transfer.
        QTRY_COMPARE_WITH_TIMEOUT(harTempFiles() - tempBefore, QSet<QString>(), 5000);
    }

    // A client that reads a little of the export and leaves: the server keeps serving, and the
    // temporary file goes with the connection.
    void harClientLeavesMidDownload()
    {
        // More than loopback's socket buffers take in (a few MB), so the transfer must wait for us.
        QVERIFY(storeMany(*m_fx->gateway->captureStore(), 8000));
        const QSet<QString> tempBefore = harTempFiles();
        QTcpSocket client;
        client.setReadBufferSize(16 * 1024); // stop reading: the server has to wait for us
        client.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 16 * 1024);
        client.connectToHost(QHostAddress::LocalHost, m_fx->admin->port());
        QVERIFY(client.waitForConnected(5000));
        client.write("GET /exchanges.har HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(client.bytesAvailable() >= 16 * 1024, 30000); // slow under ASan
        QVERIFY(client.peek(12).startsWith("HTTP/1.1 200"));
        QCOMPARE((harTempFiles() - tempBefore).size(), 1);
        client.abort();
        QTRY_COMPARE_WITH_TIMEOUT(harTempFiles() - tempBefore, QSet<QString>(), 5000);

        const HttpResult next = m_fx->adminCall("GET", QStringLiteral("/exchanges.har?filter=route:orders"));
        QCOMPARE(next.status, 200);
        QCOMPARE(next.json()
                     .value(QStringLiteral("log"))
                     .toObject()
                     .value(QStringLiteral("entries"))
                     .toArray()
                     .size(),
            2);
    }

    // The export runs on a thread of its own: the admin API answers meanwhile, and a server
    // destroyed during an export stops it at once, closes the client and leaves no file behind.
    void harExportOffTheAdminThread()
    {
        QVERIFY(storeMany(*m_fx->gateway->captureStore(), 8000));
        const QSet<QString> tempBefore = harTempFiles();
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, m_fx->admin->port());
        QVERIFY(client.waitForConnected(5000));
        client.write("GET /exchanges.har HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(m_fx->admin->harExportsRunning(), 1, 5000);
        const HttpResult status = m_fx->adminCall("GET", QStringLiteral("/status"));
        QCOMPARE(status.status, 200);
        QCOMPARE(m_fx->admin->harExportsRunning(), 1); // still writing while /status answered

        QElapsedTimer timer;
        timer.start();
        m_fx->admin.reset();
        QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::UnconnectedState, 5000);
        QCOMPARE(harTempFiles() - tempBefore, QSet<QString>());
    }

    // No temporary file to export into: a problem+json 500 that says where it tried.
    void harWithoutATempDirIs500()
    {
        const QByteArray saved = qgetenv("TMPDIR");
        qputenv("TMPDIR", "/nonexistent/portico-tmp");
        const HttpResult r = m_fx->adminCall("GET", QStringLiteral("/exchanges.har"));
        if (saved.isNull())
            qunsetenv("TMPDIR");
        else
            qputenv("TMPDIR", saved);
        QCOMPARE(r.status, 500);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(r.json().value(QStringLiteral("type")).toString(),
            QStringLiteral("https://portico.dev/problems/har-failed"));
        QVERIFY2(r.json().value(QStringLiteral("detail")).toString().contains(u"/nonexistent/portico-tmp"),
            r.body.constData());
        // And the next export works again.
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/exchanges.har")).status, 200);
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
