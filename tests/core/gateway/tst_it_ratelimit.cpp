// Rate limits through the real proxy: exactly N of M concurrent requests pass across both worker
// threads, the RateLimit-* / X-RateLimit-* headers on every answer of a limited route (200, 429,
// upstream errors), the window refilling with the fake clock, each `by:` subject, tier + route
// limits together (the stricter answers) and the rate-limited counter.
#include "FilterItKit.h"

#include <latch>
#include <thread>

using namespace portico;
using namespace portico::test;
using namespace std::chrono_literals;

namespace {

const char *kWorkspace = R"(upstreams:
  echo: {targets: [{url: {{UP}}}]}
  nowhere: {targets: [{url: http://127.0.0.1:{{DEAD}}}]}
tiers:
  free: {rate_limit: {requests: 3, per: 1m}}
  gold: {rate_limit: {requests: 100, per: 1m}}
consumers:
  - {name: alice, tier: gold, api_keys: [alice-key]}
  - {name: bob, tier: free, api_keys: [bob-key]}
  - {name: carol, api_keys: [carol-key]}
auth:
  keys: {type: api_key, header: X-API-Key}
routes:
  - {name: burst, match: {path: /burst}, upstream: echo, rate_limit: {requests: {{N}}, per: 1h, by: route}}
  - {name: minute, match: {path: /minute}, upstream: echo, rate_limit: {requests: 5, per: 1m, by: route}}
  - {name: per-ip, match: {path: /per-ip}, upstream: echo, rate_limit: {requests: 2, per: 1m, by: ip}}
  - {name: per-tenant, match: {path: /per-tenant}, upstream: echo, rate_limit: {requests: 2, per: 1m, by: "header:X-Tenant"}}
  - {name: tiered, match: {path: /tiered}, upstream: echo, auth: [keys], rate_limit: {requests: 5, per: 1m, by: consumer}}
  - {name: tier-only, match: {path: /tier-only}, upstream: echo, auth: [keys]}
  - {name: free-for-all, match: {path: /open}, upstream: echo}
  - {name: dead, match: {path: /dead}, upstream: nowhere, rate_limit: {requests: 5, per: 1m, by: route}}
)";

constexpr int kN = 12;

} // namespace

class TestItRateLimit : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LoopbackUpstream> m_up;
    std::unique_ptr<GatewayHarness> m_gw;
    QHash<QString, QString> m_vars;

    quint64 limited(const QByteArray &route) const
    {
        return m_gw->gateway().metrics().sumCounter("portico_rate_limited_total", { { "route", route } });
    }

    static void verifyLimitHeaders(const RawResponse &r, int limit, int remaining)
    {
        QCOMPARE(r.header("RateLimit-Limit"), QByteArray::number(limit));
        QCOMPARE(r.header("RateLimit-Remaining"), QByteArray::number(remaining));
        QCOMPARE(r.header("X-RateLimit-Limit"), QByteArray::number(limit));
        QCOMPARE(r.header("X-RateLimit-Remaining"), QByteArray::number(remaining));
        QVERIFY(r.hasHeader("RateLimit-Reset"));
    }

    static void verify429(const RawResponse &r, const QByteArray &retryAfter)
    {
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 429);
        QCOMPARE(r.header("Retry-After"), retryAfter);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(jsonOf(r).value(QStringLiteral("status")).toInt(), 429);
    }

private Q_SLOTS:
    void init()
    {
        m_up = std::make_unique<LoopbackUpstream>();
        QVERIFY(m_up->isRunning());
        m_gw = std::make_unique<GatewayHarness>();
        m_vars = { { QStringLiteral("UP"), m_up->url().toString() },
            { QStringLiteral("N"), QString::number(kN) },
            { QStringLiteral("DEAD"), QString::number(closedLoopbackPort()) } };
        const QString problems = m_gw->start(gatewayHeader() + QString::fromLatin1(kWorkspace), m_vars);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        QCOMPARE(m_gw->gateway().workerCount(), 2);
    }
    void cleanup()
    {
        m_gw.reset();
        m_up.reset();
    }

