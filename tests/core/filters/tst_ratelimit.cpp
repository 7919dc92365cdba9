#include "AuthTestKit.h"
#include "FactoryShims.h"

#include "core/common/Metrics.h"
#include "core/filters/FilterServices.h"
#include "core/filters/ratelimit/RateLimitFactory.h"
#include "core/filters/ratelimit/RateLimitStore.h"
#include "support/FakeClock.h"

#include <QTest>

#include <latch>
#include <thread>

using namespace portico;
using namespace portico::filters;
using namespace std::chrono_literals;

class TestRateLimit : public QObject
{
    Q_OBJECT

private:
    config::Workspace m_ws;
    test::FakeClock m_clock;
    MetricsRegistry m_metrics;
    FilterServices m_services;

    config::Route &addRoute(
        const QString &name, std::optional<config::RateLimit> limit, QStringList auth = {})
    {
        config::Route r;
        r.name = name;
        r.upstream = QStringLiteral("up");
        r.filters.edit<config::RateLimitConfig>().limit = std::move(limit);
        r.filters.edit<config::AuthConfig>().schemes = std::move(auth);
        m_ws.routes.append(r);
        return m_ws.routes.last();
    }
    static config::RateLimit limit(int n, config::Duration per,
        config::RateLimit::By by = config::RateLimit::By::Ip, QString header = {})
    {
        config::RateLimit l;
        l.requests = n;
        l.per = per;
        l.by = by;
        l.header = std::move(header);
        return l;
    }
    static FilterPtr single(const std::vector<FilterPtr> &filters)
    {
        return filters.size() == 1 ? filters.front() : nullptr;
    }
    // Runs one request through `f`; true when it passed.
    static bool pass(HttpFilter &f, test::TestRequest &req)
    {
        return f.onRequest(req.ctx, req.callbacks) == FilterStatus::Continue && !req.callbacks->reply;
    }
    static ConsumerIdentity consumer(const QString &name, const QString &tier)
    {
        ConsumerIdentity c;
        c.name = name;
        c.tier = tier;
        return c;
    }

private Q_SLOTS:
    void init()
    {
        m_ws = config::Workspace();
        m_services = FilterServices();
        m_services.clock = &m_clock;
        m_services.metrics = &m_metrics;
        config::Tier free;
        free.name = QStringLiteral("free");
        free.rateLimit = limit(3, 60s, config::RateLimit::By::Consumer);
        config::Tier gold;
        gold.name = QStringLiteral("gold");
        gold.rateLimit = limit(1000, 60s, config::RateLimit::By::Consumer);
        m_ws.tiers = { free, gold };
    }

    void factoryOnlyWhenALimitCanApply()
    {
        QVERIFY(ratelimit::makeRateLimitFilters(m_ws, addRoute("public", std::nullopt), m_services).empty());
        QCOMPARE(
            ratelimit::makeRateLimitFilters(m_ws, addRoute("limited", limit(5, 60s)), m_services).size(), 1u);
        // No route limit, but authenticated: the consumer's tier limit applies.
        QCOMPARE(
            ratelimit::makeRateLimitFilters(m_ws, addRoute("authed", std::nullopt, { "keys" }), m_services)
                .size(),
            1u);
        m_ws.tiers.clear();
        QVERIFY(
            ratelimit::makeRateLimitFilters(m_ws, addRoute("authed2", std::nullopt, { "keys" }), m_services)
                .empty());
    }

