#include "AuthTestKit.h"
#include "FactoryShims.h"
#include "JwtTestKit.h"

#include "core/common/Metrics.h"
#include "core/filters/FilterServices.h"
#include "core/filters/auth/AuthFactory.h"
#include "core/filters/auth/JwtKey.h"
#include "core/filters/auth/JwtToken.h"
#include "support/FakeClock.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace portico;
using namespace portico::filters;
using namespace std::chrono_literals;

class TestJwt : public QObject
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
    QJsonObject claims(const QString &sub = QStringLiteral("bob@example.com")) const
    {
        return { { "sub", sub }, { "iss", "https://idp.example.com/" }, { "aud", "orders-api" },
            { "iat", double(now()) }, { "exp", double(now() + 300) } };
    }
    QString writePem(const QString &name, const QByteArray &pem)
    {
        QFile f(m_dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(pem);
        return name; // relative: resolved against the workspace file's folder
    }
    config::AuthScheme &addScheme(const QString &name)
    {
        config::AuthScheme s;
        s.name = name;
        s.type = config::AuthType::Jwt;
        s.issuer = QStringLiteral("https://idp.example.com/");
        s.audience = { QStringLiteral("orders-api") };
        m_ws.auth.append(s);
        return m_ws.auth.last();
    }
    const config::Route &addRoute(const QString &scheme, bool hide = false)
    {
        config::Route r;
        r.name = QStringLiteral("r-%1").arg(scheme);
        r.upstream = QStringLiteral("up");
        r.filters.edit<config::AuthConfig>().schemes = { scheme };
        r.filters.edit<config::AuthConfig>().hideCredentials = hide;
        m_ws.routes.append(r);
        return m_ws.routes.last();
    }
    FilterPtr filterFor(const config::Route &r, QStringList *errors = nullptr)
    {
        QStringList local;
        auto f = auth::makeAuthFilters(m_ws, r, m_services, errors ? errors : &local);
        if (!errors && !local.isEmpty())
            qWarning() << local;
        return f.size() == 1 ? f.front() : nullptr;
    }
    // Runs a token; the reply when refused, nullopt when it passed (then *consumer is set).
    std::optional<LocalReply> run(const config::Route &r, const QByteArray &token,
        std::optional<ConsumerIdentity> *consumer = nullptr, test::TestRequest **keep = nullptr)
    {
        QStringList ignored; // broken configs are asserted on separately
        auto f = filterFor(r, &ignored);
        if (!f)
            return LocalReply {};
        auto *req = new test::TestRequest(m_ws, r);
        if (!token.isNull())
            req->head.headers.add("Authorization", "Bearer " + token);
        const FilterStatus st = f->onRequest(req->ctx, req->callbacks);
        std::optional<LocalReply> out = req->callbacks->reply;
        if (st == FilterStatus::Continue && consumer)
            *consumer = req->ctx.consumer;
        if (st == FilterStatus::Continue && out)
            out = LocalReply {}; // both: a bug; make the test fail
        if (keep)
            *keep = req;
        else
            delete req;
        return out;
    }
    quint64 failures(const QByteArray &scheme, const QByteArray &reason)
    {
        return m_metrics.sumCounter(
            "portico_auth_failures_total", { { "scheme", scheme }, { "reason", reason } });
    }
    void expectRefused(const config::Route &r, const QByteArray &token, const QByteArray &reason)
    {
        const QByteArray scheme = r.filters.value<config::AuthConfig>().schemes.front().toUtf8();
        const quint64 before = failures(scheme, reason);
        const auto reply = run(r, token);
        QVERIFY2(reply, "token was accepted");
        QCOMPARE(reply->status, 401);
        QCOMPARE(
            reply->headers.value("WWW-Authenticate"), "Bearer realm=\"portico\", error=\"invalid_token\"");
        QCOMPARE(reply->detail, "The credentials are not valid for this route.");
        QCOMPARE(failures(scheme, reason), before + 1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_rsa = test::TestKey::rsa();
        QVERIFY(m_rsa.pkey);
        m_services.clock = &m_clock;
        m_services.metrics = &m_metrics;
    }

    void init()
    {
        m_ws = config::Workspace();
        m_ws.filePath = m_dir.filePath("portico.yaml");
        config::Consumer bob;
        bob.name = QStringLiteral("bob");
        bob.tier = QStringLiteral("free");
        bob.groups = { QStringLiteral("readers") };
        bob.jwtSubject = QStringLiteral("bob@example.com");
        m_ws.consumers = { bob };
    }

    void everyAlgorithm_data()
    {
        QTest::addColumn<QString>("alg");
        for (const char *alg :
            { "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA" })
            QTest::newRow(alg) << QString::fromLatin1(alg);
    }
    void everyAlgorithm()
    {
        QFETCH(QString, alg);
        test::TestKey key = alg.startsWith("HS") ? test::TestKey::hmac("a-shared-secret-of-some-length")
            : alg.startsWith("RS") || alg.startsWith("PS") ? m_rsa
            : alg == "ES256"                               ? test::TestKey::ec("P-256")
            : alg == "ES384"                               ? test::TestKey::ec("P-384")
                                                           : test::TestKey::ed25519();
        auto &scheme = addScheme("idp");
        if (key.pkey)
            scheme.publicKey = writePem("key-" + alg + ".pem", key.publicPem());
        else
            scheme.secret = QString::fromUtf8(key.secret);
        const auto &route = addRoute("idp");

        std::optional<ConsumerIdentity> consumer;
        const auto reply = run(route, test::makeJwt(key, alg, claims()), &consumer);
        QVERIFY2(!reply, qPrintable(reply ? reply->detail : QString()));
        QVERIFY(consumer);
        QCOMPARE(consumer->name, "bob");
        QCOMPARE(consumer->tier, "free");
        QCOMPARE(consumer->scheme, "idp");
        QVERIFY(!consumer->anonymous);

        // The same key as a JWK verifies too (JWK -> EVP_PKEY via OSSL_PARAM / raw key).
        QString error;
        auto jwk = auth::JwtKey::fromJwk(key.jwk("k1", alg), &error);
        QVERIFY2(jwk, qPrintable(error));
        const QByteArray token = test::makeJwt(key, alg, claims());
        const auto parsed = std::get<auth::JwtToken>(auth::JwtToken::parse(token));
        QVERIFY(jwk->verify(alg, parsed.signingInput(), parsed.signature()));
        QByteArray tampered = parsed.signature();
        tampered[tampered.size() / 2] = char(tampered[tampered.size() / 2] ^ 0x01);
        QVERIFY(!jwk->verify(alg, parsed.signingInput(), tampered));

        // Other claims under the same signature: refused.
        const QList<QByteArray> parts = token.split('.');
        const QByteArray forged
            = parts[0] + '.' + test::segment(claims("alice@example.com")) + '.' + parts[2];
        expectRefused(route, forged, "bad_signature");
    }

    void expiryNotBeforeAndSkew()
    {
        auto &scheme = addScheme("hs");
        scheme.secret = QStringLiteral("s3cret-s3cret");
        scheme.clockSkew = 30s;
        const auto &route = addRoute("hs");
        const auto key = test::TestKey::hmac("s3cret-s3cret");
        auto with = [&](const QString &claim, qint64 delta) {
            QJsonObject c = claims();
            c[claim] = double(now() + delta);
            return test::makeJwt(key, "HS256", c);
        };
        QVERIFY(!run(route, with("exp", -10))); // expired 10 s ago, inside the 30 s skew
        expectRefused(route, with("exp", -30), "expired");
        QVERIFY(!run(route, with("nbf", 20))); // valid in 20 s, inside the skew
        expectRefused(route, with("nbf", 31), "not_yet_valid");

        // The clock moving makes a once-good token expire: no sleeping.
        const QByteArray token = with("exp", 60);
        QVERIFY(!run(route, token));
        m_clock.advance(89s);
        QVERIFY(!run(route, token));
        m_clock.advance(1s);
        expectRefused(route, token, "expired");

        QJsonObject c = claims();
        c["exp"] = "tomorrow";
        expectRefused(route, test::makeJwt(key, "HS256", c), "malformed");
    }

    void issuerAndAudience()
    {
        auto &scheme = addScheme("hs");
        scheme.secret = QStringLiteral("k");
        scheme.audience = { QStringLiteral("orders-api"), QStringLiteral("users-api") };
        const auto &route = addRoute("hs");
        const auto key = test::TestKey::hmac("k");
        QJsonObject c = claims();
        c["aud"] = QJsonArray { "other", "users-api" };
        QVERIFY(!run(route, test::makeJwt(key, "HS256", c)));
        c["aud"] = QJsonArray { "other" };
        expectRefused(route, test::makeJwt(key, "HS256", c), "bad_audience");
        c.remove("aud");
        expectRefused(route, test::makeJwt(key, "HS256", c), "bad_audience");
        c = claims();
        c["iss"] = "https://evil.example.com/";
        expectRefused(route, test::makeJwt(key, "HS256", c), "bad_issuer");
    }

    void algNoneIsRefused()
    {
        auto &scheme = addScheme("hs");
        scheme.secret = QStringLiteral("k");
        const auto &route = addRoute("hs");
        for (const char *none : { "none", "None", "NONE" }) {
            const QByteArray unsigned_
                = test::segment({ { "alg", none } }) + '.' + test::segment(claims()) + '.';
            expectRefused(route, unsigned_, "bad_algorithm");
            // Even with something in the signature slot.
            expectRefused(route, unsigned_ + "c2ln", "bad_algorithm");
        }
    }

    // An HS256 token "signed" with the RSA public key (PEM text) as the HMAC secret.
    void algorithmConfusionIsRefused()
    {
        auto &scheme = addScheme("rsa");
        scheme.publicKey = writePem("confusion.pem", m_rsa.publicPem());
        scheme.algorithms = { QStringLiteral("RS256"), QStringLiteral("HS256") };
        const auto &route = addRoute("rsa");
        const auto forged = test::makeJwt(test::TestKey::hmac(m_rsa.publicPem()), "HS256", claims());
        expectRefused(route, forged, "bad_algorithm");

        // The same with a JWK whose kid the token names.
        QString error;
        auto jwk = auth::JwtKey::fromJwk(m_rsa.jwk("rsa-1"), &error);
        QVERIFY(jwk);
        QVERIFY(!jwk->acceptsAlgorithm("HS256"));
        QVERIFY(!jwk->verify("HS256", "a.b", "sig"));
        // A JWK that names its alg accepts only that one.
        auto pinned = auth::JwtKey::fromJwk(m_rsa.jwk("rsa-2", "PS256"), &error);
        QVERIFY(pinned->acceptsAlgorithm("PS256"));
        QVERIFY(!pinned->acceptsAlgorithm("RS256"));
        QVERIFY(!auth::JwtKey::fromJwk(m_rsa.jwk("rsa-3", "ES256"), &error));
    }

    void algorithmOutsideTheListIsRefused()
    {
        auto &scheme = addScheme("rsa");
        scheme.publicKey = writePem("list.pem", m_rsa.publicPem());
        scheme.algorithms = { QStringLiteral("RS256") };
        const auto &route = addRoute("rsa");
        QVERIFY(!run(route, test::makeJwt(m_rsa, "RS256", claims())));
        expectRefused(route, test::makeJwt(m_rsa, "RS512", claims()), "bad_algorithm");
        expectRefused(route, test::makeJwt(m_rsa, "PS256", claims()), "bad_algorithm");
    }

    void malformedTokens_data()
    {
        QTest::addColumn<QByteArray>("token");
        const QByteArray h = test::segment({ { "alg", "HS256" } });
        const QByteArray p = test::segment({ { "sub", "x" } });
        QTest::newRow("one segment") << QByteArray("abc");
        QTest::newRow("two segments") << h + '.' + p;
        QTest::newRow("four segments") << h + '.' + p + ".c2ln.c2ln";
        QTest::newRow("empty payload") << h + "..c2ln";
        QTest::newRow("bad base64 char") << h + '.' + p + ".c2l$";
        QTest::newRow("padding") << h + '.' + p + ".c2lnbg==";
        QTest::newRow("standard alphabet") << h + '.' + p + ".c2+/";
        QTest::newRow("header not json") << QByteArray("bm90anNvbg.") + p + ".c2ln";
        QTest::newRow("header an array") << auth::encodeBase64Url("[1]") + '.' + p + ".c2ln";
        QTest::newRow("payload not json") << h + ".bm90anNvbg.c2ln";
        QTest::newRow("alg not a string") << test::segment({ { "alg", 256 } }) + '.' + p + ".c2ln";
        QTest::newRow("crit header") << test::segment(
                                            { { "alg", "HS256" }, { "crit", QJsonArray { "b64" } } })
                + '.' + p + ".c2ln";
        QTest::newRow("huge") << QByteArray(20000, 'a') + "." + p + ".c2ln";
    }
    void malformedTokens()
    {
        QFETCH(QByteArray, token);
        auto &scheme = addScheme("hs");
        scheme.secret = QStringLiteral("k");
        const auto &route = addRoute("hs");
        expectRefused(route, token, "malformed");
    }

    void consumerClaimMapping()
    {
        auto &scheme = addScheme("hs");
        scheme.secret = QStringLiteral("k");
        const auto &route = addRoute("hs");
        const auto key = test::TestKey::hmac("k");
        std::optional<ConsumerIdentity> consumer;
        // No consumer has this subject: accepted as an anonymous consumer named after the claim.
        QVERIFY(!run(route, test::makeJwt(key, "HS256", claims("carol@example.com")), &consumer));
        QCOMPARE(consumer->name, "carol@example.com");
        QVERIFY(consumer->anonymous);
        QVERIFY(consumer->groups.isEmpty());
        QVERIFY(consumer->tier.isEmpty());

        QJsonObject noSub = claims();
        noSub.remove("sub");
        expectRefused(route, test::makeJwt(key, "HS256", noSub), "missing_claim");

        m_ws.auth.last().consumerClaim = QStringLiteral("email");
        QJsonObject byEmail = claims("ignored");
        byEmail["email"] = "bob@example.com";
        QVERIFY(!run(route, test::makeJwt(key, "HS256", byEmail), &consumer));
        QCOMPARE(consumer->name, "bob");
    }

    void noTokenAndHideCredentials()
    {
        auto &scheme = addScheme("hs");
        scheme.secret = QStringLiteral("k");
        const auto &route = addRoute("hs", true);
        const auto reply = run(route, QByteArray());
        QVERIFY(reply);
        QCOMPARE(reply->status, 401);
        QCOMPARE(reply->headers.value("WWW-Authenticate"), "Bearer realm=\"portico\"");
        QCOMPARE(reply->detail, "This route requires authentication.");

        test::TestRequest *req = nullptr;
        QVERIFY(!run(route, test::makeJwt(test::TestKey::hmac("k"), "HS256", claims()), nullptr, &req));
        std::unique_ptr<test::TestRequest> owned(req);
        QVERIFY(!req->head.headers.contains("Authorization"));
        QCOMPARE(req->ctx.credentialHeader, "Authorization");
        QCOMPARE(req->ctx.consumer->name, "bob");
    }

    void brokenKeyConfigFailsClosed()
    {
        auto &scheme = addScheme("bad");
        scheme.publicKey
            = writePem("garbage.pem", "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n");
        auto &missing = addScheme("missing");
        missing.publicKey = QStringLiteral("does-not-exist.pem");
        auto &weird = addScheme("weird");
        weird.secret = QStringLiteral("k");
        weird.algorithms = { QStringLiteral("HS1") };
        auto &small = addScheme("small");
        small.publicKey = writePem("small.pem", test::TestKey::rsa(1024).publicPem());
        for (const char *name : { "bad", "missing", "weird", "small" }) {
            const auto &route = addRoute(name);
            QStringList errors;
            auto f = filterFor(route, &errors);
            QVERIFY(f);
            QCOMPARE(errors.size(), 1);
            QVERIFY(errors.front().contains(name));
            expectRefused(route, test::makeJwt(test::TestKey::hmac("k"), "HS256", claims()), "misconfigured");
        }
    }

    void jwkParsingRefusesBadKeys()
    {
        QString error;
        QVERIFY(!auth::JwtKey::fromJwk({ { "kty", "RSA" }, { "n", "AQAB" } }, &error));
        QVERIFY(!auth::JwtKey::fromJwk(
            { { "kty", "EC" }, { "crv", "P-521" }, { "x", "AQAB" }, { "y", "AQAB" } }, &error));
        QVERIFY(error.contains("P-521"));
        QVERIFY(!auth::JwtKey::fromJwk({ { "kty", "OKP" }, { "crv", "X25519" }, { "x", "AQAB" } }, &error));
        QVERIFY(!auth::JwtKey::fromJwk({ { "kty", "oct" }, { "k", "a+b/" } }, &error));
        QJsonObject enc = m_rsa.jwk("e1");
        enc["use"] = "enc";
        QVERIFY(!auth::JwtKey::fromJwk(enc, &error));
        // A point that is not on the curve.
        QJsonObject ec = test::TestKey::ec("P-256").jwk("p");
        QByteArray y = *auth::decodeBase64Url(ec["y"].toString().toLatin1());
        y[5] = char(y[5] ^ 0x40);
        ec["y"] = test::TestKey::b64(y);
        QVERIFY(!auth::JwtKey::fromJwk(ec, &error));
    }
};

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"
