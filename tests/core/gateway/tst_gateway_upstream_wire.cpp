// Upstream responses that a well-behaved test server never sends: close-delimited bodies, bodies
// cut short, interim 1xx answers, garbage, `Connection: close`. A scripted upstream (a bare socket
// on its own thread) answers each request with the next canned byte string.
#include "GatewayHarness.h"

#include <QElapsedTimer>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

using namespace portico;
using namespace portico::test;

namespace {

// Serves canned replies: the n-th request (over all connections) gets replies[n] (the last one
// repeats). After a reply the connection is closed when `closeAfterReply`, else the next request
// is read from it. An empty reply closes the connection without answering.
class ScriptedUpstream
{
public:
    ScriptedUpstream(QList<QByteArray> replies, bool closeAfterReply)
        : m_replies(std::move(replies))
        , m_close(closeAfterReply)
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa {};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(sa);
        if (::bind(m_listener, reinterpret_cast<sockaddr *>(&sa), len) != 0 || ::listen(m_listener, 16) != 0)
            return;
        ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&sa), &len);
        m_port = ntohs(sa.sin_port);
        m_thread = std::thread([this] { run(); });
    }
    ~ScriptedUpstream()
    {
        m_stop.store(true);
        if (m_thread.joinable())
            m_thread.join();
        ::close(m_listener);
    }
    ScriptedUpstream(const ScriptedUpstream &) = delete;
    ScriptedUpstream &operator=(const ScriptedUpstream &) = delete;

    quint16 port() const { return m_port; }
    int connections() const { return m_connections.load(); }
    int requests() const { return m_requests.load(); }

private:
    bool waitReadable(int fd)
    {
        while (!m_stop.load()) {
            pollfd p { fd, POLLIN, 0 };
            if (::poll(&p, 1, 50) > 0)
                return true;
        }
        return false;
    }

    void run()
    {
        while (waitReadable(m_listener)) {
            const int fd = ::accept(m_listener, nullptr, nullptr);
            if (fd < 0)
                continue;
            m_connections.fetch_add(1);
            serve(fd);
            ::close(fd);
        }
    }

    void serve(int fd)
    {
        QByteArray buffer;
        for (;;) {
            while (!buffer.contains("\r\n\r\n")) {
                if (!waitReadable(fd))
                    return;
                char chunk[4096];
                const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
                if (n <= 0)
                    return;
                buffer.append(chunk, n);
            }
            buffer.remove(0, buffer.indexOf("\r\n\r\n") + 4); // requests in these tests have no body
            const int n = m_requests.fetch_add(1);
            const QByteArray &reply = m_replies.at(std::min<qsizetype>(n, m_replies.size() - 1));
            ::send(fd, reply.constData(), size_t(reply.size()), MSG_NOSIGNAL);
            if (m_close || reply.isEmpty())
                return;
        }
    }

    QList<QByteArray> m_replies;
    bool m_close;
    int m_listener = -1;
    quint16 m_port = 0;
    std::thread m_thread;
    std::atomic<bool> m_stop { false };
    std::atomic<int> m_connections { 0 };
    std::atomic<int> m_requests { 0 };
};

QString routeTo(quint16 port, const QString &upstreamExtra = {})
{
    return gatewayHeader()
        + QStringLiteral("upstreams:\n  s:\n    targets: [{url: http://127.0.0.1:%1}]\n").arg(port)
        + upstreamExtra + QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: s}\n");
}

} // namespace