    void burstOfNThen429WithHeaders()
    {
        const auto &route = addRoute("r", limit(5, 60s));
        auto f = single(ratelimit::makeRateLimitFilters(m_ws, route, m_services));
        QVERIFY(f);
        for (int i = 0; i < 5; ++i) {
            test::TestRequest req(m_ws, route);
            QVERIFY(pass(*f, req));
            QCOMPARE(req.ctx.extraResponseHeaders.value("RateLimit-Limit"), "5");
            QCOMPARE(req.ctx.extraResponseHeaders.value("RateLimit-Remaining"), QByteArray::number(4 - i));
            QCOMPARE(req.ctx.extraResponseHeaders.value("X-RateLimit-Limit"), "5");
            QCOMPARE(req.ctx.extraResponseHeaders.value("X-RateLimit-Remaining"), QByteArray::number(4 - i));
            QCOMPARE(req.ctx.extraResponseHeaders.value("RateLimit-Reset"), QByteArray::number(12 * (i + 1)));
        }
        test::TestRequest denied(m_ws, route);
        QCOMPARE(f->onRequest(denied.ctx, denied.callbacks), FilterStatus::Stop);
        QVERIFY(denied.callbacks->reply);
        QCOMPARE(denied.callbacks->reply->status, 429);
        QCOMPARE(denied.callbacks->reply->typeSuffix, "rate-limited");
        QCOMPARE(denied.callbacks->reply->headers.value("Retry-After"), "12"); // one slot refills every 60s/5
        QCOMPARE(denied.ctx.extraResponseHeaders.value("RateLimit-Remaining"), "0");
        QCOMPARE(denied.ctx.extraResponseHeaders.value("RateLimit-Reset"), "60");
        QCOMPARE(m_metrics.sumCounter("portico_rate_limited_total", { { "route", "r" } }), 1u);
    }

    void windowRollsOverWithTheClock()
    {
        const auto &route = addRoute("roll", limit(4, 60s));
        auto f = single(ratelimit::makeRateLimitFilters(m_ws, route, m_services));
        auto run = [&] {
            test::TestRequest req(m_ws, route);
            return pass(*f, req);
        };
        for (int i = 0; i < 4; ++i)
            QVERIFY(run());
        QVERIFY(!run());
        m_clock.advance(14s); // not yet one interval (15 s)
        QVERIFY(!run());
        m_clock.advance(1s);
        QVERIFY(run()); // exactly one slot refilled
        QVERIFY(!run());
        m_clock.advance(60s); // idle for a full period: the whole burst is back, no more
        for (int i = 0; i < 4; ++i)
            QVERIFY(run());
        QVERIFY(!run());
    }

    void keysSeparateSubjects()
    {
        const auto &byIp = addRoute("ip", limit(1, 60s, config::RateLimit::By::Ip));
        auto f = single(ratelimit::makeRateLimitFilters(m_ws, byIp, m_services));
        test::TestRequest a(m_ws, byIp), b(m_ws, byIp), a2(m_ws, byIp);
        b.ctx.clientAddress = QHostAddress(QStringLiteral("10.0.0.2"));
        QVERIFY(pass(*f, a));
        QVERIFY(pass(*f, b));
        QVERIFY(!pass(*f, a2));

        const auto &byHeader = addRoute("hdr", limit(1, 60s, config::RateLimit::By::Header, "X-Tenant"));
        auto h = single(ratelimit::makeRateLimitFilters(m_ws, byHeader, m_services));
        test::TestRequest t1(m_ws, byHeader), t2(m_ws, byHeader), t1again(m_ws, byHeader),
            none(m_ws, byHeader);
        t1.head.headers.add("X-Tenant", "one");
        t2.head.headers.add("X-Tenant", "two");
        t1again.head.headers.add("x-tenant", "one");
        QVERIFY(pass(*h, t1));
        QVERIFY(pass(*h, t2));
        QVERIFY(!pass(*h, t1again));
        QVERIFY(pass(*h, none)); // no header: counted by client address instead

        const auto &byRoute = addRoute("all", limit(2, 60s, config::RateLimit::By::Route));
        auto r = single(ratelimit::makeRateLimitFilters(m_ws, byRoute, m_services));
        test::TestRequest r1(m_ws, byRoute), r2(m_ws, byRoute), r3(m_ws, byRoute);
        r2.ctx.clientAddress = QHostAddress(QStringLiteral("10.0.0.9"));
        r3.ctx.clientAddress = QHostAddress(QStringLiteral("10.0.0.7"));
        QVERIFY(pass(*r, r1));
        QVERIFY(pass(*r, r2));
        QVERIFY(!pass(*r, r3));

        const auto &byConsumer = addRoute("cons", limit(1, 60s, config::RateLimit::By::Consumer));
        auto c = single(ratelimit::makeRateLimitFilters(m_ws, byConsumer, m_services));
        test::TestRequest alice(m_ws, byConsumer), bob(m_ws, byConsumer), alice2(m_ws, byConsumer);
        alice.ctx.consumer = consumer("alice", {});
        bob.ctx.consumer = consumer("bob", {});
        alice2.ctx.consumer = consumer("alice", {});
        QVERIFY(pass(*c, alice));
        QVERIFY(pass(*c, bob));
        QVERIFY(!pass(*c, alice2));
    }

