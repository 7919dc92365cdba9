// JWT through the real proxy: tokens signed here by OpenSSL for every algorithm the gateway
// verifies (static secrets and PEM keys), a JWKS server started by the test (first fetch, key
// rotation after the refetch floor, outage), every refusal the issue names, several schemes on one
// route, and the failure counters.
#include "../filters/AuthTestKit.h"
#include "../filters/JwtTestKit.h"
#include "FilterItKit.h"

using namespace portico;
using namespace portico::test;
using namespace std::chrono_literals;

namespace {

const char *kWorkspace = R"(upstreams:
  echo: {targets: [{url: {{UP}}}]}
consumers:
  - name: bob
    groups: [ops]
    jwt_subject: bob@example.com
    api_keys: [bob-key-1]
auth:
  keys: {type: api_key, header: X-API-Key}
  hmac:
    type: jwt
    secret: {{SECRET}}
    algorithms: [HS256, HS384, HS512]
    issuer: https://idp.test/
    audience: orders-api
    clock_skew: 30s
  rsa: {type: jwt, public_key: rsa.pem, algorithms: [RS256, RS384, RS512, PS256], issuer: https://idp.test/, audience: orders-api}
  ec256: {type: jwt, public_key: ec256.pem, algorithms: [ES256], issuer: https://idp.test/, audience: orders-api}
  ec384: {type: jwt, public_key: ec384.pem, algorithms: [ES384], issuer: https://idp.test/, audience: orders-api}
  ed: {type: jwt, public_key: ed.pem, algorithms: [EdDSA], issuer: https://idp.test/, audience: orders-api}
  confused: {type: jwt, public_key: rsa.pem, algorithms: [RS256, HS256]}
  idp: {type: jwt, jwks_url: {{JWKS}}, issuer: https://idp.test/, audience: orders-api}
  idp2: {type: jwt, jwks_url: {{JWKS2}}}
  idp3: {type: jwt, jwks_url: {{JWKS3}}}
  down: {type: jwt, jwks_url: http://127.0.0.1:{{DOWN}}/jwks.json}
routes:
  - {name: hmac, match: {path: /hmac}, upstream: echo, auth: [hmac], hide_credentials: true}
  - {name: rsa, match: {path: /rsa}, upstream: echo, auth: [rsa]}
  - {name: ec256, match: {path: /ec256}, upstream: echo, auth: [ec256]}
  - {name: ec384, match: {path: /ec384}, upstream: echo, auth: [ec384]}
  - {name: ed, match: {path: /ed}, upstream: echo, auth: [ed]}
  - {name: confused, match: {path: /confused}, upstream: echo, auth: [confused]}
  - {name: jwks, match: {path: /jwks}, upstream: echo, auth: [idp]}
  - {name: jwks2, match: {path: /cold}, upstream: echo, auth: [idp2]}
  - {name: jwks3, match: {path: /held}, upstream: echo, auth: [idp3]}
  - {name: jwks-down, match: {path: /down}, upstream: echo, auth: [down]}
  - {name: either, match: {path: /either}, upstream: echo, auth: [keys, hmac]}
)";

const QByteArray kSecret = "a-shared-secret-that-is-long-enough-for-hs512-0123456789abcdef";

QList<QByteArray> headerValues(const RawResponse &r, QByteArrayView name)
{
    QList<QByteArray> out;
    for (const auto &[n, v] : r.headers) {
        if (name.compare(n, Qt::CaseInsensitive) == 0)
            out.append(v);
    }
    return out;
}

} // namespace

class TestItAuthJwt : public QObject
{
    Q_OBJECT

private:
    TestKey m_hmac = TestKey::hmac(kSecret);
    TestKey m_rsa, m_ec256, m_ec384, m_ed, m_rotated;
    std::unique_ptr<LoopbackUpstream> m_up;
    std::unique_ptr<GatewayHarness> m_gw;
    std::unique_ptr<ScriptedHttpServer> m_jwks;
    QByteArray m_jwksDocument;
    bool m_holdJwks = false; // leave JWKS requests unanswered (ScriptedHttpServer::answerHeld)
    QHash<QString, QString> m_vars;

    static QByteArray jwks(const QList<QJsonObject> &keys)
    {
        QJsonArray a;
        for (const QJsonObject &k : keys)
            a.append(k);
        return QJsonDocument(QJsonObject { { "keys", a } }).toJson(QJsonDocument::Compact);
    }

    qint64 now() const { return m_gw->clock().epochSeconds(); }

    QJsonObject claims(const QString &sub = QStringLiteral("bob@example.com")) const
    {
        return { { "sub", sub }, { "iss", "https://idp.test/" }, { "aud", "orders-api" },
            { "iat", double(now()) }, { "exp", double(now() + 600) } };
    }

    static wire::Headers bearer(const QByteArray &token)
    {
        return { { "Authorization", "Bearer " + token } };
    }

    quint64 failures(const MetricLabels &labels) const
    {
        return m_gw->gateway().metrics().sumCounter("portico_auth_failures_total", labels);
    }

    void verifyInvalidToken(const RawResponse &r)
    {
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 401);
        QCOMPARE(
            r.header("WWW-Authenticate"), QByteArray("Bearer realm=\"portico\", error=\"invalid_token\""));
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_rsa = TestKey::rsa();
        m_ec256 = TestKey::ec("P-256");
        m_ec384 = TestKey::ec("P-384");
        m_ed = TestKey::ed25519();
        m_rotated = TestKey::ec("P-256");
        QVERIFY(m_rsa.pkey && m_ec256.pkey && m_ec384.pkey && m_ed.pkey && m_rotated.pkey);

        m_jwksDocument = jwks({ m_rsa.jwk("rsa-1"), m_ed.jwk("ed-1") });
        m_jwks = std::make_unique<ScriptedHttpServer>([this](const QByteArray &, const QByteArray &) {
            return m_holdJwks ? QByteArray() : ScriptedHttpServer::response(200, m_jwksDocument);
        });
        QVERIFY(m_jwks->port() != 0);

        m_up = std::make_unique<LoopbackUpstream>();
        QVERIFY(m_up->isRunning());
        m_gw = std::make_unique<GatewayHarness>();
        m_gw->dir().writeFile(QStringLiteral("rsa.pem"), m_rsa.publicPem());
        m_gw->dir().writeFile(QStringLiteral("ec256.pem"), m_ec256.publicPem());
        m_gw->dir().writeFile(QStringLiteral("ec384.pem"), m_ec384.publicPem());
        m_gw->dir().writeFile(QStringLiteral("ed.pem"), m_ed.publicPem());
        m_vars = { { QStringLiteral("UP"), m_up->url().toString() },
            { QStringLiteral("SECRET"), QString::fromLatin1(kSecret) },
            { QStringLiteral("JWKS"), m_jwks->url(QStringLiteral("/.well-known/jwks.json")) },
            { QStringLiteral("JWKS2"), m_jwks->url(QStringLiteral("/second/jwks.json")) },
            { QStringLiteral("JWKS3"), m_jwks->url(QStringLiteral("/third/jwks.json")) },
            { QStringLiteral("DOWN"), QString::number(closedLoopbackPort()) } };
        const QString problems = m_gw->start(gatewayHeader() + QString::fromLatin1(kWorkspace), m_vars);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }
    void cleanupTestCase()
    {
        m_gw.reset();
        m_up.reset();
        m_jwks.reset();
    }

    void everyAlgorithm_data()
    {
        QTest::addColumn<QString>("alg");
        QTest::addColumn<QByteArray>("route");
        QTest::newRow("HS256") << "HS256" << QByteArray("/hmac");
        QTest::newRow("HS384") << "HS384" << QByteArray("/hmac");
        QTest::newRow("HS512") << "HS512" << QByteArray("/hmac");
        QTest::newRow("RS256") << "RS256" << QByteArray("/rsa");
        QTest::newRow("RS384") << "RS384" << QByteArray("/rsa");
        QTest::newRow("RS512") << "RS512" << QByteArray("/rsa");
        QTest::newRow("PS256") << "PS256" << QByteArray("/rsa");
        QTest::newRow("ES256") << "ES256" << QByteArray("/ec256");
        QTest::newRow("ES384") << "ES384" << QByteArray("/ec384");
        QTest::newRow("EdDSA") << "EdDSA" << QByteArray("/ed");
    }
    void everyAlgorithm()
    {
        QFETCH(QString, alg);
        QFETCH(QByteArray, route);
        const TestKey &key = alg.startsWith(u"HS")           ? m_hmac
            : alg.startsWith(u"RS") || alg.startsWith(u"PS") ? m_rsa
            : alg == u"ES256"                                ? m_ec256
            : alg == u"ES384"                                ? m_ec384
                                                             : m_ed;
        const QByteArray token = makeJwt(key, alg, claims());
        const RawResponse ok = m_gw->get(route + "/orders", bearer(token));
        QVERIFY2(ok.complete, qPrintable(ok.error));
        QCOMPARE(ok.status, 200);
        const RecordedRequest up = m_up->lastRequest();
        QCOMPARE(up.path, QString::fromLatin1(route + "/orders"));
        QCOMPARE(up.header("X-Consumer-Name"), QByteArray("bob"));
        QCOMPARE(up.header("X-Consumer-Groups"), QByteArray("ops"));
        // /hmac hides credentials, the others pass the token on.
        QCOMPARE(up.hasHeader("Authorization"), route != "/hmac");

        // One flipped signature byte: refused.
        QByteArray tampered = token;
        const qsizetype dot = tampered.lastIndexOf('.');
        QByteArray sig = filters::auth::decodeBase64Url(tampered.mid(dot + 1)).value_or(QByteArray());
        QVERIFY(!sig.isEmpty());
        sig[sig.size() / 2] = char(sig[sig.size() / 2] ^ 0x01);
        tampered = tampered.left(dot + 1) + filters::auth::encodeBase64Url(sig);
        verifyInvalidToken(m_gw->get(route + "/orders", bearer(tampered)));
    }

    void unknownSubjectIsAnAnonymousConsumer()
    {
        const RawResponse r
            = m_gw->get("/hmac/x", bearer(makeJwt(m_hmac, "HS256", claims("carol@example.com"))));
        QCOMPARE(r.status, 200);
        QCOMPARE(m_up->lastRequest().header("X-Consumer-Name"), QByteArray("carol@example.com"));
        QVERIFY(!m_up->lastRequest().hasHeader("X-Consumer-Groups"));
    }

    // A claim becomes X-Consumer-Name: one that could split a header, or that names a configured
    // consumer it is not mapped to, is refused (401), and the upstream never sees a forged line.
    void hostileSubjectsAreRefused_data()
    {
        QTest::addColumn<QString>("sub");
        QTest::newRow("CRLF header injection") << QStringLiteral("eve\r\nX-Consumer-Groups: admins");
        QTest::newRow("bare LF") << QStringLiteral("eve\nX-Consumer-Groups: admins");
        QTest::newRow("NUL") << QStringLiteral("eve\u0000admin");
        QTest::newRow("DEL") << QStringLiteral("eve\u007f");
        QTest::newRow("too long") << QString(300, u'e');
        QTest::newRow("a configured consumer's name") << QStringLiteral("bob");
    }
    void hostileSubjectsAreRefused()
    {
        QFETCH(QString, sub);
        const int before = m_up->requestCount();
        const quint64 refused = failures({ { "scheme", "hmac" }, { "reason", "bad_claim" } });
        const RawResponse r = m_gw->get("/hmac/x", bearer(makeJwt(m_hmac, "HS256", claims(sub))));
        verifyInvalidToken(r);
        QCOMPARE(m_up->requestCount(), before);
        QCOMPARE(failures({ { "scheme", "hmac" }, { "reason", "bad_claim" } }), refused + 1);
    }

    void algNoneIsRefused()
    {
        const quint64 before = failures({ { "scheme", "hmac" } });
        QJsonObject header { { "alg", "none" }, { "typ", "JWT" } };
        const QByteArray unsigned_ = segment(header) + '.' + segment(claims()) + '.';
        verifyInvalidToken(m_gw->get("/hmac/x", bearer(unsigned_)));
        // The same with a signature appended does not help.
        verifyInvalidToken(m_gw->get("/hmac/x", bearer(unsigned_ + "c2ln")));
        QCOMPARE(failures({ { "scheme", "hmac" } }), before + 2);
    }

    void algorithmConfusionIsRefused()
    {
        // The classic attack: an HS256 token whose HMAC key is the RSA public key (PEM bytes),
        // sent to a scheme that knows only that public key but lists HS256.
        const TestKey pemAsSecret = TestKey::hmac(m_rsa.publicPem());
        const quint64 before = failures({ { "scheme", "confused" }, { "reason", "bad_algorithm" } });
        verifyInvalidToken(m_gw->get("/confused/x", bearer(makeJwt(pemAsSecret, "HS256", claims()))));
        QCOMPARE(failures({ { "scheme", "confused" }, { "reason", "bad_algorithm" } }), before + 1);
        // The real RS256 token passes on the same route.
        QCOMPARE(m_gw->get("/confused/x", bearer(makeJwt(m_rsa, "RS256", claims()))).status, 200);
        // And an RSA route that does not list HS256 refuses it without looking further.
        verifyInvalidToken(m_gw->get("/rsa/x", bearer(makeJwt(pemAsSecret, "HS256", claims()))));
    }

    void expiredAndNotYetValidAreRefused()
    {
        QJsonObject expired = claims();
        expired["exp"] = double(now() - 120);
        verifyInvalidToken(m_gw->get("/hmac/x", bearer(makeJwt(m_hmac, "HS256", expired))));
        QJsonObject withinSkew = claims();
        withinSkew["exp"] = double(now() - 10); // clock_skew is 30s
        QCOMPARE(m_gw->get("/hmac/x", bearer(makeJwt(m_hmac, "HS256", withinSkew))).status, 200);
        QJsonObject early = claims();
        early["nbf"] = double(now() + 300);
        verifyInvalidToken(m_gw->get("/hmac/x", bearer(makeJwt(m_hmac, "HS256", early))));
        // The RSA scheme has no skew: one second late is late.
        QJsonObject justExpired = claims();
        justExpired["exp"] = double(now() - 1);
        verifyInvalidToken(m_gw->get("/rsa/x", bearer(makeJwt(m_rsa, "RS256", justExpired))));
        QVERIFY(failures({ { "reason", "expired" } }) >= 2);
        QVERIFY(failures({ { "reason", "not_yet_valid" } }) >= 1);
    }

    void wrongIssuerOrAudienceIsRefused()
    {
        QJsonObject iss = claims();
        iss["iss"] = "https://evil.test/";
        verifyInvalidToken(m_gw->get("/ec256/x", bearer(makeJwt(m_ec256, "ES256", iss))));
        QJsonObject aud = claims();
        aud["aud"] = "billing-api";
        verifyInvalidToken(m_gw->get("/ec256/x", bearer(makeJwt(m_ec256, "ES256", aud))));
        QJsonObject audList = claims();
        audList["aud"] = QJsonArray { "billing-api", "orders-api" };
        QCOMPARE(m_gw->get("/ec256/x", bearer(makeJwt(m_ec256, "ES256", audList))).status, 200);
        QCOMPARE(failures({ { "scheme", "ec256" }, { "reason", "bad_issuer" } }), quint64(1));
        QCOMPARE(failures({ { "scheme", "ec256" }, { "reason", "bad_audience" } }), quint64(1));
    }

    void malformedTokensAreRefused()
    {
        for (const QByteArray &bad : { QByteArray("abc"), QByteArray("a.b.c"), QByteArray("!!!.###.$$$"),
                 segment({ { "alg", "HS256" } }) + ".bm90LWpzb24." })
            verifyInvalidToken(m_gw->get("/hmac/x", bearer(bad)));
        // No token at all: a challenge without an error code (RFC 6750 3).
        const RawResponse none = m_gw->get("/hmac/x");
        QCOMPARE(none.status, 401);
        QCOMPARE(none.header("WWW-Authenticate"), QByteArray("Bearer realm=\"portico\""));
    }

    void jwksFirstFetchThenCache()
    {
        const int before = m_jwks->requests();
        const RawResponse r
            = getSpinning(*m_gw, "/jwks/a", bearer(makeJwt(m_rsa, "RS256", claims(), "rsa-1")));
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(m_up->lastRequest().header("X-Consumer-Name"), QByteArray("bob"));
        QCOMPARE(m_jwks->requests(), before + 1);
        QVERIFY(m_jwks->lastHead().startsWith("GET /.well-known/jwks.json "));
        // Cached: EdDSA from the same set, no second fetch (the other worker shares the cache).
        for (int i = 0; i < 4; ++i)
            QCOMPARE(
                getSpinning(*m_gw, "/jwks/b", bearer(makeJwt(m_ed, "EdDSA", claims(), "ed-1"))).status, 200);
        QCOMPARE(m_jwks->requests(), before + 1);
    }

    void jwksColdStartUnderConcurrencyFetchesOnce()
    {
        // Requests on both workers arrive before any key set is known: they all wait for one
        // fetch, each resumed on its own worker thread.
        const int before = m_jwks->requests();
        const QByteArray request = httpRequest("GET", "/cold/x",
            { { "Host", "gateway.test" },
                { "Authorization", "Bearer " + makeJwt(m_rsa, "RS256", claims(), "rsa-1") } });
        const quint16 port = m_gw->port();
        std::vector<std::future<RawResponse>> pending;
        for (int i = 0; i < 8; ++i) {
            pending.push_back(std::async(std::launch::async, [port, request] {
                RawClient client;
                if (!client.connectTo(QStringLiteral("127.0.0.1"), port))
                    return RawResponse {};
                return client.roundTrip(request, 8000);
            }));
        }
        const auto allDone = [&] {
            for (auto &f : pending) {
                if (f.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
                    return false;
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(allDone(), 10000);
        for (auto &f : pending) {
            const RawResponse r = f.get();
            QVERIFY2(r.complete, qPrintable(r.error));
            QCOMPARE(r.status, 200);
        }
        QCOMPARE(m_jwks->requests(), before + 1);
        QCOMPARE(m_up->requestCount(QStringLiteral("/cold/x")), 8);
    }

    void jwksFetchOutlivesAReloadAndAClientThatLeft()
    {
        // Two requests wait for a slow IdP: one client gives up and closes, then the config is
        // reloaded; when the key set finally arrives the other is served by its (old) chain, and
        // the abandoned one is dropped without harm.
        m_holdJwks = true;
        const int before = m_jwks->requests();
        const QByteArray request = httpRequest("GET", "/held/x",
            { { "Host", "gateway.test" },
                { "Authorization", "Bearer " + makeJwt(m_rsa, "RS256", claims(), "rsa-1") } });
        RawClient leaver;
        QVERIFY(leaver.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
        QVERIFY(leaver.send(request));
        const quint16 port = m_gw->port();
        auto waiting = std::async(std::launch::async, [port, request] {
            RawClient client;
            if (!client.connectTo(QStringLiteral("127.0.0.1"), port))
                return RawResponse {};
            return client.roundTrip(request, 10000);
        });
        QTRY_COMPARE(m_jwks->requests(), before + 1); // one fetch for both
        QTRY_COMPARE(m_gw->gateway().activeRequests(), quint64(2));
        leaver.close();
        QTRY_COMPARE(m_gw->gateway().activeRequests(), quint64(1));
        const int revision = m_gw->gateway().revision();
        QCOMPARE(m_gw->reload(gatewayHeader() + QString::fromLatin1(kWorkspace), m_vars), QStringList());
        QVERIFY(m_gw->gateway().revision() > revision);
        QVERIFY(waiting.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready);

        m_holdJwks = false;
        m_jwks->answerHeld(ScriptedHttpServer::response(200, m_jwksDocument));
        QTRY_VERIFY_WITH_TIMEOUT(
            waiting.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready, 10000);
        const RawResponse r = waiting.get();
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(m_up->requestCount(QStringLiteral("/held/x")), 1);
        // The new chain uses the same cache: no second fetch.
        QCOMPARE(
            getSpinning(*m_gw, "/held/y", bearer(makeJwt(m_rsa, "RS256", claims(), "rsa-1"))).status, 200);
        QCOMPARE(m_jwks->requests(), before + 1);
    }

    void jwksUnknownKidIsRefused()
    {
        const int before = m_jwks->requests();
        const quint64 failed = failures({ { "scheme", "idp" }, { "reason", "unknown_kid" } });
        const RawResponse r
            = getSpinning(*m_gw, "/jwks/a", bearer(makeJwt(m_rsa, "RS256", claims(), "ghost")));
        verifyInvalidToken(r);
        // Within the refetch floor no new fetch is made for a made-up kid.
        QCOMPARE(m_jwks->requests(), before);
        QCOMPARE(failures({ { "scheme", "idp" }, { "reason", "unknown_kid" } }), failed + 1);
    }

    void jwksKeyRotationFetchesTheNewKid()
    {
        const int before = m_jwks->requests();
        m_jwksDocument = jwks({ m_rotated.jwk("ec-2"), m_ed.jwk("ed-1") });
        const QByteArray rotated = makeJwt(m_rotated, "ES256", claims(), "ec-2");
        m_gw->clock().advance(31s); // past the refetch floor
        const RawResponse r = getSpinning(*m_gw, "/jwks/a", bearer(rotated));
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(m_jwks->requests(), before + 1);
        QCOMPARE(m_up->lastRequest().header("X-Consumer-Name"), QByteArray("bob"));
        // The retired key went with the old set.
        verifyInvalidToken(getSpinning(*m_gw, "/jwks/a", bearer(makeJwt(m_rsa, "RS256", claims(), "rsa-1"))));
        QCOMPARE(m_jwks->requests(), before + 1);
    }

    void jwksOutageIsServiceUnavailable()
    {
        // No key set was ever fetched and the IdP cannot be reached: 503, not a pass, not a 401.
        const RawResponse r
            = getSpinning(*m_gw, "/down/a", bearer(makeJwt(m_rsa, "RS256", claims(), "rsa-1")));
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 503);
        QCOMPARE(r.header("Retry-After"), QByteArray("5"));
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QVERIFY(!r.hasHeader("WWW-Authenticate"));
        QCOMPARE(m_up->requestCount(QStringLiteral("/down/a")), 0);
        QVERIFY(failures({ { "scheme", "down" }, { "reason", "unavailable" } }) >= 1);

        // An outage after a good fetch keeps the last good set: known keys still verify.
        m_jwks->close();
        m_gw->clock().advance(31s);
        const RawResponse known
            = getSpinning(*m_gw, "/jwks/a", bearer(makeJwt(m_rotated, "ES256", claims(), "ec-2")));
        QCOMPARE(known.status, 200);
    }

    void severalSchemesAnyOneSucceeds()
    {
        const RawResponse byKey = m_gw->get("/either/x", { { "X-API-Key", "bob-key-1" } });
        QCOMPARE(byKey.status, 200);
        QCOMPARE(m_up->lastRequest().header("X-Consumer-Name"), QByteArray("bob"));
        const RawResponse byJwt = m_gw->get("/either/x", bearer(makeJwt(m_hmac, "HS512", claims())));
        QCOMPARE(byJwt.status, 200);
        QCOMPARE(m_up->lastRequest().header("X-Consumer-Name"), QByteArray("bob"));
        // A bad key does not stop a good token from authenticating.
        wire::Headers both = bearer(makeJwt(m_hmac, "HS256", claims()));
        both.append(std::pair<QByteArray, QByteArray>("X-API-Key", "wrong"));
        QCOMPARE(m_gw->get("/either/x", both).status, 200);

        const RawResponse none = m_gw->get("/either/x");
        QCOMPARE(none.status, 401);
        QCOMPARE(headerValues(none, "WWW-Authenticate"),
            QList<QByteArray>({ "ApiKey realm=\"portico\"", "Bearer realm=\"portico\"" }));
        const RawResponse badToken = m_gw->get("/either/x", bearer("x.y.z"));
        QCOMPARE(badToken.status, 401);
        QCOMPARE(headerValues(badToken, "WWW-Authenticate"),
            QList<QByteArray>(
                { "ApiKey realm=\"portico\"", "Bearer realm=\"portico\", error=\"invalid_token\"" }));
    }
};

QTEST_GUILESS_MAIN(TestItAuthJwt)
#include "tst_it_auth_jwt.moc"
