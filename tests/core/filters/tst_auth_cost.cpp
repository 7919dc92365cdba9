#include "AuthTestKit.h"
#include "FactoryShims.h"
#include "JwtTestKit.h"

#include "core/common/Metrics.h"
#include "core/filters/FilterServices.h"
#include "core/filters/auth/AuthFactory.h"
#include "core/filters/ratelimit/RateLimitFactory.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace portico;
using namespace portico::filters;
using namespace std::chrono_literals;

// What the auth and rate-limit filters cost per request in-process, on the real clock, as the
// data-plane benchmark configures them (API key + a rate limit by consumer; RS256 JWT with a PEM
// key, one token reused). Prints microseconds per request; asserts only what holds in any build:
// a reused JWT is answered far more cheaply than one whose signature must be checked. Release
// figures are in tests/bench/README.md.
class TestAuthCost : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    test::TestKey m_rsa;
    MetricsRegistry m_metrics;
    FilterServices m_services;
    config::Workspace m_ws;
    const config::Route *m_plain = nullptr;
    const config::Route *m_key = nullptr;
    const config::Route *m_jwt = nullptr;

    std::vector<FilterPtr> chain(const config::Route &route)
    {
        QStringList errors;
        std::vector<FilterPtr> out = auth::makeAuthFilters(m_ws, route, m_services, &errors);
        for (FilterPtr &f : ratelimit::makeRateLimitFilters(m_ws, route, m_services))
            out.push_back(std::move(f));
        if (!errors.isEmpty())
            qWarning() << errors;
        return out;
    }
    // Microseconds per request through `filters`; every request must pass.
    double perRequest(const config::Route &route, const std::vector<FilterPtr> &filters,
        const QByteArray &header, const QList<QByteArray> &values, int rounds)
    {
        QElapsedTimer timer;
        timer.start();
        int passed = 0;
        for (int i = 0; i < rounds; ++i) {
            for (const QByteArray &value : values) {
                test::TestRequest req(m_ws, route);
                if (!header.isEmpty())
                    req.head.headers.add(header, value);
                bool ok = true;
                for (const FilterPtr &f : filters)
                    ok = ok && f->onRequest(req.ctx, req.callbacks) == FilterStatus::Continue;
                passed += ok ? 1 : 0;
            }
        }
        const qint64 ns = timer.nsecsElapsed();
        const int total = rounds * int(values.size());
        return passed == total ? double(ns) / total / 1000.0 : -1.0;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_rsa = test::TestKey::rsa();
        QFile pem(m_dir.filePath("idp.pem"));
        QVERIFY(pem.open(QIODevice::WriteOnly));
        pem.write(m_rsa.publicPem());
        pem.close();
        m_services.clock = &SystemClock::instance();
        m_services.metrics = &m_metrics;

        m_ws.filePath = m_dir.filePath("portico.yaml");
        config::Consumer bench;
        bench.name = QStringLiteral("bench");
        bench.apiKeys = { QStringLiteral("bench-key-0123456789") };
        bench.jwtSubject = QStringLiteral("bench");
        m_ws.consumers = { bench };
        config::AuthScheme keys;
        keys.name = QStringLiteral("keys");
        keys.type = config::AuthType::ApiKey;
        keys.header = QStringLiteral("X-API-Key");
        config::AuthScheme idp;
        idp.name = QStringLiteral("idp");
        idp.type = config::AuthType::Jwt;
        idp.algorithms = { QStringLiteral("RS256") };
        idp.publicKey = QStringLiteral("idp.pem");
        m_ws.auth = { keys, idp };
        config::Route plain;
        plain.name = QStringLiteral("plain");
        config::Route key = plain;
        key.name = QStringLiteral("key");
        key.filters.edit<config::AuthConfig>().schemes = { QStringLiteral("keys") };
        config::RateLimit limit;
        limit.requests = 1'000'000'000;
        limit.per = 60s;
        limit.by = config::RateLimit::By::Consumer;
        key.filters.edit<config::RateLimitConfig>().limit = limit;
        config::Route jwt = plain;
        jwt.name = QStringLiteral("jwt");
        jwt.filters.edit<config::AuthConfig>().schemes = { QStringLiteral("idp") };
        m_ws.routes = { plain, key, jwt };
        m_plain = &m_ws.routes[0];
        m_key = &m_ws.routes[1];
        m_jwt = &m_ws.routes[2];
    }

    void costPerRequest()
    {
        const auto key = chain(*m_key);
        const auto jwt = chain(*m_jwt);
        QCOMPARE(key.size(), size_t(2));
        QCOMPARE(jwt.size(), size_t(1));
        const qint64 exp = SystemClock::instance().epochSeconds() + 3600;
        auto token = [&](int i) {
            return "Bearer "
                + test::makeJwt(m_rsa, "RS256", { { "sub", "bench" }, { "exp", double(exp) }, { "n", i } });
        };
        QList<QByteArray> fresh;
        for (int i = 0; i < 50; ++i)
            fresh.append(token(i));

        const double plain = perRequest(*m_plain, {}, {}, { {} }, 20'000);
        const double apiKey = perRequest(*m_key, key, "X-API-Key", { "bench-key-0123456789" }, 20'000);
        const double verified = perRequest(*m_jwt, jwt, "Authorization", fresh, 1);
        const double cached = perRequest(*m_jwt, jwt, "Authorization", { token(0) }, 20'000);
        QVERIFY(plain >= 0 && apiKey >= 0 && verified >= 0 && cached >= 0);
        qInfo("us per request: request setup %.2f; api key + rate limit %.2f; JWT RS256 verified %.2f, "
              "cached %.2f (filter cost = figure - setup)",
            plain, apiKey, verified, cached);
        QVERIFY2(cached - plain < (verified - plain) / 5, "a reused JWT should not cost a signature check");
    }
};

QTEST_GUILESS_MAIN(TestAuthCost)
#include "tst_auth_cost.moc"