    void tierAndRouteLimitsTogether()
    {
        const auto &route = addRoute("both", limit(5, 60s, config::RateLimit::By::Consumer), { "keys" });
        auto f = single(ratelimit::makeRateLimitFilters(m_ws, route, m_services));
        auto run = [&](const QString &who, const QString &tier, QByteArray *limitShown = nullptr) {
            test::TestRequest req(m_ws, route);
            req.ctx.consumer = consumer(who, tier);
            const bool ok = pass(*f, req);
            if (limitShown)
                *limitShown = req.ctx.extraResponseHeaders.value("RateLimit-Limit");
            return ok;
        };
        // bob's plan (free: 3/min) is stricter than the route (5/min): it answers, and it is the
        // one reported in the headers.
        QByteArray shown;
        for (int i = 0; i < 3; ++i) {
            QVERIFY(run("bob", "free", &shown));
            QCOMPARE(shown, "3");
        }
        QVERIFY(!run("bob", "free", &shown));
        QCOMPARE(shown, "3");
        // alice's plan (gold: 1000/min) is looser: the route limit answers.
        for (int i = 0; i < 5; ++i) {
            QVERIFY(run("alice", "gold", &shown));
            QCOMPARE(shown, "5");
        }
        QVERIFY(!run("alice", "gold"));
        // A full period later bob has his whole plan again.
        m_clock.advance(60s);
        for (int i = 0; i < 3; ++i)
            QVERIFY(run("bob", "free"));
        QVERIFY(!run("bob", "free"));
        // The tier is the consumer's plan across routes: another route shares it.
        const auto &other = addRoute("other", std::nullopt, { "keys" });
        auto g = single(ratelimit::makeRateLimitFilters(m_ws, other, m_services));
        test::TestRequest elsewhere(m_ws, other);
        elsewhere.ctx.consumer = consumer("bob", "free");
        QVERIFY(!pass(*g, elsewhere));
        QCOMPARE(elsewhere.callbacks->reply->status, 429);
    }

    void countsSurviveAReloadButNotALimitChange()
    {
        const auto &route = addRoute("reload", limit(2, 60s));
        auto before = single(ratelimit::makeRateLimitFilters(m_ws, route, m_services));
        test::TestRequest r1(m_ws, route), r2(m_ws, route), r3(m_ws, route), r4(m_ws, route);
        QVERIFY(pass(*before, r1));
        QVERIFY(pass(*before, r2));
        auto after = single(ratelimit::makeRateLimitFilters(m_ws, route, m_services));
        QVERIFY(!pass(*after, r3));
        config::Route changed = route;
        changed.filters.edit<config::RateLimitConfig>().limit->requests = 3;
        auto afterChange = single(ratelimit::makeRateLimitFilters(m_ws, changed, m_services));
        QVERIFY(pass(*afterChange, r4));
    }

