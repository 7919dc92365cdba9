#include "AuthTestKit.h"
#include "FactoryShims.h"
#include "JwtTestKit.h"

#include "core/common/Metrics.h"
#include "core/filters/FilterServices.h"
#include "core/filters/auth/AuthFactory.h"
#include "core/filters/auth/JwtVerifiedCache.h"
#include "support/FakeClock.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace portico;
using namespace portico::filters;
using namespace std::chrono_literals;

// The verified-token cache of JWT schemes: a reused token skips the signature check, yet expiry,
// nbf, tampering, the size bound and reloads are all still honoured. Key rotation through JWKS is
// covered in tst_jwt_jwks (keyRotationRefetchesRespectingTheFloor).
class TestJwtCache : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    test::TestKey m_rsa;
    test::FakeClock m_clock;
    MetricsRegistry m_metrics;
    FilterServices m_services;
    config::Workspace m_ws;

    qint64 now() const { return m_clock.epochSeconds(); }
    QJsonObject claims(qint64 expIn = 300) const
    {
        return { { "sub", "bob@example.com" }, { "exp", double(now() + expIn) } };
    }
    // One route over one RS256 scheme (public_key PEM), like the benchmark's.
    FilterPtr build(const QString &scheme = QStringLiteral("idp"))
    {
        QFile f(m_dir.filePath("idp.pem"));
        if (!f.open(QIODevice::WriteOnly))
            return nullptr;
        f.write(m_rsa.publicPem());
        f.close();
        config::AuthScheme s;
        s.name = scheme;
        s.type = config::AuthType::Jwt;
        s.publicKey = QStringLiteral("idp.pem");
        s.clockSkew = 30s;
        m_ws.auth = { s };
        config::Route r;
        r.name = QStringLiteral("orders");
        r.filters.edit<config::AuthConfig>().schemes = { scheme };
        m_ws.routes = { r };
        QStringList errors;
        auto filters = auth::makeAuthFilters(m_ws, m_ws.routes.front(), m_services, &errors);
        if (!errors.isEmpty())
            qWarning() << errors;
        return errors.isEmpty() && filters.size() == 1 ? filters.front() : nullptr;
    }
    // The reply when refused, nullopt when the token passed (then the consumer must be bob).
    std::optional<LocalReply> run(const FilterPtr &filter, const QByteArray &token)
    {
        test::TestRequest req(m_ws, m_ws.routes.front());
        req.head.headers.add("Authorization", "Bearer " + token);
        const FilterStatus st = filter->onRequest(req.ctx, req.callbacks);
        if (st == FilterStatus::Continue) {
            if (!req.ctx.consumer || req.ctx.consumer->name != "bob" || req.callbacks->reply)
                return LocalReply {}; // passed, but not as bob: make the caller's check fail
            return std::nullopt;
        }
        return req.callbacks->reply ? req.callbacks->reply : LocalReply {};
    }
    quint64 lookups(const char *result)
    {
        return m_metrics.sumCounter("portico_auth_jwt_cache_total", { { "result", result } });
    }
    quint64 failures(const char *reason)
    {
        return m_metrics.sumCounter("portico_auth_failures_total", { { "reason", reason } });
    }
    static auth::Sha256Digest digest(unsigned char shard, unsigned char id)
    {
        auth::Sha256Digest d {};
        d[0] = shard;
        d[1] = id;
        return d;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_rsa = test::TestKey::rsa();
        QVERIFY(m_rsa.pkey);
        m_services.clock = &m_clock;
        m_services.metrics = &m_metrics;
        m_ws.filePath = m_dir.filePath("portico.yaml");
        config::Consumer bob;
        bob.name = QStringLiteral("bob");
        bob.groups = { QStringLiteral("readers") };
        bob.jwtSubject = QStringLiteral("bob@example.com");
        m_ws.consumers = { bob };
    }

    void reusedTokenIsVerifiedOnce()
    {
        const FilterPtr filter = build();
        QVERIFY(filter);
        const QByteArray token = test::makeJwt(m_rsa, "RS256", claims());
        const quint64 hits = lookups("hit"), misses = lookups("miss");
        QVERIFY(!run(filter, token));
        QCOMPARE(lookups("miss"), misses + 1);
        for (int i = 0; i < 5; ++i)
            QVERIFY(!run(filter, token));
        QCOMPARE(lookups("hit"), hits + 5);
        QCOMPARE(lookups("miss"), misses + 1);

        // A reload builds a new scheme: nothing carries over.
        const FilterPtr reloaded = build();
        QVERIFY(!run(reloaded, token));
        QCOMPARE(lookups("miss"), misses + 2);
    }

    void tamperedTokenIsNotAHit()
    {
        const FilterPtr filter = build();
        const QByteArray token = test::makeJwt(m_rsa, "RS256", claims());
        QVERIFY(!run(filter, token));
        QVERIFY(!run(filter, token));
        // Same header and payload, the signature of another token: a different key, re-verified.
        const QByteArray other = test::makeJwt(m_rsa, "RS256", claims(301));
        const QByteArray tampered = token.left(token.lastIndexOf('.')) + other.mid(other.lastIndexOf('.'));
        QCOMPARE(tampered.left(token.lastIndexOf('.')), token.left(token.lastIndexOf('.')));
        const quint64 hits = lookups("hit"), bad = failures("bad_signature");
        const auto reply = run(filter, tampered);
        QVERIFY(reply);
        QCOMPARE(reply->status, 401);
        QCOMPARE(failures("bad_signature"), bad + 1);
        QCOMPARE(lookups("hit"), hits);
        // The good token is still cached; the refusal was never cached.
        QVERIFY(!run(filter, token));
        QVERIFY(run(filter, tampered));
        QCOMPARE(lookups("hit"), hits + 1);
    }

    void expiryIsHonouredOnACachedToken()
    {
        const FilterPtr filter = build();
        const QByteArray token = test::makeJwt(m_rsa, "RS256", claims(60)); // skew is 30 s
        QVERIFY(!run(filter, token));
        m_clock.advance(89s);
        const quint64 hits = lookups("hit"), expired = failures("expired");
        QVERIFY(!run(filter, token));
        m_clock.advance(1s);
        const auto reply = run(filter, token);
        QVERIFY(reply);
        QCOMPARE(reply->status, 401);
        QCOMPARE(failures("expired"), expired + 1);
        QCOMPARE(lookups("hit"), hits + 2); // refused by the check on the cached entry
        QVERIFY(run(filter, token)); // and the entry is gone: re-verified, still expired
        QCOMPARE(failures("expired"), expired + 2);
        QCOMPARE(lookups("hit"), hits + 2);
    }

    void notBeforeIsHonouredOnACachedToken()
    {
        const FilterPtr filter = build();
        QJsonObject c = claims();
        c["nbf"] = double(now());
        const QByteArray token = test::makeJwt(m_rsa, "RS256", c);
        QVERIFY(!run(filter, token));
        // The wall clock jumps back (NTP): the cached token is not valid yet at the new time.
        const QDateTime was = m_clock.wallNow();
        m_clock.setWallNow(was.addSecs(-31));
        const quint64 hits = lookups("hit"), early = failures("not_yet_valid");
        QVERIFY(run(filter, token));
        QCOMPARE(failures("not_yet_valid"), early + 1);
        QCOMPARE(lookups("hit"), hits + 1);
        m_clock.setWallNow(was);
        QVERIFY(!run(filter, token));
        QCOMPARE(lookups("hit"), hits + 2);
    }

    void tokenWithoutExpIsReverifiedAfterMaxAge()
    {
        const FilterPtr filter = build();
        const QByteArray token = test::makeJwt(m_rsa, "RS256", { { "sub", "bob@example.com" } });
        const quint64 misses = lookups("miss");
        QVERIFY(!run(filter, token));
        m_clock.advance(299s);
        QVERIFY(!run(filter, token));
        QCOMPARE(lookups("miss"), misses + 1);
        m_clock.advance(1s);
        QVERIFY(!run(filter, token));
        QCOMPARE(lookups("miss"), misses + 2);
    }

    void refusalsAreNotCached()
    {
        const FilterPtr filter = build();
        QJsonObject c = claims();
        c["nbf"] = double(now() + 60);
        const QByteArray early = test::makeJwt(m_rsa, "RS256", c);
        QVERIFY(run(filter, early));
        QVERIFY(run(filter, early));
        const quint64 hits = lookups("hit");
        m_clock.advance(31s); // inside the 30 s skew now
        QVERIFY(!run(filter, early));
        QCOMPARE(lookups("hit"), hits);
    }

    void sizeIsBounded()
    {
        auth::JwtVerifiedCache cache({ 32, 300s });
        const auto steady = m_clock.now();
        for (int i = 0; i < 1000; ++i) {
            const auth::Sha256Digest key = auth::JwtVerifiedCache::keyFor(QByteArray::number(i));
            cache.insert(key, {}, now() + 600, steady, now());
            QVERIFY(cache.find(key, steady, now())); // the newest entry is always kept
        }
        QVERIFY(cache.size() <= 32);
        QVERIFY(cache.size() >= 16);
    }

    void fullShardEvictsWhatDiesFirst()
    {
        auth::JwtVerifiedCache cache({ 32, 300s }); // 16 shards of 2
        const auto steady = m_clock.now();
        cache.insert(digest(0, 1), {}, now() + 200, steady, now());
        cache.insert(digest(0, 2), {}, now() + 100, steady, now());
        cache.insert(digest(0, 3), {}, now() + 300, steady, now());
        QVERIFY(cache.find(digest(0, 1), steady, now()));
        QVERIFY(!cache.find(digest(0, 2), steady, now()));
        QVERIFY(cache.find(digest(0, 3), steady, now()));
        // Dead entries make room before live ones are evicted.
        cache.insert(digest(1, 1), {}, now() + 10, steady, now());
        cache.insert(digest(1, 2), {}, now() + 500, steady, now());
        cache.insert(digest(1, 3), {}, now() + 400, steady, now() + 20);
        QVERIFY(cache.find(digest(1, 2), steady, now() + 20));
        QVERIFY(cache.find(digest(1, 3), steady, now() + 20));
        // Already dead on arrival: not kept.
        cache.insert(digest(2, 1), {}, now() - 1, steady, now());
        QVERIFY(!cache.find(digest(2, 1), steady, now()));
        QCOMPARE(cache.size(), size_t(4));
    }

    void workerThreadsShareIt()
    {
        auth::JwtVerifiedCache cache({ 256, 300s });
        const auto steady = m_clock.now();
        const qint64 wall = now();
        std::atomic<int> found { 0 };
        std::vector<std::unique_ptr<QThread>> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back(QThread::create([&, t] {
                for (int i = 0; i < 5000; ++i) {
                    const auth::Sha256Digest key
                        = auth::JwtVerifiedCache::keyFor(QByteArray::number(i % 300));
                    if (cache.find(key, steady, wall))
                        found.fetch_add(1);
                    else
                        cache.insert(key, {}, wall + 600, steady, wall);
                    if (i % 97 == t)
                        cache.erase(key);
                }
            }));
            threads.back()->start();
        }
        for (auto &t : threads)
            QVERIFY(t->wait(10'000));
        QVERIFY(found.load() > 0);
        QVERIFY(cache.size() <= 256);
    }
};

QTEST_GUILESS_MAIN(TestJwtCache)
#include "tst_jwt_cache.moc"
