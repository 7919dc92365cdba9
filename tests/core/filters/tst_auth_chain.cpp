#include "AuthTestKit.h"
#include "FactoryShims.h"
#include "JwtTestKit.h"

#include "core/common/Metrics.h"
#include "core/filters/FilterServices.h"
#include "core/filters/acl/AclFactory.h"
#include "core/filters/auth/AuthFactory.h"
#include "core/filters/ratelimit/RateLimitFactory.h"
#include "support/FakeClock.h"

#include <QTest>

using namespace portico;
using namespace portico::filters;
using namespace std::chrono_literals;

// The three factories together, in chain order (auth -> acl -> ratelimit), on a route shaped like
// the `users` route of the example workspace. The proxy integration comes with the gateway.
class TestAuthChain : public QObject
{
    Q_OBJECT

private:
    test::FakeClock m_clock;
    MetricsRegistry m_metrics;
    FilterServices m_services;
    config::Workspace m_ws;
    std::vector<FilterPtr> m_chain;

    // Runs the chain like the proxy does; the status of the filter that stopped, or 0 when the
    // request would go upstream.
    int run(test::TestRequest &req)
    {
        for (const FilterPtr &f : m_chain) {
            if (f->onRequest(req.ctx, req.callbacks) == FilterStatus::Stop)
                return req.callbacks->reply ? req.callbacks->reply->status : -1;
        }
        return 0;
    }
    std::unique_ptr<test::TestRequest> withKey(const QByteArray &key)
    {
        auto req = std::make_unique<test::TestRequest>(m_ws, m_ws.routes.front());
        req->head.headers.add("X-API-Key", key);
        return req;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_services.clock = &m_clock;
        m_services.metrics = &m_metrics;
        config::Tier free;
        free.name = QStringLiteral("free");
        free.rateLimit = config::RateLimit { 2, 60s, config::RateLimit::By::Consumer, {} };
        m_ws.tiers = { free };
        config::Consumer alice;
        alice.name = QStringLiteral("alice");
        alice.groups = { QStringLiteral("admins") };
        alice.apiKeys = { QStringLiteral("alice-key-1") };
        config::Consumer bob;
        bob.name = QStringLiteral("bob");
        bob.tier = QStringLiteral("free");
        bob.apiKeys = { QStringLiteral("bob-key-1") };
        config::Consumer carol = alice;
        carol.name = QStringLiteral("carol");
        carol.tier = QStringLiteral("free");
        carol.apiKeys = { QStringLiteral("carol-key-1") };
        m_ws.consumers = { alice, bob, carol };
        config::AuthScheme keys;
        keys.name = QStringLiteral("keys");
        keys.type = config::AuthType::ApiKey;
        keys.header = QStringLiteral("X-API-Key");
        keys.query = QStringLiteral("apikey");
        config::AuthScheme idp;
        idp.name = QStringLiteral("idp");
        idp.type = config::AuthType::Jwt;
        idp.secret = QStringLiteral("chain-secret");
        m_ws.auth = { keys, idp };
        config::Route users;
        users.name = QStringLiteral("users");
        users.upstream = QStringLiteral("users-v2");
        users.filters.edit<config::AuthConfig>().schemes = { QStringLiteral("keys"), QStringLiteral("idp") };
        users.filters.edit<config::AuthConfig>().hideCredentials = true;
        users.filters.edit<config::AclConfig>().allowGroups = { QStringLiteral("admins") };
        users.filters.edit<config::RateLimitConfig>().limit
            = config::RateLimit { 3, 60s, config::RateLimit::By::Consumer, {} };
        m_ws.routes = { users };

        const config::Route &r = m_ws.routes.front();
        for (auto &part :
            { auth::makeAuthFilters(m_ws, r, m_services), acl::makeAclFilters(m_ws, r, m_services),
                ratelimit::makeRateLimitFilters(m_ws, r, m_services) }) {
            QCOMPARE(part.size(), 1u);
            m_chain.push_back(part.front());
        }
        QCOMPARE(m_chain[0]->name(), "auth");
        QCOMPARE(m_chain[1]->name(), "acl");
        QCOMPARE(m_chain[2]->name(), "rate_limit");
    }

    void refusedRequestsSpendNoQuota()
    {
        test::TestRequest anonymous(m_ws, m_ws.routes.front());
        QCOMPARE(run(anonymous), 401);
        QVERIFY(!anonymous.ctx.extraResponseHeaders.contains("RateLimit-Limit"));
        auto bob = withKey("bob-key-1");
        QCOMPARE(run(*bob), 403); // authenticated, but not in admins
        QVERIFY(!bob->ctx.extraResponseHeaders.contains("RateLimit-Limit"));
        const auto jwt = test::makeJwt(test::TestKey::hmac("chain-secret"), "HS256", { { "sub", "dave" } });
        test::TestRequest dave(m_ws, m_ws.routes.front());
        dave.head.headers.add("Authorization", "Bearer " + jwt);
        QCOMPARE(run(dave), 403); // anonymous JWT consumer: no groups
        QVERIFY(dave.ctx.consumer->anonymous);
    }

    void admittedRequestsAreLimitedAndStripped()
    {
        for (int i = 0; i < 3; ++i) {
            auto alice = withKey("alice-key-1");
            QCOMPARE(run(*alice), 0);
            QCOMPARE(alice->ctx.consumer->name, "alice");
            QVERIFY(!alice->head.headers.contains("X-API-Key")); // hide_credentials
            QCOMPARE(alice->ctx.extraResponseHeaders.value("RateLimit-Remaining"), QByteArray::number(2 - i));
        }
        auto fourth = withKey("alice-key-1");
        QCOMPARE(run(*fourth), 429);
        QVERIFY(fourth->callbacks->reply->headers.contains("Retry-After"));

        // carol is an admin on the free plan (2/min): her tier answers before the route's 3/min.
        auto c1 = withKey("carol-key-1");
        auto c2 = withKey("carol-key-1");
        auto c3 = withKey("carol-key-1");
        QCOMPARE(run(*c1), 0);
        QCOMPARE(c1->ctx.extraResponseHeaders.value("RateLimit-Limit"), "2");
        QCOMPARE(run(*c2), 0);
        QCOMPARE(run(*c3), 429);
        QCOMPARE(m_metrics.sumCounter("portico_rate_limited_total", { { "route", "users" } }), 2u);
    }
};

QTEST_GUILESS_MAIN(TestAuthChain)
#include "tst_auth_chain.moc"