    void exactlyNOfMConcurrentRequestsPass()
    {
        // M requests on M connections from 8 threads, released together: the two workers race
        // for the same bucket, and exactly N may win.
        constexpr int kThreads = 8;
        constexpr int kPerThread = 6;
        constexpr int kM = kThreads * kPerThread;
        static_assert(kM > kN);
        const quint16 port = m_gw->port();
        std::vector<RawResponse> answers(kM);
        std::latch ready(kThreads);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                std::vector<std::unique_ptr<RawClient>> clients;
                for (int i = 0; i < kPerThread; ++i) {
                    clients.push_back(std::make_unique<RawClient>());
                    clients.back()->connectTo(QStringLiteral("127.0.0.1"), port);
                }
                ready.arrive_and_wait();
                const QByteArray request = httpRequest("GET", "/burst/x", { { "Host", "gateway.test" } });
                for (auto &c : clients)
                    c->send(request);
                for (int i = 0; i < kPerThread; ++i)
                    answers[size_t(t * kPerThread + i)] = clients[size_t(i)]->readResponse(10000);
            });
        }
        for (auto &th : threads)
            th.join();

        int ok = 0, refused = 0;
        QSet<int> remainingSeen;
        for (const RawResponse &r : answers) {
            QVERIFY2(r.complete, qPrintable(r.error));
            QCOMPARE(r.header("RateLimit-Limit"), QByteArray::number(kN));
            QCOMPARE(r.header("X-RateLimit-Limit"), QByteArray::number(kN));
            if (r.status == 200) {
                ++ok;
                remainingSeen.insert(r.header("RateLimit-Remaining").toInt());
            } else {
                QCOMPARE(r.status, 429);
                QVERIFY(r.header("Retry-After").toInt() >= 1);
                QCOMPARE(r.header("RateLimit-Remaining"), QByteArray("0"));
                ++refused;
            }
        }
        QCOMPARE(ok, kN);
        QCOMPARE(refused, kM - kN);
        // Each winner saw a distinct count: N-1, N-2, ..., 0.
        QCOMPARE(remainingSeen.size(), kN);
        QCOMPARE(m_up->requestCount(QStringLiteral("/burst/x")), kN);
        QCOMPARE(limited("burst"), quint64(kM - kN));
    }

    void everyAnswerCarriesTheHeaders()
    {
        // 5 per minute by route: one request every 12 s refills the bucket.
        const RawResponse first = m_gw->get("/minute");
        QCOMPARE(first.status, 200);
        verifyLimitHeaders(first, 5, 4);
        QCOMPARE(first.header("RateLimit-Reset"), QByteArray("12"));
        // The upstream's own errors carry them too.
        const RawResponse upstreamError = m_gw->get("/minute?status=503");
        QCOMPARE(upstreamError.status, 503);
        verifyLimitHeaders(upstreamError, 5, 3);
        QCOMPARE(upstreamError.header("RateLimit-Reset"), QByteArray("24"));
        const RawResponse notFound = m_gw->get("/minute?status=404");
        QCOMPARE(notFound.status, 404);
        verifyLimitHeaders(notFound, 5, 2);
        QCOMPARE(m_gw->get("/minute").status, 200);
        const RawResponse last = m_gw->get("/minute");
        QCOMPARE(last.status, 200);
        verifyLimitHeaders(last, 5, 0);
        QCOMPARE(last.header("RateLimit-Reset"), QByteArray("60"));

        const RawResponse refused = m_gw->get("/minute");
        verify429(refused, "12");
        verifyLimitHeaders(refused, 5, 0);
        QCOMPARE(m_up->requestCount(QStringLiteral("/minute")), 5);

        // So do the gateway's own error answers on a limited route.
        const RawResponse badGateway = m_gw->get("/dead");
        QCOMPARE(badGateway.status, 502);
        verifyLimitHeaders(badGateway, 5, 4);

        // A route without a limit carries none of them.
        const RawResponse open = m_gw->get("/open");
        QCOMPARE(open.status, 200);
        QVERIFY(!open.hasHeader("RateLimit-Limit"));
        QVERIFY(!open.hasHeader("X-RateLimit-Limit"));
    }

    void windowRefillsWithTheClock()
    {
        for (int i = 0; i < 5; ++i)
            QCOMPARE(m_gw->get("/minute").status, 200);
        verify429(m_gw->get("/minute"), "12");
        m_gw->clock().advance(11s);
        verify429(m_gw->get("/minute"), "1");
        m_gw->clock().advance(1s);
        const RawResponse refilled = m_gw->get("/minute");
        QCOMPARE(refilled.status, 200);
        verifyLimitHeaders(refilled, 5, 0);
        verify429(m_gw->get("/minute"), "12");
        m_gw->clock().advance(60s); // a whole idle window: the full burst again
        for (int i = 0; i < 5; ++i)
            QCOMPARE(m_gw->get("/minute").status, 200);
        verify429(m_gw->get("/minute"), "12");
    }

    void countersSurviveAReload()
    {
        for (int i = 0; i < 5; ++i)
            QCOMPARE(m_gw->get("/minute").status, 200);
        verify429(m_gw->get("/minute"), "12");
        // The same limit after a hot reload keeps its count...
        const int revision = m_gw->gateway().revision();
        QCOMPARE(m_gw->reload(gatewayHeader() + QString::fromLatin1(kWorkspace), m_vars), QStringList());
        QVERIFY(m_gw->gateway().revision() > revision);
        verify429(m_gw->get("/minute"), "12");
        // ...a changed limit starts afresh.
        QString changed = QString::fromLatin1(kWorkspace);
        changed.replace(QStringLiteral("rate_limit: {requests: 5, per: 1m, by: route}}\n  - {name: per-ip"),
            QStringLiteral("rate_limit: {requests: 6, per: 1m, by: route}}\n  - {name: per-ip"));
        QVERIFY(changed != QString::fromLatin1(kWorkspace));
        QCOMPARE(m_gw->reload(gatewayHeader() + changed, m_vars), QStringList());
        const RawResponse fresh = m_gw->get("/minute");
        QCOMPARE(fresh.status, 200);
        verifyLimitHeaders(fresh, 6, 5);
    }

    void byIpAndByHeader()
    {
        QCOMPARE(m_gw->get("/per-ip").status, 200);
        QCOMPARE(m_gw->get("/per-ip").status, 200);
        verify429(m_gw->get("/per-ip"), "30");

        const wire::Headers a { { "X-Tenant", "acme" } };
        const wire::Headers b { { "X-Tenant", "globex" } };
        QCOMPARE(m_gw->get("/per-tenant", a).status, 200);
        QCOMPARE(m_gw->get("/per-tenant", a).status, 200);
        verify429(m_gw->get("/per-tenant", a), "30");
        // Another tenant has its own bucket.
        const RawResponse other = m_gw->get("/per-tenant", b);
        QCOMPARE(other.status, 200);
        verifyLimitHeaders(other, 2, 1);
    }

    void tierAndRouteLimitsTheStricterAnswers()
    {
        // bob: tier free (3/min) is stricter than the route (5/min by consumer).
        for (int i = 0; i < 3; ++i) {
            const RawResponse r = m_gw->get("/tiered", { { "X-API-Key", "bob-key" } });
            QCOMPARE(r.status, 200);
            verifyLimitHeaders(r, 3, 2 - i);
        }
        const RawResponse bobRefused = m_gw->get("/tiered", { { "X-API-Key", "bob-key" } });
        verify429(bobRefused, "20");
        verifyLimitHeaders(bobRefused, 3, 0);

        // alice: tier gold (100/min) is looser, so the route's 5 answers.
        for (int i = 0; i < 5; ++i) {
            const RawResponse r = m_gw->get("/tiered", { { "X-API-Key", "alice-key" } });
            QCOMPARE(r.status, 200);
            verifyLimitHeaders(r, 5, 4 - i);
        }
        const RawResponse aliceRefused = m_gw->get("/tiered", { { "X-API-Key", "alice-key" } });
        verify429(aliceRefused, "12");
        verifyLimitHeaders(aliceRefused, 5, 0);

        // carol has no tier: only the route limit, in her own bucket (by consumer).
        const RawResponse carol = m_gw->get("/tiered", { { "X-API-Key", "carol-key" } });
        QCOMPARE(carol.status, 200);
        verifyLimitHeaders(carol, 5, 4);
        QCOMPARE(limited("tiered"), quint64(2));
        QCOMPARE(m_up->requestCount(QStringLiteral("/tiered")), 3 + 5 + 1);
    }

    void tierLimitAppliesAcrossRoutes()
    {
        // The tier is the consumer's plan: bob's 3/min on a route with no limit of its own.
        for (int i = 0; i < 3; ++i)
            QCOMPARE(m_gw->get("/tier-only", { { "X-API-Key", "bob-key" } }).status, 200);
        const RawResponse refused = m_gw->get("/tier-only", { { "X-API-Key", "bob-key" } });
        verify429(refused, "20");
        verifyLimitHeaders(refused, 3, 0);
        // A refused request does not use up the other limit (all-or-nothing): alice is unaffected.
        const RawResponse alice = m_gw->get("/tier-only", { { "X-API-Key", "alice-key" } });
        QCOMPARE(alice.status, 200);
        verifyLimitHeaders(alice, 100, 99);
        QCOMPARE(limited("tier-only"), quint64(1));
    }
};

QTEST_GUILESS_MAIN(TestItRateLimit)
#include "tst_it_ratelimit.moc"
