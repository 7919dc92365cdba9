// Tests of the test-support library itself: if these helpers lie, every integration test built on them
// lies too. Each helper is exercised over real loopback sockets.
#include "support/FakeClock.h"
#include "support/HttpWire.h"
#include "support/LoopbackUpstream.h"
#include "support/RawClient.h"
#include "support/SelfSignedCert.h"
#include "support/TempWorkspace.h"
#include "support/WebSocketFrame.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTest>
#include <QThread>
#include <QTimeZone>

using namespace portico::test;
using namespace std::chrono_literals;

namespace {

QJsonObject json(const RawResponse &response)
{
    return QJsonDocument::fromJson(response.body).object();
}

RawResponse get(const LoopbackUpstream &upstream, const QByteArray &target, const wire::Headers &headers = {})
{
    RawClient client;
    if (!client.connectTo(QStringLiteral("127.0.0.1"), upstream.port())) {
        RawResponse failed;
        failed.error = client.errorString();
        return failed;
    }
    return client.roundTrip(httpRequest("GET", target, headers));
}

} // namespace

class TestSupport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void upstreamEchoesRequest()
    {
        LoopbackUpstream upstream({ false, QStringLiteral("users-v1") });
        QVERIFY2(upstream.isRunning(), qPrintable(upstream.errorString()));
        RawClient client;
        QVERIFY2(
            client.connectTo(QStringLiteral("127.0.0.1"), upstream.port()), qPrintable(client.errorString()));
        const RawResponse r = client.roundTrip(httpRequest("POST", "/api/users?x=1&y=two",
            { { "X-Tag", "a" }, { "x-tag", "b" }, { "Content-Type", "text/plain" } }, "hello body"));
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), QByteArray("application/json"));
        QCOMPARE(r.header("X-UPSTREAM-NAME"), QByteArray("users-v1"));
        const QJsonObject echo = json(r);
        QCOMPARE(echo.value("method").toString(), QStringLiteral("POST"));
        QCOMPARE(echo.value("path").toString(), QStringLiteral("/api/users"));
        QCOMPARE(echo.value("query").toString(), QStringLiteral("x=1&y=two"));
        QCOMPARE(echo.value("body").toString(), QStringLiteral("hello body"));
        QCOMPARE(echo.value("server").toString(), QStringLiteral("users-v1"));
        const QJsonObject headers = echo.value("headers").toObject();
        QCOMPARE(headers.value("x-tag").toString(), QStringLiteral("a, b"));
        QCOMPARE(headers.value("content-length").toString(), QStringLiteral("10"));
        QVERIFY(!headers.contains("X-Tag"));

        QCOMPARE(upstream.requestCount(), 1);
        const RecordedRequest recorded = upstream.lastRequest();
        QCOMPARE(recorded.method, QByteArray("POST"));
        QCOMPARE(recorded.path, QStringLiteral("/api/users"));
        QCOMPARE(recorded.query, QStringLiteral("x=1&y=two"));
        QCOMPARE(recorded.header("X-TAG"), QByteArray("a, b"));
        QCOMPARE(recorded.body, QByteArray("hello body"));
        // Connection: close was asked for, so the server ends the connection after answering.
        QTRY_VERIFY(client.isClosed()); // polls without blocking
    }

    void upstreamStatusHeaderAndContentType()
    {
        LoopbackUpstream upstream;
        const RawResponse r
            = get(upstream, "/teapot?status=418&header=X-Extra:yes%20please&header=X-Two:2&ctype=text/html");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 418);
        QCOMPARE(r.reason, QByteArray("I'm a teapot"));
        QCOMPARE(r.header("x-extra"), QByteArray("yes please"));
        QCOMPARE(r.header("x-two"), QByteArray("2"));
        QCOMPARE(r.header("content-type"), QByteArray("text/html"));
        QCOMPARE(json(r).value("path").toString(), QStringLiteral("/teapot"));
    }

    void upstreamRejectsBadParameters()
    {
        LoopbackUpstream upstream;
        const RawResponse r = get(upstream, "/?delay=soon");
        QCOMPARE(r.status, 400);
        QVERIFY(json(r).value("error").toString().contains(QLatin1String("delay")));
        QCOMPARE(get(upstream, "/?status=99").status, 400);
        QCOMPARE(get(upstream, "/?header=novalue").status, 400);
    }

    void upstreamBodyBytesAndGzip()
    {
        LoopbackUpstream upstream;
        RawResponse r = get(upstream, "/big?body_bytes=100000");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.body.size(), 100000);
        QCOMPARE(r.body.left(5), QByteArray("abcde"));
        QCOMPARE(r.header("content-type"), QByteArray("application/octet-stream"));

        r = get(upstream, "/z?gzip=1&body_bytes=5000");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.header("content-encoding"), QByteArray("gzip"));
        QVERIFY(r.body.size() < 5000);
        bool ok = false;
        const QByteArray plain = wire::gunzip(r.body, &ok);
        QVERIFY(ok);
        QCOMPARE(plain.size(), 5000);
        QCOMPARE(plain.mid(26, 4), QByteArray("0123"));
    }

    void upstreamDelayDoesNotBlockOtherConnections()
    {
        LoopbackUpstream upstream;
        RawClient slow;
        QVERIFY(slow.connectTo(QStringLiteral("127.0.0.1"), upstream.port()));
        QElapsedTimer timer;
        timer.start();
        QVERIFY(slow.send(httpRequest("GET", "/slow?delay=600ms")));
        // While the slow answer is pending, another connection is served at once.
        QTRY_COMPARE(upstream.requestCount(), 1);
        QElapsedTimer fastTimer;
        fastTimer.start();
        const RawResponse fast = get(upstream, "/fast");
        QCOMPARE(fast.status, 200);
        QVERIFY2(fastTimer.elapsed() < 500, qPrintable(QString::number(fastTimer.elapsed())));
        const RawResponse r = slow.readResponse(3000);
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QVERIFY2(timer.elapsed() >= 590, qPrintable(QString::number(timer.elapsed())));
    }

    void upstreamSseEventsAreSpacedInTime()
    {
        LoopbackUpstream upstream;
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), upstream.port()));
        QElapsedTimer timer;
        timer.start();
        QVERIFY(client.send(httpRequest("GET", "/events?sse=3&interval=150ms")));
        const QByteArray head = client.readUntil("\r\n\r\n", 2000);
        QVERIFY(head.startsWith("HTTP/1.1 200"));
        QVERIFY(head.contains("Content-Type: text/event-stream"));
        QVERIFY(head.contains("Transfer-Encoding: chunked"));
        const QByteArray first = client.readUntil("\n\n", 2000);
        const qint64 firstAt = timer.elapsed();
        QVERIFY(first.contains("id: 0\nevent: message\ndata: {\"n\":0,\"server\":\"upstream\"}"));
        const QByteArray rest = client.readUntil("0\r\n\r\n", 3000);
        const qint64 endAt = timer.elapsed();
        QVERIFY(rest.contains("data: {\"n\":1"));
        QVERIFY(rest.contains("data: {\"n\":2"));
        // The first event reached us well before the stream ended: it was not buffered.
        QVERIFY2(endAt - firstAt >= 250, qPrintable(QStringLiteral("%1 %2").arg(firstAt).arg(endAt)));
    }

    void upstreamChunkedResponseIsDechunked()
    {
        LoopbackUpstream upstream;
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), upstream.port()));
        QElapsedTimer timer;
        timer.start();
        const RawResponse r = client.roundTrip(httpRequest("GET", "/c?chunks=4&interval=40ms"));
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.header("transfer-encoding"), QByteArray("chunked"));
        QCOMPARE(r.body, QByteArray("chunk 0\nchunk 1\nchunk 2\nchunk 3\n"));
        QVERIFY(r.raw.contains("8\r\nchunk 0\n\r\n"));
        QVERIFY(timer.elapsed() >= 150);
    }

    void upstreamCloseAbortsWithoutAnswer()
    {
        LoopbackUpstream upstream;
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), upstream.port()));
        const RawResponse r = client.roundTrip(httpRequest("GET", "/?close=1", {}, {}, true), 3000);
        QVERIFY(!r.complete);
        QCOMPARE(r.error, QStringLiteral("connection closed before any response"));
        QVERIFY(client.isClosed());
        QCOMPARE(upstream.requestCount(), 1);
    }

    void upstreamReadsChunkedRequestBody()
    {
        LoopbackUpstream upstream;
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), upstream.port()));
        QVERIFY(client.send(
            "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
        QTest::qWait(50); // the rest arrives in a later segment, as from a slow client
        QVERIFY(client.send("7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"));
        const RawResponse r = client.readResponse();
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(json(r).value("body").toString(), QStringLiteral("hello, world"));
        QCOMPARE(upstream.lastRequest().body, QByteArray("hello, world"));
    }

    void upstreamAnswersExpectContinue()
    {
        LoopbackUpstream upstream;
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), upstream.port()));
        QVERIFY(
            client.send("PUT /p HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
        QVERIFY(client.readUntil("\r\n\r\n").startsWith("HTTP/1.1 100 Continue"));
        QVERIFY(client.send("abc"));
        const RawResponse r = client.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(json(r).value("body").toString(), QStringLiteral("abc"));
    }

    void upstreamKeepAliveReusesConnection()
    {
        LoopbackUpstream upstream;
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), upstream.port()));
        for (int i = 0; i < 3; ++i) {
            const RawResponse r
                = client.roundTrip(httpRequest("GET", "/k/" + QByteArray::number(i), {}, {}, true));
            QVERIFY2(r.complete, qPrintable(r.error));
            QCOMPARE(r.header("connection"), QByteArray("keep-alive"));
        }
        // Two pipelined requests in one write are answered in order.
        QVERIFY(
            client.send(httpRequest("GET", "/p1", {}, {}, true) + httpRequest("GET", "/p2", {}, {}, true)));
        QCOMPARE(json(client.readResponse()).value("path").toString(), QStringLiteral("/p1"));
        QCOMPARE(json(client.readResponse()).value("path").toString(), QStringLiteral("/p2"));
        QCOMPARE(upstream.requestCount(), 5);
        QCOMPARE(upstream.connectionCount(), 1);
        QVERIFY(!client.isClosed(50));

        QCOMPARE(get(upstream, "/other").status, 200);
        QCOMPARE(upstream.connectionCount(), 2);
        QCOMPARE(upstream.lastRequests(2).first().path, QStringLiteral("/p2"));
        QCOMPARE(upstream.lastRequests().size(), 6);
        upstream.clear();
        QCOMPARE(upstream.requestCount(), 0);
        QCOMPARE(upstream.connectionCount(), 0);
    }

    void upstreamHealthz()
    {
        LoopbackUpstream upstream;
        QCOMPARE(get(upstream, "/healthz").status, 200);
        upstream.setHealthy(false);
        QVERIFY(!upstream.isHealthy());
        const RawResponse r = get(upstream, "/healthz");
        QCOMPARE(r.status, 503);
        QCOMPARE(json(r).value("status").toString(), QStringLiteral("unhealthy"));
        upstream.setHealthy(true);
        QCOMPARE(get(upstream, "/healthz").status, 200);
        QCOMPARE(upstream.requestCount(QStringLiteral("/healthz")), 3);
    }

    void upstreamWebSocketEcho()
    {
        LoopbackUpstream upstream;
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), upstream.port()));
        // The handshake example of RFC 6455 section 1.3.
        const RawResponse r = client.roundTrip(httpRequest("GET", "/ws",
            { { "Upgrade", "websocket" }, { "Connection", "Upgrade" },
                { "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==" }, { "Sec-WebSocket-Version", "13" },
                { "Sec-WebSocket-Protocol", "chat, superchat" } }));
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 101);
        QCOMPARE(r.header("sec-websocket-accept"), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        QCOMPARE(r.header("sec-websocket-protocol"), QByteArray("chat"));

        const auto roundTrip = [&client](const WebSocketFrame &frame) {
            WebSocketFrame echo;
            if (!client.send(frame.encode(true)))
                return echo;
            QByteArray buffer;
            while (WebSocketFrame::decode(buffer, &echo) == 0) {
                const QByteArray more = client.readExactly(1, 2000);
                if (more.isEmpty())
                    break;
                buffer += more;
            }
            return echo;
        };
        WebSocketFrame echo = roundTrip({ true, WebSocketFrame::Text, "hello ws", false });
        QCOMPARE(echo.opcode, quint8(WebSocketFrame::Text));
        QCOMPARE(echo.payload, QByteArray("hello ws"));
        QVERIFY(!echo.masked);
        const QByteArray binary(70000, '\x01');
        echo = roundTrip({ true, WebSocketFrame::Binary, binary, false });
        QCOMPARE(echo.opcode, quint8(WebSocketFrame::Binary));
        QCOMPARE(echo.payload, binary);
        echo = roundTrip({ true, WebSocketFrame::Ping, "p", false });
        QCOMPARE(echo.opcode, quint8(WebSocketFrame::Pong));
        echo = roundTrip({ true, WebSocketFrame::Close, WebSocketFrame::closePayload(1000, "bye"), false });
        QCOMPARE(echo.opcode, quint8(WebSocketFrame::Close));
        QCOMPARE(echo.payload, WebSocketFrame::closePayload(1000, "bye"));
        QVERIFY(client.isClosed(2000));
    }

    void upstreamServesTls()
    {
        LoopbackUpstream upstream({ true, QStringLiteral("secure") });
        QVERIFY2(upstream.isRunning(), qPrintable(upstream.errorString()));
        QVERIFY(upstream.url().toString().startsWith(QLatin1String("https://127.0.0.1:")));
        QVERIFY(QFile::exists(upstream.caCertPath()));
        QVERIFY(QFile::exists(upstream.keyPath()));

        // A plain QSslSocket that trusts only the generated CA, verifying the IP address SAN.
        QSslSocket socket;
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setCaCertificates(QSslCertificate::fromPath(upstream.caCertPath()));
        config.setPeerVerifyMode(QSslSocket::VerifyPeer);
        socket.setSslConfiguration(config);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), upstream.port());
        QVERIFY2(socket.waitForEncrypted(5000), qPrintable(socket.errorString()));
        socket.write(httpRequest("GET", "/tls?x=1"));
        QByteArray received;
        while (socket.waitForReadyRead(3000))
            received += socket.readAll();
        received += socket.readAll();
        QVERIFY2(received.startsWith("HTTP/1.1 200 OK"), received.constData());
        QVERIFY(received.contains("\"server\":\"secure\""));

        // RawClient with the DNS name, and the same CA.
        RawClient client;
        QVERIFY2(client.connectTls(QStringLiteral("127.0.0.1"), upstream.port(), upstream.caCertPath(),
                     QStringLiteral("localhost")),
            qPrintable(client.errorString()));
        const RawResponse r = client.roundTrip(httpRequest("POST", "/tls", {}, "secret"));
        QCOMPARE(r.status, 200);
        QCOMPARE(json(r).value("body").toString(), QStringLiteral("secret"));

        // Without the CA the handshake must fail: the certificate really is self-signed.
        RawClient untrusting;
        QVERIFY(!untrusting.connectTls(QStringLiteral("127.0.0.1"), upstream.port(), {}, {}, 3000));
    }

    void selfSignedCertRejectsWrongName()
    {
        QTemporaryDir dir;
        SelfSignedCert::Files files;
        QString error;
        QVERIFY2(SelfSignedCert::write(dir.path(), &files, &error, { QStringLiteral("api.test") }),
            qPrintable(error));
        const QList<QSslCertificate> certs = QSslCertificate::fromPath(files.certPath);
        QCOMPARE(certs.size(), 1);
        QCOMPARE(certs.first().subjectInfo(QSslCertificate::CommonName),
            QStringList { QStringLiteral("api.test") });
        QVERIFY(certs.first()
                    .subjectAlternativeNames()
                    .values(QSsl::DnsEntry)
                    .contains(QStringLiteral("api.test")));
        QVERIFY(!SelfSignedCert::write(dir.path() + QStringLiteral("/missing/dir"), &files, &error));
        QVERIFY(error.contains(QLatin1String("cert.pem")));
    }

    void rawClientReadsCloseDelimitedBody()
    {
        LoopbackUpstream upstream;
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), upstream.port()));
        // An HTTP/1.0 request without keep-alive: the upstream answers and closes.
        QVERIFY(client.send("GET /old HTTP/1.0\r\n\r\n"));
        const QByteArray all = client.readUntilClosed(3000);
        QVERIFY(all.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(all.contains("Connection: close"));
        QVERIFY(all.endsWith("}"));
        QVERIFY(client.isClosed());

        // HEAD: head only, even with a Content-Length.
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), upstream.port()));
        const RawResponse head = client.roundTrip(httpRequest("HEAD", "/h", {}, {}, true));
        QVERIFY2(head.complete, qPrintable(head.error));
        QVERIFY(head.body.isEmpty());
        QVERIFY(head.header("content-length").toInt() > 0);
        QVERIFY(!client.isClosed(50));
        QCOMPARE(client.roundTrip(httpRequest("GET", "/after-head")).status, 200);
    }

    void rawClientTimesOut()
    {
        LoopbackUpstream upstream;
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), upstream.port()));
        QElapsedTimer timer;
        timer.start();
        const RawResponse r = client.roundTrip(httpRequest("GET", "/?delay=2s"), 200);
        QVERIFY(!r.complete);
        QVERIFY(r.error.contains(QLatin1String("timed out")));
        QVERIFY(timer.elapsed() < 1500);
        QVERIFY(!client.connectTo(QStringLiteral("127.0.0.1"), 1, 1000));
        QVERIFY(!client.errorString().isEmpty());
    }

    void fakeClockAdvancesBothReadings()
    {
        FakeClock clock;
        const auto start = clock.now();
        const QDateTime wallStart = clock.wallNow();
        QCOMPARE(wallStart, QDateTime(QDate(2026, 1, 1), QTime(0, 0), QTimeZone::utc()));
        QVERIFY(clock.advance(1500ms));
        QCOMPARE(clock.now() - start, std::chrono::steady_clock::duration(1500ms));
        QCOMPARE(clock.wallNow(), wallStart.addMSecs(1500));
        QCOMPARE(clock.epochSeconds(), wallStart.toSecsSinceEpoch() + 1);
        QVERIFY(!clock.advance(-1ms));
        QCOMPARE(clock.elapsed(), 1500ms);
        QVERIFY(clock.advance(400us)); // below the wall clock's millisecond resolution
        QVERIFY(clock.advance(600us));
        QCOMPARE(clock.now() - start, std::chrono::steady_clock::duration(1501ms));
        QCOMPARE(clock.wallNow(), wallStart.addMSecs(1501));
        QVERIFY(clock.advance(0ms)); // standing still is allowed
        QCOMPARE(clock.elapsed(), 1501ms);

        // A wall-clock jump leaves monotonic time alone.
        clock.setWallNow(QDateTime(QDate(2030, 5, 1), QTime(12, 0), QTimeZone::utc()));
        QCOMPARE(clock.wallNow().date(), QDate(2030, 5, 1));
        QCOMPARE(clock.elapsed(), 1501ms);

        // Thread-safe: concurrent advances add up exactly.
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads << QThread::create([&clock] {
                for (int i = 0; i < 1000; ++i)
                    clock.advance(1ms);
            });
            threads.last()->start();
        }
        for (QThread *thread : threads) {
            QVERIFY(thread->wait(5000));
            delete thread;
        }
        QCOMPARE(clock.elapsed(), 5501ms);
    }

    void tempWorkspaceSubstitutesPlaceholders()
    {
        TempWorkspace ws;
        QVERIFY(ws.isValid());
        const QString path = ws.writeWorkspace(
            QStringLiteral("upstreams:\n  a: {targets: [\"127.0.0.1:{{UPSTREAM_PORT}}\"]}\n# "
                           "{{UPSTREAM_PORT}} {{NAME}}\n"),
            { { QStringLiteral("UPSTREAM_PORT"), QStringLiteral("4242") },
                { QStringLiteral("NAME"), QStringLiteral("x") } });
        QCOMPARE(path, ws.workspacePath());
        QVERIFY(path.startsWith(ws.dir()));
        QCOMPARE(ws.readFile(QStringLiteral("portico.yaml")),
            QByteArray("upstreams:\n  a: {targets: [\"127.0.0.1:4242\"]}\n# 4242 x\n"));
        const QString key = ws.writeFile(QStringLiteral("keys/public.pem"), QByteArray("PEM"));
        QVERIFY(QFile::exists(key));
        QCOMPARE(key, ws.path(QStringLiteral("keys/public.pem")));

        QStringList missing;
        QCOMPARE(TempWorkspace::substitute(QStringLiteral("{{A}}-{{B}}"),
                     { { QStringLiteral("A"), QStringLiteral("1") } }, &missing),
            QStringLiteral("1-{{B}}"));
        QCOMPARE(missing, QStringList { QStringLiteral("B") });

        const QString dir = ws.dir();
        {
            TempWorkspace other;
            QVERIFY(other.dir() != dir);
        }
    }
};

QTEST_GUILESS_MAIN(TestSupport)
#include "tst_testsupport.moc"
