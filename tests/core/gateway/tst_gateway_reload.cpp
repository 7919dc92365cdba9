// Lifecycle: hot reload under traffic without a single failed request, in-flight requests finishing
// on the config they started with, invalid reloads that leave the running config alone, and drain.
#include "GatewayHarness.h"

#include <QDir>
#include <QElapsedTimer>
#include <QMutex>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace portico;
using namespace portico::test;

class TestGatewayReload : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LoopbackUpstream> m_a, m_b;

    // Both upstreams are always defined; `target` says which one the catch-all route uses.
    QString config(const QString &target, const QString &extra = {}) const
    {
        return gatewayHeader() + extra + QStringLiteral("upstreams:\n")
            + upstreamEntry(QStringLiteral("a"), *m_a) + upstreamEntry(QStringLiteral("b"), *m_b)
            + QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: %1}\n").arg(target);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_a.reset(new LoopbackUpstream({ false, QStringLiteral("a") }));
        m_b.reset(new LoopbackUpstream({ false, QStringLiteral("b") }));
        QVERIFY(m_a->isRunning() && m_b->isRunning());
    }

    void init()
    {
        m_a->clear();
        m_b->clear();
    }

    void hotReloadUnderTrafficLosesNothing()
    {
        GatewayHarness gw;
        QCOMPARE(gw.start(config(QStringLiteral("a"))), QString());
        const quint16 port = gw.port();

        std::atomic<bool> stop { false };
        std::atomic<int> ok { 0 };
        QMutex failuresMutex;
        QStringList failures;
        auto fail = [&](const QString &what) {
            QMutexLocker lock(&failuresMutex);
            failures << what;
        };
        // Two clients: one opening a connection per request, one reusing a keep-alive connection.
        auto traffic = [&](bool keepAlive) {
            RawClient persistent;
            int n = 0;
            while (!stop.load()) {
                RawClient fresh;
                RawClient &client = keepAlive ? persistent : fresh;
                if (!client.isConnected() && !client.connectTo(QStringLiteral("127.0.0.1"), port)) {
                    fail(QStringLiteral("connect: ") + client.errorString());
                    continue;
                }
                const QByteArray body = "req-" + QByteArray::number(n++);
                const RawResponse r = client.roundTrip(httpRequest("POST", "/t", {}, body, keepAlive));
                if (!r.complete || r.status != 200)
                    fail(QStringLiteral("%1 %2 %3").arg(r.status).arg(r.error, QString::fromLatin1(r.body)));
                else if (jsonOf(r).value(QStringLiteral("body")).toString().toLatin1() != body)
                    fail(QStringLiteral("wrong body ") + QString::fromLatin1(r.body));
                else
                    ok.fetch_add(1);
            }
        };
        std::unique_ptr<QThread> t1(QThread::create(traffic, false));
        std::unique_ptr<QThread> t2(QThread::create(traffic, true));
        t1->start();
        t2->start();
        QTRY_VERIFY(ok.load() > 5);
        for (int i = 0; i < 12; ++i) {
            const QStringList problems
                = gw.reload(config(i % 2 == 0 ? QStringLiteral("b") : QStringLiteral("a")));
            QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
            QTest::qWait(80);
        }
        stop.store(true);
        t1->wait();
        t2->wait();
        QVERIFY2(failures.isEmpty(), qPrintable(failures.mid(0, 5).join(u'\n')));
        QVERIFY2(ok.load() > 30, qPrintable(QString::number(ok.load())));
        QVERIFY(m_a->requestCount(QStringLiteral("/t")) > 0);
        QVERIFY(m_b->requestCount(QStringLiteral("/t")) > 0);
        // The last config applied (i = 11) routes to a.
        QCOMPARE(gw.get("/last").header("x-upstream-name"), QByteArray("a"));
    }

    void inFlightRequestFinishesOnItsConfig()
    {
        GatewayHarness gw;
        QCOMPARE(gw.start(config(QStringLiteral("a"))), QString());
        RawClient slow;
        QVERIFY(slow.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QVERIFY(slow.send(httpRequest("GET", "/inflight?delay=600ms", {}, {}, true)));
        QTRY_COMPARE(m_a->requestCount(QStringLiteral("/inflight")), 1);
        const int revision = gw.gateway().revision();
        QCOMPARE(gw.reload(config(QStringLiteral("b"))), QStringList());
        QVERIFY(gw.gateway().revision() != revision);
        // New requests see the new route at once...
        QCOMPARE(gw.get("/new").header("x-upstream-name"), QByteArray("b"));
        // ...while the one in flight completes where it started.
        const RawResponse r = slow.readResponse(5000);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-upstream-name"), QByteArray("a"));
        // The kept-alive connection's next request follows the new config.
        QCOMPARE(slow.roundTrip(httpRequest("GET", "/next", {}, {}, true)).header("x-upstream-name"),
            QByteArray("b"));
    }

    void invalidFileKeepsTheOldConfig()
    {
        GatewayHarness gw;
        QCOMPARE(gw.start(config(QStringLiteral("a"))), QString());
        const int revision = gw.gateway().revision();
        // What `serve` does on a change of the file: load, report, and only apply what loaded.
        const QStringList broken = gw.reload(config(QStringLiteral("nonexistent")));
        QVERIFY(!broken.isEmpty());
        QVERIFY(broken.join(u'\n').contains(QStringLiteral("nonexistent")));
        const QStringList garbage = gw.reload(QStringLiteral("routes: [unclosed\n"));
        QVERIFY(!garbage.isEmpty());
        QCOMPARE(gw.gateway().revision(), revision);
        QCOMPARE(gw.get("/still").header("x-upstream-name"), QByteArray("a"));
    }

    void failedApplyChangesNothing()
    {
        GatewayHarness gw;
        QCOMPARE(gw.start(config(QStringLiteral("a"))), QString());
        const quint16 port = gw.port();
        const int revision = gw.gateway().revision();
        const config::WorkspacePtr before = gw.gateway().workspace();

        // A listener that cannot be bound (someone else holds the port): the whole apply fails,
        // routes included, and the old listener keeps serving.
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
        const QString moved = config(QStringLiteral("b"))
                                  .replace(QStringLiteral("listen: 127.0.0.1:0"),
                                      QStringLiteral("listen: 127.0.0.1:%1").arg(squatter.serverPort()));
        const QStringList problems = gw.reload(moved);
        QVERIFY(!problems.isEmpty());
        QVERIFY2(problems.join(u'\n').contains(QStringLiteral("listen")), qPrintable(problems.join(u'\n')));
        QCOMPARE(gw.gateway().revision(), revision);
        QCOMPARE(gw.gateway().workspace(), before);
        QCOMPARE(gw.port(), port);
        QCOMPARE(gw.get("/still").header("x-upstream-name"), QByteArray("a"));

        // A capture database that cannot be opened (the path is a directory).
        QDir(gw.dir().dir()).mkpath(QStringLiteral("adir"));
        QString withCapture = config(QStringLiteral("b"));
        withCapture.replace(
            QStringLiteral("capture: {enabled: false}"), QStringLiteral("capture: {database: adir}"));
        QVERIFY(!gw.reload(withCapture).isEmpty());
        QCOMPARE(gw.gateway().revision(), revision);
        QCOMPARE(gw.get("/still").header("x-upstream-name"), QByteArray("a"));
    }

    void listenerChangeOnReload()
    {
        GatewayHarness gw;
        QCOMPARE(gw.start(config(QStringLiteral("a"))), QString());
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 newPort = probe.serverPort();
        probe.close();
        const QString moved = config(QStringLiteral("b"))
                                  .replace(QStringLiteral("listen: 127.0.0.1:0"),
                                      QStringLiteral("listen: 127.0.0.1:%1").arg(newPort));
        QCOMPARE(gw.reload(moved), QStringList());
        QCOMPARE(gw.port(), newPort);
        QCOMPARE(gw.get("/moved").header("x-upstream-name"), QByteArray("b"));
    }

    // One socket per worker shares the port through SO_REUSEPORT, which would also let a second
    // gateway join it and take a share of its clients. The second must be refused instead; the
    // first keeps every request, and may still bind its own port again on a reload.
    void secondGatewayOnTheSamePortIsRefused()
    {
        GatewayHarness first;
        QCOMPARE(first.start(config(QStringLiteral("a"))), QString());
        const quint16 port = first.port();
        const QString samePort = QStringLiteral("listen: 127.0.0.1:%1").arg(port);
        GatewayHarness second;
        const QString error = second.start(
            config(QStringLiteral("b")).replace(QStringLiteral("listen: 127.0.0.1:0"), samePort));
        QVERIFY2(error.contains(QStringLiteral("in use")), qPrintable(error));
        for (int i = 0; i < 8; ++i) // new connections each time: none may land on `second`
            QCOMPARE(first.get("/x").header("x-upstream-name"), QByteArray("a"));
        QCOMPARE(first.reload(config(QStringLiteral("b"))
                                  .replace(QStringLiteral("listen: 127.0.0.1:0"),
                                      QStringLiteral("listen: [127.0.0.1:%1, 127.0.0.1:0]").arg(port))),
            QStringList());
        QCOMPARE(first.gateway().listenUrls().first().port(), int(port));
        QCOMPARE(first.get("/x").header("x-upstream-name"), QByteArray("b"));
    }

    void severalListeners()
    {
        GatewayHarness gw;
        QString yaml = config(QStringLiteral("a"));
        yaml.replace(
            QStringLiteral("listen: 127.0.0.1:0"), QStringLiteral("listen: [127.0.0.1:0, 127.0.0.1:0]"));
        QCOMPARE(gw.start(yaml), QString());
        const QList<QUrl> urls = gw.gateway().listenUrls();
        QCOMPARE(urls.size(), 2);
        QVERIFY(urls.at(0).port() != urls.at(1).port());
        for (const QUrl &url : urls) {
            RawClient client;
            QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), quint16(url.port())));
            QCOMPARE(client.roundTrip(httpRequest("GET", "/l")).status, 200);
        }
    }

    void ipv6Listener()
    {
        {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHostIPv6, 0))
                QSKIP("no IPv6 loopback here");
        }
        GatewayHarness gw;
        QString yaml = config(QStringLiteral("a"));
        yaml.replace(QStringLiteral("listen: 127.0.0.1:0"), QStringLiteral("listen: '[::1]:0'"));
        QCOMPARE(gw.start(yaml), QString());
        QCOMPARE(gw.gateway().listenUrls().first().host(), QStringLiteral("::1"));
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("::1"), gw.port()));
        const RawResponse r = client.roundTrip(httpRequest("GET", "/v6", { { "Host", "[::1]" } }));
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r)
                     .value(QStringLiteral("headers"))
                     .toObject()
                     .value(QStringLiteral("x-forwarded-for"))
                     .toString(),
            QStringLiteral("::1"));
    }

    void drainDeliversWholeResponses()
    {
        // A large response still being written when drain starts must arrive whole: draining
        // waits for the bytes, not just for the upstream exchange to end.
        GatewayHarness gw;
        QCOMPARE(gw.start(config(QStringLiteral("a"))), QString());
        const quint16 port = gw.port();
        const qint64 size = 8 * 1024 * 1024;
        std::atomic<qint64> received { -1 };
        std::unique_ptr<QThread> reader(QThread::create([&] {
            RawClient client;
            if (!client.connectTo(QStringLiteral("127.0.0.1"), port))
                return;
            client.send(httpRequest("GET", "/big?body_bytes=" + QByteArray::number(size)));
            QThread::msleep(600); // let the gateway fill its buffers and start draining meanwhile
            const RawResponse r = client.readResponse(15000);
            received.store(r.complete ? r.body.size() : -2);
        }));
        reader->start();
        QTRY_COMPARE(m_a->requestCount(QStringLiteral("/big")), 1);
        gw.gateway().drain(std::chrono::milliseconds(10000));
        QVERIFY(reader->wait(15000));
        QCOMPARE(received.load(), size);
    }

    // The same over HTTP/2, with curl: the upstream exchange ends long before the client has read
    // the body (flow control holds the rest in the gateway), and the client acknowledges what it
    // reads with WINDOW_UPDATE until the end. Drain must wait for the bytes, and the close must not
    // reset the connection under the last of them.
    void drainDeliversWholeHttp2Responses()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty())
            QFAIL("curl is needed: bash packaging/install-deps.sh");
        GatewayHarness gw;
        QCOMPARE(gw.start(gatewayHeader(QStringLiteral("  http2: true\n")) + QStringLiteral("upstreams:\n")
                     + upstreamEntry(QStringLiteral("a"), *m_a)
                     + QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: a}\n")),
            QString());
        const qint64 size = 8 * 1024 * 1024;
        QTemporaryDir dir;
        QProcess curl;
        curl.start(QStringLiteral("curl"),
            { "-sS", "--http2-prior-knowledge", "--limit-rate", "4M", "-o",
                dir.filePath(QStringLiteral("body")), "-w", "%{http_code} %{size_download}",
                QStringLiteral("http://127.0.0.1:%1/big2?body_bytes=%2").arg(gw.port()).arg(size) });
        QVERIFY(curl.waitForStarted());
        QTRY_COMPARE(m_a->requestCount(QStringLiteral("/big2")), 1);
        gw.gateway().drain(std::chrono::milliseconds(20000));
        QVERIFY(curl.waitForFinished(25000));
        QVERIFY2(curl.exitCode() == 0, curl.readAllStandardError().constData());
        QCOMPARE(curl.readAllStandardOutput(), "200 " + QByteArray::number(size));
    }

    void drainDoesNotWaitForIdleConnections()
    {
        GatewayHarness gw;
        QCOMPARE(gw.start(config(QStringLiteral("a"))), QString());
        RawClient idle;
        QVERIFY(idle.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QCOMPARE(idle.roundTrip(httpRequest("GET", "/once", {}, {}, true)).status, 200);
        QElapsedTimer timer;
        timer.start();
        gw.gateway().drain(std::chrono::milliseconds(5000));
        QVERIFY2(timer.elapsed() < 1500, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(idle.isClosed(2000));
    }

    void drainFinishesInFlightThenStops()
    {
        GatewayHarness gw;
        QCOMPARE(gw.start(config(QStringLiteral("a"))), QString());
        const quint16 port = gw.port();
        RawClient slow;
        QVERIFY(slow.connectTo(QStringLiteral("127.0.0.1"), port));
        QVERIFY(slow.send(httpRequest("GET", "/draining?delay=500ms", {}, {}, true)));
        QTRY_COMPARE(m_a->requestCount(QStringLiteral("/draining")), 1);
        QSignalSpy stopped(&gw.gateway(), &gateway::Gateway::stopped);
        QElapsedTimer timer;
        timer.start();
        gw.gateway().drain(std::chrono::milliseconds(5000));
        QVERIFY2(timer.elapsed() < 4000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(stopped.size(), 1);
        QVERIFY(!gw.gateway().isRunning());
        const RawResponse r = slow.readResponse(3000);
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("connection").toLower(), QByteArray("close"));
        RawClient late;
        QVERIFY(!late.connectTo(QStringLiteral("127.0.0.1"), port, 1000));
    }
};

QTEST_GUILESS_MAIN(TestGatewayReload)
#include "tst_gateway_reload.moc"
