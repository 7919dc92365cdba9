// The HTTP/1.1 proxy path end to end: keep-alive on both sides, pipelining, chunked bodies both
// ways, HEAD, Expect: 100-continue, streaming, the WebSocket tunnel, the headers the gateway adds
// and drops, and HTTP/1.0 clients.
#include "GatewayHarness.h"
#include "support/WebSocketFrame.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace portico;
using namespace portico::test;

namespace {

QJsonObject echoHeaders(const RawResponse &r)
{
    return jsonOf(r).value(QStringLiteral("headers")).toObject();
}

QString echoHeader(const RawResponse &r, const char *name)
{
    return echoHeaders(r).value(QLatin1String(name)).toString();
}

} // namespace

class TestGatewayProxying : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LoopbackUpstream> m_upstream;
    std::unique_ptr<GatewayHarness> m_gw;

    bool connect(RawClient &client) { return client.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()); }

    // Reads one WebSocket frame sent by the server (unmasked).
    static bool readFrame(RawClient &client, WebSocketFrame *frame)
    {
        QByteArray buffer;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 5000) {
            const qsizetype used = WebSocketFrame::decode(buffer, frame);
            if (used > 0)
                return true;
            if (used < 0)
                return false;
            const QByteArray more = client.readExactly(1, 5000 - int(timer.elapsed()));
            if (more.isEmpty())
                return false;
            buffer += more;
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_upstream.reset(new LoopbackUpstream({ false, QStringLiteral("echo") }));
        QVERIFY(m_upstream->isRunning());
        m_gw.reset(new GatewayHarness);
        const QString yaml = gatewayHeader() + QStringLiteral("upstreams:\n")
            + upstreamEntry(QStringLiteral("up"), *m_upstream)
            + QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: up}\n");
        const QString problems = m_gw->start(yaml);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }

    void cleanupTestCase() { m_gw.reset(); }

    void init() { m_upstream->clear(); }

    void keepAliveReusesBothConnections()
    {
        RawClient client;
        QVERIFY(connect(client));
        for (int i = 0; i < 5; ++i) {
            const RawResponse r
                = client.roundTrip(httpRequest("GET", "/ka/" + QByteArray::number(i), {}, {}, true));
            QVERIFY2(r.complete, qPrintable(r.error));
            QCOMPARE(r.status, 200);
            QVERIFY(r.header("connection").toLower() != "close");
            QCOMPARE(jsonOf(r).value(QStringLiteral("path")).toString(), QStringLiteral("/ka/%1").arg(i));
        }
        QVERIFY(!client.isClosed(0));
        QCOMPARE(m_upstream->requestCount(), 5);
        // One client connection lives on one worker, whose pool hands the same upstream connection
        // to each request in turn.
        QCOMPARE(m_upstream->connectionCount(), 1);
    }

    void separateClientsShareEachWorkersPool()
    {
        for (int i = 0; i < 8; ++i)
            QCOMPARE(m_gw->get("/fresh").status, 200);
        QCOMPARE(m_upstream->requestCount(), 8);
        // At most one upstream connection per worker: requests on new client connections still
        // find the idle pooled one.
        QVERIFY2(m_upstream->connectionCount() <= m_gw->gateway().workerCount(),
            qPrintable(QString::number(m_upstream->connectionCount())));
    }

    void connectionCloseIsHonoured()
    {
        RawClient client;
        QVERIFY(connect(client));
        const RawResponse r = client.roundTrip(httpRequest("GET", "/bye"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("connection").toLower(), QByteArray("close"));
        QVERIFY(client.isClosed(3000));
    }

    void pipelinedRequestsAreAnsweredInOrder()
    {
        RawClient client;
        QVERIFY(connect(client));
        // The first is the slowest: answering in arrival order means the others wait for it.
        QVERIFY(client.send(httpRequest("GET", "/p1?delay=300ms", {}, {}, true)
            + httpRequest("POST", "/p2", {}, "two", true) + httpRequest("GET", "/p3", {}, {}, false)));
        const QStringList expected { QStringLiteral("/p1"), QStringLiteral("/p2"), QStringLiteral("/p3") };
        for (const QString &path : expected) {
            const RawResponse r = client.readResponse(5000);
            QVERIFY2(r.complete, qPrintable(r.error));
            QCOMPARE(r.status, 200);
            QCOMPARE(jsonOf(r).value(QStringLiteral("path")).toString(), path);
        }
        QVERIFY(client.isClosed(3000));
    }

    void longPipelinedBurst()
    {
        RawClient client;
        QVERIFY(connect(client));
        QByteArray burst;
        const int n = 40;
        for (int i = 0; i < n; ++i) {
            const QByteArray path = "/burst/" + QByteArray::number(i);
            burst += i % 2 ? httpRequest("POST", path, {}, "body-" + QByteArray::number(i), true)
                           : httpRequest("GET", path, {}, {}, true);
        }
        QVERIFY(client.send(burst));
        for (int i = 0; i < n; ++i) {
            const RawResponse r = client.readResponse(5000);
            QVERIFY2(r.complete, qPrintable(QStringLiteral("#%1: %2").arg(i).arg(r.error)));
            QCOMPARE(jsonOf(r).value(QStringLiteral("path")).toString(), QStringLiteral("/burst/%1").arg(i));
            if (i % 2)
                QCOMPARE(
                    jsonOf(r).value(QStringLiteral("body")).toString(), QStringLiteral("body-%1").arg(i));
        }
    }

    void concurrentClients()
    {
        std::atomic<int> ok { 0 };
        std::vector<std::unique_ptr<QThread>> threads;
        const quint16 port = m_gw->port();
        for (int t = 0; t < 6; ++t) {
            threads.emplace_back(QThread::create([&ok, port, t] {
                RawClient client;
                if (!client.connectTo(QStringLiteral("127.0.0.1"), port))
                    return;
                for (int i = 0; i < 15; ++i) {
                    const QByteArray body = QByteArray::number(t) + "-" + QByteArray::number(i);
                    const RawResponse r = client.roundTrip(httpRequest("POST", "/cc", {}, body, true));
                    if (r.status == 200
                        && jsonOf(r).value(QStringLiteral("body")).toString().toLatin1() == body)
                        ok.fetch_add(1);
                }
            }));
            threads.back()->start();
        }
        for (auto &t : threads)
            QVERIFY(t->wait(15000));
        QCOMPARE(ok.load(), 6 * 15);
    }

    void clientGoneMidStream()
    {
        {
            RawClient client;
            QVERIFY(connect(client));
            QVERIFY(client.send(httpRequest("GET", "/events?sse=20&interval=50ms")));
            QVERIFY(!client.readUntil("data: ", 3000).isEmpty());
        } // hangs up in the middle of the stream
        QTRY_COMPARE(m_gw->gateway().activeRequests(), quint64(0));
        QCOMPARE(m_gw->get("/after-hangup").status, 200);
    }

    void absoluteFormTarget()
    {
        const RawResponse r
            = m_gw->send("GET http://elsewhere.example/abs/path?q=1 HTTP/1.1\r\nHost: elsewhere.example\r\n"
                         "Connection: close\r\n\r\n");
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).value(QStringLiteral("path")).toString(), QStringLiteral("/abs/path"));
        QCOMPARE(jsonOf(r).value(QStringLiteral("query")).toString(), QStringLiteral("q=1"));
    }

    void nothingIsAnsweredAfterConnectionClose()
    {
        RawClient client;
        QVERIFY(connect(client));
        QVERIFY(client.send(
            httpRequest("GET", "/last-one", {}, {}, false) + httpRequest("GET", "/never", {}, {}, true)));
        const RawResponse r = client.readResponse();
        QCOMPARE(r.status, 200);
        QVERIFY(client.isClosed(3000));
        QVERIFY(client.pending().isEmpty());
        QCOMPARE(m_upstream->requestCount(QStringLiteral("/never")), 0);
    }

    void extensionMethodsPassThrough()
    {
        for (const QByteArray &method :
            { QByteArray("PURGE"), QByteArray("PROPFIND"), QByteArray("PATCH"), QByteArray("OPTIONS") }) {
            const RawResponse r = m_gw->request(method, "/m", "x");
            QCOMPARE(r.status, 200);
            QCOMPARE(jsonOf(r).value(QStringLiteral("method")).toString().toLatin1(), method);
        }
    }

    void chunkedRequestBodyIsStreamedChunked()
    {
        QByteArray req
            = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        req += wire::encodeChunk("hello ") + wire::encodeChunk("chunked ") + wire::encodeChunk("world");
        req += wire::encodeChunk({});
        const RawResponse r = m_gw->send(req);
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).value(QStringLiteral("body")).toString(), QStringLiteral("hello chunked world"));
        QCOMPARE(echoHeader(r, "transfer-encoding"), QStringLiteral("chunked"));
        QVERIFY(!echoHeaders(r).contains(QStringLiteral("content-length")));
    }

    void chunkedRequestSentSlowly()
    {
        RawClient client;
        QVERIFY(connect(client));
        QVERIFY(client.send("POST /slow HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
        for (const char *piece : { "a", "bb", "ccc" }) {
            QTest::qWait(50);
            QVERIFY(client.send(wire::encodeChunk(piece)));
        }
        QVERIFY(client.send(wire::encodeChunk({})));
        const RawResponse r = client.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).value(QStringLiteral("body")).toString(), QStringLiteral("abbccc"));
    }

    void chunkedResponseIsPassedChunked()
    {
        RawClient client;
        QVERIFY(connect(client));
        const RawResponse r = client.roundTrip(httpRequest("GET", "/c?chunks=3&interval=20ms", {}, {}, true));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("transfer-encoding"), QByteArray("chunked"));
        QCOMPARE(r.body, QByteArray("chunk 0\nchunk 1\nchunk 2\n"));
        // The framing ended cleanly: the same connection carries another request.
        QCOMPARE(client.roundTrip(httpRequest("GET", "/after-chunks", {}, {}, true)).status, 200);
    }

    void headHasNoBody()
    {
        RawClient client;
        QVERIFY(connect(client));
        QVERIFY(client.send(httpRequest("HEAD", "/h?body_bytes=500", {}, {}, true)));
        const RawResponse r = client.readResponse(5000, true);
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-length"), QByteArray("500"));
        QVERIFY(r.body.isEmpty());
        const RawResponse next = client.roundTrip(httpRequest("GET", "/after-head", {}, {}, true));
        QCOMPARE(next.status, 200);
        QCOMPARE(jsonOf(next).value(QStringLiteral("path")).toString(), QStringLiteral("/after-head"));
        QCOMPARE(m_upstream->lastRequests(2).first().method, QByteArray("HEAD"));
    }

    void noContentAndNotModified()
    {
        RawClient client;
        QVERIFY(connect(client));
        for (const QByteArray &status : { QByteArray("204"), QByteArray("304") }) {
            const RawResponse r = client.roundTrip(httpRequest("GET", "/s?status=" + status, {}, {}, true));
            QCOMPARE(r.status, status.toInt());
            QVERIFY(r.body.isEmpty());
            QVERIFY(!r.hasHeader("transfer-encoding"));
        }
        QCOMPARE(client.roundTrip(httpRequest("GET", "/after", {}, {}, true)).status, 200);
    }

    void expectContinue()
    {
        RawClient client;
        QVERIFY(connect(client));
        QVERIFY(
            client.send("PUT /doc HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
        const QByteArray interim = client.readUntil("\r\n\r\n", 3000);
        QCOMPARE(interim, QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
        QVERIFY(client.send("hello"));
        const RawResponse r = client.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).value(QStringLiteral("body")).toString(), QStringLiteral("hello"));
        // The gateway answered the expectation itself; the upstream gets a plain request.
        QVERIFY(!echoHeaders(r).contains(QStringLiteral("expect")));
    }

    void streamingIsNotBuffered()
    {
        RawClient client;
        QVERIFY(connect(client));
        QElapsedTimer timer;
        timer.start();
        QVERIFY(client.send(httpRequest("GET", "/events?sse=3&interval=400ms")));
        const QByteArray first = client.readUntil("data: ", 3000);
        const qint64 firstAt = timer.elapsed();
        QVERIFY2(!first.isEmpty(), "no event arrived");
        QVERIFY(first.contains("text/event-stream"));
        const QByteArray rest = client.readUntil("\r\n0\r\n\r\n", 5000);
        const qint64 lastAt = timer.elapsed();
        QVERIFY(rest.contains("\"n\":2"));
        // The upstream sends the last event 800 ms after the first and ends 400 ms later. A
        // buffering proxy would deliver the first event only at the end.
        QVERIFY2(firstAt < 600, qPrintable(QString::number(firstAt)));
        QVERIFY2(lastAt - firstAt >= 900, qPrintable(QStringLiteral("%1 %2").arg(firstAt).arg(lastAt)));
    }

    void largeBodiesBothWays()
    {
        RawClient client;
        QVERIFY(connect(client));
        const qint64 size = 4 * 1024 * 1024;
        const RawResponse down = client.roundTrip(
            httpRequest("GET", "/big?body_bytes=" + QByteArray::number(size), {}, {}, true), 15000);
        QVERIFY2(down.complete, qPrintable(down.error));
        QCOMPARE(down.body.size(), size);
        QVERIFY(down.body.startsWith("abcdefghijklmnopqrstuvwxyz0123456789abc"));
        QByteArray upload(2 * 1024 * 1024, 'u');
        for (qsizetype i = 0; i < upload.size(); i += 4096)
            upload[i] = char('a' + (i / 4096) % 26);
        const RawResponse up = client.roundTrip(httpRequest("POST", "/upload", {}, upload, true), 15000);
        QCOMPARE(up.status, 200);
        QCOMPARE(jsonOf(up).value(QStringLiteral("body")).toString().toLatin1(), upload);
    }

    void slowReaderGetsEveryByte()
    {
        // The client does not read for a while: the gateway must pause the upstream at its
        // high-water mark and resume it later, neither dropping nor stalling the body.
        RawClient client;
        QVERIFY(connect(client));
        const qint64 size = 12 * 1024 * 1024;
        QVERIFY(client.send(httpRequest("GET", "/slowreader?body_bytes=" + QByteArray::number(size))));
        QTest::qWait(700);
        const RawResponse r = client.readResponse(15000);
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.body.size(), size);
        const QByteArray pattern = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (qint64 i = 0; i < size; i += 4093) // nothing lost or repeated along the way
            QCOMPARE(r.body.at(i), pattern.at(i % pattern.size()));
        QCOMPARE(r.body.at(size - 1), pattern.at((size - 1) % pattern.size()));
    }

    void webSocketEchoThroughTheTunnel()
    {
        RawClient client;
        QVERIFY(connect(client));
        const QByteArray key = "dGhlIHNhbXBsZSBub25jZQ==";
        QVERIFY(client.send("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
            + key + "\r\nSec-WebSocket-Protocol: chat\r\n\r\n"));
        const RawResponse handshake = client.readResponse(5000);
        QVERIFY2(handshake.complete, qPrintable(handshake.error));
        QCOMPARE(handshake.status, 101);
        QCOMPARE(handshake.header("upgrade").toLower(), QByteArray("websocket"));
        QCOMPARE(handshake.header("sec-websocket-accept"), WebSocketFrame::acceptKey(key));
        QCOMPARE(handshake.header("sec-websocket-protocol"), QByteArray("chat"));

        WebSocketFrame text;
        text.payload = "hello through portico";
        QVERIFY(client.send(text.encode(true)));
        WebSocketFrame echoed;
        QVERIFY(readFrame(client, &echoed));
        QCOMPARE(echoed.opcode, quint8(WebSocketFrame::Text));
        QCOMPARE(echoed.payload, text.payload);
        QVERIFY(!echoed.masked);

        WebSocketFrame binary;
        binary.opcode = WebSocketFrame::Binary;
        binary.payload = QByteArray(70000, '\x7f');
        QVERIFY(client.send(binary.encode(true)));
        QVERIFY(readFrame(client, &echoed));
        QCOMPARE(echoed.opcode, quint8(WebSocketFrame::Binary));
        QCOMPARE(echoed.payload.size(), binary.payload.size());

        WebSocketFrame close;
        close.opcode = WebSocketFrame::Close;
        close.payload = WebSocketFrame::closePayload(1000);
        QVERIFY(client.send(close.encode(true)));
        QVERIFY(readFrame(client, &echoed));
        QCOMPARE(echoed.opcode, quint8(WebSocketFrame::Close));
        // The upstream ends the connection after the close handshake; the tunnel passes that on.
        QVERIFY(client.isClosed(3000));
    }

    void framesSentWithTheHandshakeAreKept()
    {
        // An eager client pipelines its first frame behind the upgrade request: it must wait in
        // the gateway until the tunnel exists, then go through.
        RawClient client;
        QVERIFY(connect(client));
        WebSocketFrame text;
        text.payload = "eager";
        QVERIFY(client.send("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
            + text.encode(true)));
        QCOMPARE(client.readResponse(5000).status, 101);
        WebSocketFrame echoed;
        QVERIFY(readFrame(client, &echoed));
        QCOMPARE(echoed.payload, QByteArray("eager"));
    }

    void forwardedHeadersAndRequestId()
    {
        const RawResponse r = m_gw->get("/fwd",
            { { "Host", "api.example:8080" }, { "X-Forwarded-For", "203.0.113.9" },
                { "X-Forwarded-Proto", "https" }, { "X-Forwarded-Host", "spoofed" } });
        QCOMPARE(r.status, 200);
        QCOMPARE(echoHeader(r, "x-forwarded-for"), QStringLiteral("203.0.113.9, 127.0.0.1"));
        // Proto and Host describe this hop: client-supplied values are replaced, not trusted.
        QCOMPARE(echoHeader(r, "x-forwarded-proto"), QStringLiteral("http"));
        QCOMPARE(echoHeader(r, "x-forwarded-host"), QStringLiteral("api.example:8080"));
        QCOMPARE(echoHeader(r, "host"), m_upstream->hostPort());
        const QByteArray id = r.header("x-request-id");
        QVERIFY(id.size() >= 16);
        QCOMPARE(echoHeader(r, "x-request-id").toLatin1(), id);
        QVERIFY(!echoHeader(r, "traceparent").isEmpty());

        // A second request gets a different id.
        QVERIFY(m_gw->get("/fwd").header("x-request-id") != id);
    }

    // Forwarded (RFC 7239) and X-Real-IP say the same things as X-Forwarded-*: a client cannot
    // set them for the upstream to believe.
    void forwardedAndRealIpFromTheClientAreDropped()
    {
        const RawResponse r = m_gw->get("/fwd",
            { { "Forwarded", "for=10.0.0.1;proto=https;host=admin.internal" }, { "X-Real-IP", "10.0.0.1" },
                { "forwarded", "for=\"[::1]\"" }, { "x-real-ip", "10.0.0.2" } });
        QCOMPARE(r.status, 200);
        const QJsonObject headers = echoHeaders(r);
        for (auto it = headers.begin(); it != headers.end(); ++it) {
            QVERIFY2(it.key().compare(QStringLiteral("forwarded"), Qt::CaseInsensitive) != 0,
                qPrintable(it.key()));
            QVERIFY2(it.key().compare(QStringLiteral("x-real-ip"), Qt::CaseInsensitive) != 0,
                qPrintable(it.key()));
        }
        QCOMPARE(echoHeader(r, "x-forwarded-for"), QStringLiteral("127.0.0.1"));
    }

    void traceContextIsPropagated()
    {
        const QByteArray incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        const RawResponse r = m_gw->get("/trace", { { "traceparent", incoming } });
        QCOMPARE(r.status, 200);
        const QString upstream = echoHeader(r, "traceparent");
        // Same trace, a new span of the gateway's own.
        QVERIFY2(upstream.startsWith(QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736-")),
            qPrintable(upstream));
        QVERIFY(!upstream.contains(QStringLiteral("00f067aa0ba902b7")));
    }

    void clientRequestIdIsKept()
    {
        const RawResponse r = m_gw->get("/rid", { { "X-Request-Id", "client-chosen-42" } });
        QCOMPARE(r.header("x-request-id"), QByteArray("client-chosen-42"));
        QCOMPARE(echoHeader(r, "x-request-id"), QStringLiteral("client-chosen-42"));
    }

    void hopByHopHeadersAreDropped()
    {
        const RawResponse r
            = m_gw->send("GET /hop?header=Keep-Alive:timeout%3D5&header=Proxy-Connection:keep-alive"
                         "&header=X-Kept:yes HTTP/1.1\r\n"
                         "Host: x\r\nConnection: close, X-Secret\r\nX-Secret: s3cret\r\n"
                         "Keep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Connection: keep-alive\r\n"
                         "Trailer: X-T\r\nUpgrade: h2c\r\nX-Normal: n\r\n\r\n");
        QCOMPARE(r.status, 200);
        const QJsonObject h = echoHeaders(r);
        for (const char *name : { "x-secret", "keep-alive", "te", "proxy-connection", "trailer", "upgrade" })
            QVERIFY2(!h.contains(QLatin1String(name)), name);
        QCOMPARE(h.value(QStringLiteral("x-normal")).toString(), QStringLiteral("n"));
        // And on the way back.
        QVERIFY(!r.hasHeader("keep-alive"));
        QVERIFY(!r.hasHeader("proxy-connection"));
        QCOMPARE(r.header("x-kept"), QByteArray("yes"));
    }

    void http10Client()
    {
        RawClient client;
        QVERIFY(connect(client));
        QVERIFY(client.send("GET /old HTTP/1.0\r\n\r\n"));
        const RawResponse r = client.readResponse();
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).value(QStringLiteral("path")).toString(), QStringLiteral("/old"));
        QVERIFY(client.isClosed(3000));
        // Upstream side the request is HTTP/1.1 with a Host.
        QCOMPARE(m_upstream->lastRequest().version, QByteArray("HTTP/1.1"));
        QCOMPARE(m_upstream->lastRequest().header("host"), m_upstream->hostPort().toLatin1());
    }

    void http10ClientGetsUnknownLengthCloseDelimited()
    {
        RawClient client;
        QVERIFY(connect(client));
        QVERIFY(client.send("GET /c?chunks=2&interval=10ms HTTP/1.0\r\n\r\n"));
        const QByteArray all = client.readUntilClosed(5000);
        QVERIFY2(all.startsWith("HTTP/1.1 200"), all.constData());
        const qsizetype end = all.indexOf("\r\n\r\n");
        const QByteArray head = all.left(end).toLower();
        // An HTTP/1.0 client cannot decode chunked: the end of the connection ends the body.
        QVERIFY(!head.contains("transfer-encoding"));
        QCOMPARE(all.mid(end + 4), QByteArray("chunk 0\nchunk 1\n"));
    }

    void http10KeepAlive()
    {
        RawClient client;
        QVERIFY(connect(client));
        const RawResponse first = client.roundTrip("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        QCOMPARE(first.status, 200);
        QCOMPARE(first.header("connection").toLower(), QByteArray("keep-alive"));
        const RawResponse second = client.roundTrip("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        QCOMPARE(second.status, 200);
        QCOMPARE(jsonOf(second).value(QStringLiteral("path")).toString(), QStringLiteral("/b"));
    }
};

QTEST_GUILESS_MAIN(TestGatewayProxying)
#include "tst_gateway_proxying.moc"
