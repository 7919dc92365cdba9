// Upstream failure modes and what the gateway makes of them: 502 refused/reset, 503 no healthy
// target, 504 timeouts; retries (idempotent methods only), active health checks and passive
// ejection; load balancing. Every target is on loopback: a "refused" target is a port that was
// just closed, a "hanging" one a listening socket whose accept queue the test has filled.
#include "GatewayHarness.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace portico;
using namespace portico::test;

namespace {

// A loopback port nothing listens on (bound, then closed again).
quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

// A listening socket with a backlog of 0 that never accepts, its queue filled by the test: further
// connection attempts get no answer, so connecting to it hangs until the connector gives up.
class FullBacklog
{
public:
    FullBacklog()
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa {};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(sa);
        if (::bind(m_listener, reinterpret_cast<sockaddr *>(&sa), len) != 0 || ::listen(m_listener, 0) != 0)
            return;
        ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&sa), &len);
        m_port = ntohs(sa.sin_port);
        for (int i = 0; i < 16; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            m_fillers.push_back(fd);
            ::connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa));
            pollfd p { fd, POLLOUT, 0 };
            if (::poll(&p, 1, 300) == 0) {
                m_hangs = true; // this one got no answer: the queue is full
                return;
            }
        }
    }
    ~FullBacklog()
    {
        for (int fd : m_fillers)
            ::close(fd);
        if (m_listener >= 0)
            ::close(m_listener);
    }
    FullBacklog(const FullBacklog &) = delete;
    FullBacklog &operator=(const FullBacklog &) = delete;

    bool hangs() const { return m_hangs; }
    quint16 port() const { return m_port; }

private:
    int m_listener = -1;
    std::vector<int> m_fillers;
    quint16 m_port = 0;
    bool m_hangs = false;
};

QString problemType(const RawResponse &r)
{
    return jsonOf(r).value(QStringLiteral("type")).toString();
}

QString twoTargets(const QString &first, const QString &second, const QString &extra = {})
{
    return gatewayHeader()
        + QStringLiteral("upstreams:\n  pair:\n    targets: [{url: %1}, {url: %2}]\n").arg(first, second)
        + extra + QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: pair}\n");
}

} // namespace