    // M > N simultaneous requests on many threads let exactly N through.
    void exactlyNUnderConcurrency()
    {
        const auto &route = addRoute("hot", limit(50, 60s, config::RateLimit::By::Route));
        auto f = single(ratelimit::makeRateLimitFilters(m_ws, route, m_services));
        constexpr int kThreads = 8;
        constexpr int kPerThread = 100;
        std::atomic<int> passed { 0 }, refused { 0 };
        std::latch start(kThreads);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                start.arrive_and_wait();
                for (int i = 0; i < kPerThread; ++i) {
                    test::TestRequest req(m_ws, route);
                    req.ctx.clientAddress = QHostAddress(quint32(0x0a000000 + t));
                    if (f->onRequest(req.ctx, req.callbacks) == FilterStatus::Continue)
                        ++passed;
                    else if (req.callbacks->reply && req.callbacks->reply->status == 429)
                        ++refused;
                }
            });
        }
        for (auto &th : threads)
            th.join();
        QCOMPARE(passed.load(), 50);
        QCOMPARE(refused.load(), kThreads * kPerThread - 50);
        QCOMPARE(m_metrics.sumCounter("portico_rate_limited_total", { { "route", "hot" } }),
            quint64(kThreads * kPerThread - 50));
    }

    void concurrentTierAndRouteStayExact()
    {
        // Two limits charged together from many threads: neither is over-spent.
        ratelimit::RateLimitStore store;
        std::atomic<int> passed { 0 };
        std::latch start(4);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&] {
                start.arrive_and_wait();
                for (int i = 0; i < 200; ++i) {
                    const ratelimit::RateLimitRequest reqs[2]
                        = { { "route-a", 30, 60s }, { "tier-a", 20, 60s } };
                    const auto d = store.acquire(reqs, m_clock.now());
                    if (d[0].allowed && d[1].allowed)
                        ++passed;
                }
            });
        }
        for (auto &th : threads)
            th.join();
        QCOMPARE(passed.load(), 20);
        // The route limit was charged only for admitted requests: 10 left.
        const ratelimit::RateLimitRequest routeOnly[1] = { { "route-a", 30, 60s } };
        QCOMPARE(store.acquire(routeOnly, m_clock.now())[0].remaining, 9);
    }

    void memoryIsBounded()
    {
        ratelimit::RateLimitStore store(640);
        QCOMPARE(store.maxKeys(), 640u);
        for (int i = 0; i < 5000; ++i) {
            const ratelimit::RateLimitRequest r[1] = { { "k" + QByteArray::number(i), 10, 60s } };
            QVERIFY(store.acquire(r, m_clock.now())[0].allowed);
        }
        QVERIFY(store.size() <= store.maxKeys());
        QVERIFY(store.size() > 0);
        // Once every bucket has refilled, the keys carry no information and are dropped.
        m_clock.advance(5s);
        QCOMPARE(store.sweep(m_clock.now()), size_t(0)); // one request in a 10/min bucket refills in 6 s
        m_clock.advance(1s);
        QVERIFY(store.sweep(m_clock.now()) > 0);
        QCOMPARE(store.size(), 0u);
    }

    void oldKeysExpireWithoutAnExplicitSweep()
    {
        ratelimit::RateLimitStore store;
        for (int i = 0; i < 200; ++i) {
            const ratelimit::RateLimitRequest r[1] = { { "old" + QByteArray::number(i), 5, 1s } };
            store.acquire(r, m_clock.now());
        }
        QCOMPARE(store.size(), 200u);
        m_clock.advance(ratelimit::RateLimitStore::kSweepInterval);
        // New keys landing in a stripe sweep it once the sweep interval has passed.
        for (int i = 0; i < 2000; ++i) {
            const ratelimit::RateLimitRequest r[1] = { { "new" + QByteArray::number(i), 5, 1s } };
            store.acquire(r, m_clock.now());
        }
        QCOMPARE(store.size(), 2000u);
    }
};

QTEST_GUILESS_MAIN(TestRateLimit)
#include "tst_ratelimit.moc"
