// Safety limits and request smuggling over raw sockets: each vector gets its exact status as
// problem+json, and the connection is closed after every refusal (a client that sent something
// malformed cannot be trusted to frame the next request correctly).
#include "GatewayHarness.h"

#include <QElapsedTimer>
#include <QTest>

using namespace portico;
using namespace portico::test;

class TestGatewayLimits : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LoopbackUpstream> m_upstream;
    std::unique_ptr<GatewayHarness> m_gw;

    // Sends `bytes` on a fresh connection, expects `status` as problem+json and the connection closed.
    void expectRefusal(const QByteArray &bytes, int status)
    {
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
        QVERIFY(client.send(bytes));
        const RawResponse r = client.readResponse(5000);
        QVERIFY2(r.complete, qPrintable(r.error + QStringLiteral(" raw: ") + QString::fromLatin1(r.raw)));
        QCOMPARE(r.status, status);
        QCOMPARE(r.header("content-type"), QByteArray("application/problem+json"));
        QCOMPARE(r.header("connection").toLower(), QByteArray("close"));
        QCOMPARE(jsonOf(r).value(QStringLiteral("status")).toInt(), status);
        QVERIFY(!r.header("x-request-id").isEmpty());
        QVERIFY2(client.isClosed(3000), "the gateway kept the connection open after a refusal");
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_upstream.reset(new LoopbackUpstream);
        QVERIFY(m_upstream->isRunning());
        m_gw.reset(new GatewayHarness);
        const QString yaml = gatewayHeader(QStringLiteral("  limits:\n"
                                                          "    max_header_bytes: 4KiB\n"
                                                          "    max_body_bytes: 1KiB\n"
                                                          "    header_timeout: 400ms\n"
                                                          "    idle_timeout: 2s\n"))
            + QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), *m_upstream)
            + QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: up}\n");
        const QString problems = m_gw->start(yaml);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }

    void cleanupTestCase() { m_gw.reset(); }

    void withinLimitsPasses()
    {
        const RawResponse r = m_gw->request("POST", "/echo", QByteArray(1024, 'b'));
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).value(QStringLiteral("body")).toString().size(), 1024);
    }

    void oversizedHeadIs431()
    {
        expectRefusal("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(8 * 1024, 'x') + "\r\n\r\n", 431);
        // Many small fields add up too.
        QByteArray many = "GET / HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < 400; ++i)
            many += "X-F" + QByteArray::number(i) + ": v\r\n";
        expectRefusal(many + "\r\n", 431);
        expectRefusal("GET /" + QByteArray(8 * 1024, 'p') + " HTTP/1.1\r\nHost: x\r\n\r\n", 431);
    }

    void oversizedBodyByContentLengthIs413()
    {
        const int before = m_upstream->requestCount();
        // Refused from the head alone: the body is never read, the upstream never asked.
        expectRefusal("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", 413);
        QCOMPARE(m_upstream->requestCount(), before);
    }

    void oversizedBodyByChunksIs413()
    {
        QByteArray req = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int i = 0; i < 4; ++i)
            req += wire::encodeChunk(QByteArray(400, char('a' + i)));
        req += wire::encodeChunk({});
        expectRefusal(req, 413);
    }

    void expectContinueWithOversizedBodyGets413NotContinue()
    {
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
        QVERIFY(client.send(
            "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n"));
        const QByteArray first = client.readUntil("\r\n", 3000);
        QVERIFY2(first.startsWith("HTTP/1.1 413"), first.constData());
    }

    void slowHeadIs408AndClosed()
    {
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
        QElapsedTimer timer;
        timer.start();
        QVERIFY(client.send("GET / HTTP/1.1\r\nHost: x\r\n")); // and then nothing
        const RawResponse r = client.readResponse(5000);
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 408);
        QCOMPARE(r.header("content-type"), QByteArray("application/problem+json"));
        QVERIFY(timer.elapsed() >= 350);
        QVERIFY(client.isClosed(3000));
    }

    void tricklingHeadIs408()
    {
        // Slowloris: a byte at a time keeps the connection busy but must not reset the clock.
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
        QElapsedTimer timer;
        timer.start();
        const QByteArray head
            = "GET /trickle HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        for (qsizetype i = 0; i < head.size() && client.send(head.mid(i, 1)); ++i) {
            if (client.isClosed(100))
                break;
        }
        const RawResponse r = client.readResponse(3000);
        QCOMPARE(r.status, 408);
        QVERIFY2(timer.elapsed() < 2500, qPrintable(QString::number(timer.elapsed())));
    }

    void slowHeadOnAKeptAliveConnectionIs408()
    {
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
        QCOMPARE(client.roundTrip(httpRequest("GET", "/first", {}, {}, true)).status, 200);
        QVERIFY(client.send("GET /second HTTP/1.1\r\nHost: x\r\nX-Slow"));
        const RawResponse r = client.readResponse(5000);
        QCOMPARE(r.status, 408);
        QVERIFY(client.isClosed(3000));
    }

    void silentConnectionIsClosedWithout408()
    {
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
        // Nothing was asked, so nothing is answered: the connection just ends.
        QVERIFY(client.isClosed(4000));
        QVERIFY(client.pending().isEmpty());
    }

    void idleKeptAliveConnectionIsClosed()
    {
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
        QCOMPARE(client.roundTrip(httpRequest("GET", "/", {}, {}, true)).status, 200);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(client.isClosed(5000));
        QVERIFY(timer.elapsed() >= 1500);
        QVERIFY(client.pending().isEmpty());
    }

    void malformedIs400_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::newRow("CL+TE") << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                                             "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        QTest::newRow("differing CLs") << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                                                     "Content-Length: 4\r\n\r\nabcd");
        QTest::newRow("CL list") << QByteArray(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd");
        QTest::newRow("invalid chunk size")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "xyz\r\nabc\r\n0\r\n\r\n");
        QTest::newRow("chunk size overflow")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "fffffffffffffffff1\r\nabc\r\n0\r\n\r\n");
        QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n");
        QTest::newRow("bare CR") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rX-B: b\r\n\r\n");
        QTest::newRow("non-chunked final TE")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\n"
                          "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n");
        QTest::newRow("TE gzip") << QByteArray(
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc");
        QTest::newRow("missing Host") << QByteArray("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n");
        QTest::newRow("two Hosts") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
        QTest::newRow("not HTTP") << QByteArray("HELLO THERE\r\n\r\n");
    }

    void malformedIs400()
    {
        QFETCH(QByteArray, request);
        const int before = m_upstream->requestCount();
        expectRefusal(request, 400);
        if (QByteArray(QTest::currentDataTag()) != "invalid chunk size"
            && QByteArray(QTest::currentDataTag()) != "chunk size overflow")
            QCOMPARE(m_upstream->requestCount(), before); // refused from the head: nothing forwarded
    }

    void smuggledSecondRequestIsNeverForwarded()
    {
        // The classic CL.TE attack: a front end reading Content-Length would forward "GET /admin"
        // as a second request. Refusing the first request must drop everything after it.
        m_upstream->clear();
        expectRefusal("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n",
            400);
        QTest::qWait(100);
        QCOMPARE(m_upstream->requestCount(QStringLiteral("/admin")), 0);
    }

    void gatewayStillServesAfterRefusals() { QCOMPARE(m_gw->get("/after").status, 200); }
};

QTEST_GUILESS_MAIN(TestGatewayLimits)
#include "tst_gateway_limits.moc"