class TestGatewayUpstreams : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void refusedIs502()
    {
        GatewayHarness gw;
        const QString yaml = gatewayHeader()
            + QStringLiteral("upstreams:\n  dead: {targets: [{url: http://127.0.0.1:%1}]}\n")
                  .arg(closedPort())
            + QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: dead}\n");
        QCOMPARE(gw.start(yaml), QString());
        const RawResponse r = gw.get("/x");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 502);
        QCOMPARE(r.header("content-type"), QByteArray("application/problem+json"));
        QVERIFY(problemType(r).endsWith(QStringLiteral("bad-gateway")));
        QCOMPARE(jsonOf(r).value(QStringLiteral("status")).toInt(), 502);
    }

    void resetIs502()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QCOMPARE(gw.start(gatewayHeader() + QStringLiteral("upstreams:\n")
                     + upstreamEntry(QStringLiteral("up"), upstream)
                     + QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: up}\n")),
            QString());
        const RawResponse r = gw.get("/x?close=1");
        QCOMPARE(r.status, 502);
        QCOMPARE(r.header("content-type"), QByteArray("application/problem+json"));
        // The reset cost nothing else: the next request is served.
        QCOMPARE(gw.get("/y").status, 200);
    }

    void responseTimeoutIs504()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QCOMPARE(
            gw.start(gatewayHeader() + QStringLiteral("upstreams:\n")
                + upstreamEntry(
                    QStringLiteral("up"), upstream, QStringLiteral("    timeouts: {response: 1s}\n"))
                + QStringLiteral("routes:\n"
                                 "  - {name: quick, match: {path: /quick}, upstream: up, timeout: 150ms}\n"
                                 "  - {name: all, match: {path: /}, upstream: up}\n")),
            QString());
        QElapsedTimer timer;
        timer.start();
        const RawResponse r = gw.get("/slow?delay=3s");
        const qint64 took = timer.elapsed();
        QCOMPARE(r.status, 504);
        QVERIFY(problemType(r).endsWith(QStringLiteral("upstream-timeout")));
        QVERIFY2(took >= 950 && took < 2900, qPrintable(QString::number(took)));
        // A route's own timeout wins over the upstream's (the wide gap between the two keeps
        // this check clear of a loaded machine's scheduling delays).
        timer.restart();
        QCOMPARE(gw.get("/quick?delay=3s").status, 504);
        const qint64 quick = timer.elapsed();
        QVERIFY2(quick >= 140 && quick < 700, qPrintable(QString::number(quick)));
        // Slow but within the limit is fine.
        QCOMPARE(gw.get("/ok?delay=100ms").status, 200);
    }

    void connectTimeoutIs504()
    {
        FullBacklog hanging;
        if (!hanging.hangs())
            QSKIP("this kernel answers connects beyond a full accept queue; no way to make one hang on "
                  "loopback");
        GatewayHarness gw;
        const QString yaml = gatewayHeader()
            + QStringLiteral(
                "upstreams:\n  slow: {targets: [{url: http://127.0.0.1:%1}], timeouts: {connect: 300ms}}\n")
                  .arg(hanging.port())
            + QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: slow}\n");
        QCOMPARE(gw.start(yaml), QString());
        QElapsedTimer timer;
        timer.start();
        const RawResponse r = gw.get("/x");
        QCOMPARE(r.status, 504);
        QVERIFY(jsonOf(r).value(QStringLiteral("detail")).toString().contains(QStringLiteral("connect")));
        QVERIFY2(
            timer.elapsed() >= 280 && timer.elapsed() < 2500, qPrintable(QString::number(timer.elapsed())));
    }

    void noHealthyTargetIs503()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QCOMPARE(gw.start(gatewayHeader() + QStringLiteral("upstreams:\n")
                     + upstreamEntry(QStringLiteral("up"), upstream,
                         QStringLiteral("    health_check: {path: /healthz, interval: 100ms, "
                                        "unhealthy_after: 1, healthy_after: 1}\n"))
                     + QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: up}\n")),
            QString());
        QCOMPARE(gw.get("/x").status, 200);
        upstream.setHealthy(false);
        QTRY_COMPARE_WITH_TIMEOUT(gw.get("/x").status, 503, 5000);
        const RawResponse r = gw.get("/x");
        QCOMPARE(r.status, 503);
        QCOMPARE(r.header("content-type"), QByteArray("application/problem+json"));
        QVERIFY(problemType(r).endsWith(QStringLiteral("no-healthy-upstream")));
        upstream.setHealthy(true);
        QTRY_COMPARE_WITH_TIMEOUT(gw.get("/x").status, 200, 5000);
    }

    void healthCheckEjectsAndReturnsATarget()
    {
        LoopbackUpstream a({ false, QStringLiteral("a") });
        LoopbackUpstream b({ false, QStringLiteral("b") });
        GatewayHarness gw;
        QSignalSpy health(&gw.gateway(), &gateway::Gateway::targetHealthChanged);
        QCOMPARE(gw.start(twoTargets(a.url().toString(), b.url().toString(),
                     QStringLiteral("    health_check: {path: /healthz, interval: 100ms, "
                                    "unhealthy_after: 2, healthy_after: 2}\n"))),
            QString());
        QTRY_VERIFY(a.requestCount(QStringLiteral("/healthz")) >= 1
            && b.requestCount(QStringLiteral("/healthz")) >= 1);

        a.setHealthy(false);
        QTRY_VERIFY_WITH_TIMEOUT(!health.isEmpty(), 5000);
        QCOMPARE(health.first().at(0).toString(), QStringLiteral("pair"));
        QVERIFY(health.first().at(1).toString().contains(QString::number(a.port())));
        QCOMPARE(health.first().at(2).toBool(), false);
        const int aBefore = a.requestCount(QStringLiteral("/r"));
        for (int i = 0; i < 6; ++i) {
            const RawResponse r = gw.get("/r");
            QCOMPARE(r.status, 200);
            QCOMPARE(r.header("x-upstream-name"), QByteArray("b"));
        }
        QCOMPARE(a.requestCount(QStringLiteral("/r")), aBefore);

        a.setHealthy(true);
        QTRY_VERIFY_WITH_TIMEOUT(health.size() >= 2, 5000);
        QCOMPARE(health.at(1).at(2).toBool(), true);
        QSet<QByteArray> answered;
        for (int i = 0; i < 6; ++i)
            answered.insert(gw.get("/r").header("x-upstream-name"));
        QCOMPARE(answered, QSet<QByteArray>({ "a", "b" }));
    }

    void retriesConnectFailuresForIdempotentMethods()
    {
        LoopbackUpstream good({ false, QStringLiteral("good") });
        const QString dead = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());
        // Round robin starts at the first target, the dead one: the first request must be retried.
        GatewayHarness gw;
        QCOMPARE(
            gw.start(twoTargets(dead, good.url().toString(), QStringLiteral("    retries: 1\n"))), QString());
        const RawResponse r = gw.get("/idempotent");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-upstream-name"), QByteArray("good"));
        QCOMPARE(good.requestCount(QStringLiteral("/idempotent")), 1);
    }

    void retriedRequestCarriesItsBody()
    {
        LoopbackUpstream good({ false, QStringLiteral("good") });
        const QString dead = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());
        GatewayHarness gw;
        QCOMPARE(
            gw.start(twoTargets(dead, good.url().toString(), QStringLiteral("    retries: 1\n"))), QString());
        // PUT is idempotent: retried, and the body goes again to the second target.
        const RawResponse r = gw.request("PUT", "/doc", "the whole body");
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).value(QStringLiteral("body")).toString(), QStringLiteral("the whole body"));
    }

    void retriedChunkedRequestCarriesItsBody()
    {
        LoopbackUpstream good({ false, QStringLiteral("good") });
        const QString dead = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());
        GatewayHarness gw;
        QCOMPARE(
            gw.start(twoTargets(dead, good.url().toString(), QStringLiteral("    retries: 1\n"))), QString());
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QVERIFY(client.send("PUT /doc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + wire::encodeChunk("part one, ")));
        QTest::qWait(100);
        QVERIFY(client.send(wire::encodeChunk("part two") + wire::encodeChunk({})));
        const RawResponse r = client.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).value(QStringLiteral("body")).toString(), QStringLiteral("part one, part two"));
    }

    void retriesConnectTimeouts()
    {
        FullBacklog hanging;
        if (!hanging.hangs())
            QSKIP("this kernel answers connects beyond a full accept queue");
        LoopbackUpstream good({ false, QStringLiteral("good") });
        GatewayHarness gw;
        QCOMPARE(
            gw.start(twoTargets(QStringLiteral("http://127.0.0.1:%1").arg(hanging.port()),
                good.url().toString(), QStringLiteral("    retries: 1\n    timeouts: {connect: 300ms}\n"))),
            QString());
        QElapsedTimer timer;
        timer.start();
        const RawResponse r = gw.get("/t");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-upstream-name"), QByteArray("good"));
        QVERIFY2(timer.elapsed() >= 280, qPrintable(QString::number(timer.elapsed())));
    }

    void doesNotRetryPost()
    {
        LoopbackUpstream good({ false, QStringLiteral("good") });
        const QString dead = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());
        GatewayHarness gw;
        QCOMPARE(
            gw.start(twoTargets(dead, good.url().toString(), QStringLiteral("    retries: 1\n"))), QString());
        const RawResponse r = gw.request("POST", "/not-idempotent", "payload");
        QCOMPARE(r.status, 502);
        QCOMPARE(good.requestCount(), 0);
    }

    void noRetriesConfiguredMeansNone()
    {
        LoopbackUpstream good({ false, QStringLiteral("good") });
        const QString dead = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());
        GatewayHarness gw;
        QCOMPARE(gw.start(twoTargets(dead, good.url().toString())), QString());
        QCOMPARE(gw.get("/x").status, 502);
        QCOMPARE(good.requestCount(), 0);
    }

    void passiveEjection()
    {
        LoopbackUpstream good({ false, QStringLiteral("good") });
        const QString dead = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());
        GatewayHarness gw;
        QCOMPARE(gw.start(twoTargets(dead, good.url().toString())), QString());
        QList<int> statuses;
        for (int i = 0; i < 12; ++i)
            statuses.append(gw.get("/p").status);
        // Round robin alternates until the dead target has failed 3 times in a row (the default
        // threshold without health checks); from then on only the good one is picked.
        QCOMPARE(statuses.count(502), 3);
        QCOMPARE(statuses.mid(6), QList<int>(6, 200));
    }

    void weightedRoundRobin()
    {
        LoopbackUpstream a({ false, QStringLiteral("a") });
        LoopbackUpstream b({ false, QStringLiteral("b") });
        GatewayHarness gw;
        const QString yaml = gatewayHeader()
            + QStringLiteral(
                "upstreams:\n  pair:\n    targets: [{url: %1, weight: 2}, {url: %2, weight: 1}]\n")
                  .arg(a.url().toString(), b.url().toString())
            + QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: pair}\n");
        QCOMPARE(gw.start(yaml), QString());
        for (int i = 0; i < 9; ++i)
            QCOMPARE(gw.get("/w").status, 200);
        QCOMPARE(a.requestCount(QStringLiteral("/w")), 6);
        QCOMPARE(b.requestCount(QStringLiteral("/w")), 3);
    }

    void ipHashSticks()
    {
        LoopbackUpstream a({ false, QStringLiteral("a") });
        LoopbackUpstream b({ false, QStringLiteral("b") });
        GatewayHarness gw;
        QCOMPARE(gw.start(twoTargets(
                     a.url().toString(), b.url().toString(), QStringLiteral("    balance: ip_hash\n"))),
            QString());
        const QByteArray first = gw.get("/i").header("x-upstream-name");
        QVERIFY(!first.isEmpty());
        for (int i = 0; i < 5; ++i)
            QCOMPARE(gw.get("/i").header("x-upstream-name"), first);
    }

    void leastConnectionsAvoidsTheBusyTarget()
    {
        LoopbackUpstream a({ false, QStringLiteral("a") });
        LoopbackUpstream b({ false, QStringLiteral("b") });
        GatewayHarness gw;
        QCOMPARE(gw.start(twoTargets(a.url().toString(), b.url().toString(),
                     QStringLiteral("    balance: least_connections\n"))),
            QString());
        // Hold one request open on one target, then the next requests go to the other one.
        RawClient slow;
        QVERIFY(slow.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QVERIFY(slow.send(httpRequest("GET", "/hold?delay=1500ms")));
        QTRY_VERIFY(a.requestCount(QStringLiteral("/hold")) + b.requestCount(QStringLiteral("/hold")) == 1);
        const QByteArray busy = a.requestCount(QStringLiteral("/hold")) == 1 ? "a" : "b";
        for (int i = 0; i < 4; ++i) {
            const RawResponse r = gw.get("/free");
            QCOMPARE(r.status, 200);
            QVERIFY(r.header("x-upstream-name") != busy);
        }
        QCOMPARE(slow.readResponse().status, 200);
    }
};

QTEST_GUILESS_MAIN(TestGatewayUpstreams)
#include "tst_gateway_upstreams.moc"
