// gateway.limits.max_connections through real sockets: past the limit a new client connection is
// closed at once (and counted), the ones already open keep working, and once one of them ends a
// new connection is served again.
#include "GatewayHarness.h"

#include <QDeadlineTimer>
#include <QTest>

#include <sys/resource.h>

using namespace portico;
using namespace portico::test;

class TestGatewayConnections : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LoopbackUpstream> m_upstream;
    std::unique_ptr<GatewayHarness> m_gw;

    static QByteArray keepAliveGet()
    {
        return httpRequest("GET", "/x", { { "Host", "gateway.test" } }, {}, true);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_upstream.reset(new LoopbackUpstream);
        QVERIFY(m_upstream->isRunning());
        m_gw.reset(new GatewayHarness);
        const QString yaml = gatewayHeader(QStringLiteral("  limits: {max_connections: 3}\n"))
            + QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), *m_upstream)
            + QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: up}\n");
        const QString problems = m_gw->start(yaml);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }
    void cleanupTestCase() { m_gw.reset(); }

    void limitHoldsAndFrees()
    {
        std::vector<std::unique_ptr<RawClient>> open;
        for (int i = 0; i < 3; ++i) {
            auto c = std::make_unique<RawClient>();
            QVERIFY(c->connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
            QCOMPARE(c->roundTrip(keepAliveGet()).status, 200); // accepted and counted
            open.push_back(std::move(c));
        }
        const auto refusedCount = [this] {
            return m_gw->gateway().metrics().sumCounter("portico_connections_refused_total", {});
        };
        const quint64 before = refusedCount();

        RawClient extra;
        QVERIFY(extra.connectTo(QStringLiteral("127.0.0.1"), m_gw->port())); // the kernel's backlog takes it
        extra.send(keepAliveGet());
        QVERIFY2(extra.isClosed(5000), "a connection past max_connections was kept open");
        QVERIFY(!extra.pending().startsWith("HTTP/1.1 200"));
        QCOMPARE(refusedCount(), before + 1);

        // The open ones still work.
        for (auto &c : open)
            QCOMPARE(c->roundTrip(keepAliveGet()).status, 200);

        // One ends: a new connection is served again (the close is seen asynchronously). Each probe
        // is itself a connection the gateway counts until it sees that one close, so the probe must
        // stop at its first 200: QTRY_VERIFY would probe again after success and could be refused.
        open.front()->close();
        open.erase(open.begin());
        const QDeadlineTimer deadline(5000);
        int status = 0;
        while (status != 200 && !deadline.hasExpired()) {
            status = m_gw->get("/x").status;
            if (status != 200)
                QTest::qWait(20);
        }
        QCOMPARE(status, 200);
    }

    // Each client and pooled upstream connection is a descriptor: a gateway that starts raises the
    // process's soft limit to the hard one (capped at 2^20), so systemd's default of 1024 does not
    // turn a few hundred busy clients into refused connections.
    void startRaisesTheDescriptorLimit()
    {
        rlimit original {};
        QCOMPARE(::getrlimit(RLIMIT_NOFILE, &original), 0);
        const rlim_t cap = rlim_t(1) << 20;
        const rlim_t want = original.rlim_max == RLIM_INFINITY ? cap : std::min(original.rlim_max, cap);
        if (want <= 256)
            QSKIP("the hard limit leaves nothing to raise");
        rlimit low = original;
        low.rlim_cur = 256;
        QCOMPARE(::setrlimit(RLIMIT_NOFILE, &low), 0);

        LoopbackUpstream upstream;
        GatewayHarness gw;
        const QString problems = gw.start(gatewayHeader() + QStringLiteral("upstreams:\n")
            + upstreamEntry(QStringLiteral("up"), upstream)
            + QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: up}\n"));
        rlimit now {};
        ::getrlimit(RLIMIT_NOFILE, &now);
        ::setrlimit(RLIMIT_NOFILE, &original);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        QCOMPARE(now.rlim_cur, want);
        QCOMPARE(gw.get("/x").status, 200);
    }
};

QTEST_GUILESS_MAIN(TestGatewayConnections)
#include "tst_gateway_connections.moc"