class TestGatewayUpstreamWire : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void closeDelimitedBodyIsReframed()
    {
        ScriptedUpstream up(
            { "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nuntil the end" },
            true);
        GatewayHarness gw;
        QCOMPARE(gw.start(routeTo(up.port())), QString());
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        const RawResponse r = client.roundTrip(httpRequest("GET", "/cd", {}, {}, true));
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("until the end"));
        // The client keeps its connection: the gateway framed the body itself.
        QCOMPARE(r.header("transfer-encoding"), QByteArray("chunked"));
        QCOMPARE(
            client.roundTrip(httpRequest("GET", "/cd2", {}, {}, true)).body, QByteArray("until the end"));
    }

    void truncatedBodyIsNotPassedOffAsComplete()
    {
        ScriptedUpstream up({ "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part" }, true);
        GatewayHarness gw;
        QCOMPARE(gw.start(routeTo(up.port())), QString());
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        const RawResponse r = client.roundTrip(httpRequest("GET", "/cut", {}, {}, true), 3000);
        // The head was already on its way: the only honest signal left is to cut the connection.
        QVERIFY(!r.complete);
        QVERIFY(client.isClosed(3000));
        QTRY_COMPARE(gw.gateway().activeRequests(), quint64(0));
    }

    void earlyHintsAreForwarded()
    {
        ScriptedUpstream up({ "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" },
            false);
        GatewayHarness gw;
        QCOMPARE(gw.start(routeTo(up.port())), QString());
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QVERIFY(client.send(httpRequest("GET", "/hints")));
        const QByteArray interim = client.readUntil("\r\n\r\n", 3000);
        QVERIFY2(interim.startsWith("HTTP/1.1 103"), interim.constData());
        QVERIFY(interim.contains("</style.css>; rel=preload"));
        const RawResponse r = client.readResponse(3000);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("ok"));
    }

    void garbageIs502()
    {
        ScriptedUpstream up({ "SURPRISE! not http at all\r\n\r\n" }, true);
        GatewayHarness gw;
        QCOMPARE(gw.start(routeTo(up.port())), QString());
        const RawResponse r = gw.get("/garbage");
        QCOMPARE(r.status, 502);
        QCOMPARE(r.header("content-type"), QByteArray("application/problem+json"));
    }

    void conflictingResponseFramingIs502_data()
    {
        QTest::addColumn<QByteArray>("reply");
        QTest::newRow("CL and TE") << QByteArray(
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3\r\nabc\r\n0\r\n\r\n");
        QTest::newRow("two CLs") << QByteArray(
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde");
        QTest::newRow("bad chunk") << QByteArray(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
    }

    void conflictingResponseFramingIs502()
    {
        QFETCH(QByteArray, reply);
        ScriptedUpstream up({ reply }, true);
        GatewayHarness gw;
        QCOMPARE(gw.start(routeTo(up.port())), QString());
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        const RawResponse r = client.roundTrip(httpRequest("GET", "/f"), 3000);
        // Either refused before the head went out (502), or cut afterwards: never a clean answer
        // whose framing the gateway guessed.
        if (r.complete)
            QCOMPARE(r.status, 502);
        else
            QVERIFY(client.isClosed(2000));
    }

    void bodyOnAHeadAnswerPoisonsNoConnection()
    {
        // A broken upstream answers HEAD with a body. The stray bytes must not be read as the next
        // response, so that connection cannot go back to the pool.
        ScriptedUpstream up({ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                                "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext" },
            false);
        GatewayHarness gw;
        QCOMPARE(gw.start(routeTo(up.port())), QString());
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QVERIFY(client.send(httpRequest("HEAD", "/h", {}, {}, true)));
        const RawResponse head = client.readResponse(3000, true);
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());
        const RawResponse next = client.roundTrip(httpRequest("GET", "/n", {}, {}, true));
        QCOMPARE(next.status, 200);
        QCOMPARE(next.body, QByteArray("next"));
    }

    void closedWithoutAnswerIs502()
    {
        ScriptedUpstream up({ QByteArray() }, true);
        GatewayHarness gw;
        QCOMPARE(gw.start(routeTo(up.port())), QString());
        QCOMPARE(gw.get("/nothing").status, 502);
    }

    void connectionCloseFromUpstreamIsNotPooled()
    {
        ScriptedUpstream up({ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok" }, true);
        GatewayHarness gw;
        QCOMPARE(gw.start(routeTo(up.port())), QString());
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        for (int i = 0; i < 3; ++i) {
            const RawResponse r = client.roundTrip(httpRequest("GET", "/once", {}, {}, true));
            QCOMPARE(r.status, 200);
            QCOMPARE(r.body, QByteArray("ok"));
            // Connection is hop-by-hop: the upstream's close is not the client's.
            QVERIFY(r.header("connection").toLower() != "close");
        }
        QCOMPARE(up.connections(), 3);
    }

    void keepAliveUpstreamIsPooled()
    {
        ScriptedUpstream up({ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" }, false);
        GatewayHarness gw;
        QCOMPARE(gw.start(routeTo(up.port())), QString());
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(client.roundTrip(httpRequest("GET", "/again", {}, {}, true)).status, 200);
        QCOMPARE(up.requests(), 3);
        QCOMPARE(up.connections(), 1);
    }

    void upstreamClosingPooledConnectionsCostsNothing()
    {
        // A keep-alive answer, then the upstream hangs up anyway (as servers with a short idle
        // timeout do). Whether the gateway notices before reusing the connection or only when the
        // reuse fails, the client must see 200 every time.
        ScriptedUpstream up({ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" }, true);
        GatewayHarness gw;
        QCOMPARE(gw.start(routeTo(up.port())), QString());
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        for (int i = 0; i < 20; ++i) {
            const RawResponse r = client.roundTrip(httpRequest("GET", "/stale", {}, {}, true));
            QVERIFY2(r.status == 200,
                qPrintable(
                    QStringLiteral("#%1: %2 %3").arg(i).arg(r.status).arg(QString::fromLatin1(r.body))));
        }
        QCOMPARE(up.requests(), 20);
    }

    void requestLostOnAPooledConnection_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("upstreamRequests");
        // The upstream read the request and hung up without a word. It may have acted on it, so
        // only an idempotent request may be sent again (on a fresh connection).
        QTest::newRow("GET is retried") << QByteArray("GET") << 200 << 3;
        QTest::newRow("POST is not") << QByteArray("POST") << 502 << 2;
    }

    void requestLostOnAPooledConnection()
    {
        QFETCH(QByteArray, method);
        QFETCH(int, status);
        QFETCH(int, upstreamRequests);
        const QByteArray ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        ScriptedUpstream up({ ok, QByteArray(), ok }, false);
        GatewayHarness gw;
        QCOMPARE(gw.start(routeTo(up.port())), QString());
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QCOMPARE(client.roundTrip(httpRequest("GET", "/warm", {}, {}, true)).status, 200);
        const RawResponse r = client.roundTrip(httpRequest(method, "/lost", {}, {}, true));
        QCOMPARE(r.status, status);
        QCOMPARE(up.requests(), upstreamRequests);
    }

    void http10UpstreamResponse()
    {
        ScriptedUpstream up({ "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold server" }, true);
        GatewayHarness gw;
        QCOMPARE(gw.start(routeTo(up.port())), QString());
        const RawResponse r = gw.get("/old");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("old server"));
        QVERIFY(r.version == "HTTP/1.1");
    }
};

QTEST_GUILESS_MAIN(TestGatewayUpstreamWire)
#include "tst_gateway_upstream_wire.moc"
