#include "AuthTestKit.h"
#include "FactoryShims.h"
#include "JwtTestKit.h"

#include "core/common/Metrics.h"
#include "core/filters/FilterServices.h"
#include "core/filters/auth/AuthFactory.h"
#include "support/FakeClock.h"

#include <QJsonArray>
#include <QTest>
#include <QThread>

using namespace portico;
using namespace portico::filters;
using namespace std::chrono_literals;

// JWT verification against a JWK set served by a loopback server started here: first fetch,
// caching, key rotation, the refetch floor, waiting requests (also on another thread) and outages.
class TestJwtJwks : public QObject
{
    Q_OBJECT

private:
    test::TestKey m_rsa, m_ec, m_ed;
    test::FakeClock m_clock;
    MetricsRegistry m_metrics;
    std::unique_ptr<FilterServices> m_services;
    config::Workspace m_ws;
    QByteArray m_document;
    int m_status = 200;
    bool m_answer = true;
    std::unique_ptr<test::ScriptedHttpServer> m_server;
    QUrl m_url;
    FilterPtr m_filter;

    QByteArray jwks(const QList<QJsonObject> &keys)
    {
        QJsonArray a;
        for (const auto &k : keys)
            a.append(k);
        return QJsonDocument(QJsonObject { { "keys", a } }).toJson(QJsonDocument::Compact);
    }
    QJsonObject claims() const
    {
        return { { "sub", "bob@example.com" }, { "exp", double(m_clock.epochSeconds() + 600) } };
    }
    FilterPtr buildFilter()
    {
        config::AuthScheme s;
        s.name = QStringLiteral("idp");
        s.type = config::AuthType::Jwt;
        s.jwksUrl = m_url;
        m_ws.auth = { s };
        config::Route r;
        r.name = QStringLiteral("orders");
        r.filters.edit<config::AuthConfig>().schemes = { QStringLiteral("idp") };
        m_ws.routes = { r };
        QStringList errors;
        auto f = auth::makeAuthFilters(m_ws, m_ws.routes.front(), *m_services, &errors);
        return errors.isEmpty() && f.size() == 1 ? f.front() : nullptr;
    }
    std::unique_ptr<test::TestRequest> start(const QByteArray &token, FilterStatus *status)
    {
        auto req = std::make_unique<test::TestRequest>(m_ws, m_ws.routes.front());
        req->head.headers.add("Authorization", "Bearer " + token);
        *status = m_filter->onRequest(req->ctx, req->callbacks);
        return req;
    }
    int fetches() const { return m_services->jwks->fetchCount(m_url); }

private Q_SLOTS:
    void initTestCase()
    {
        m_rsa = test::TestKey::rsa();
        m_ec = test::TestKey::ec("P-256");
        m_ed = test::TestKey::ed25519();
        QVERIFY(m_rsa.pkey && m_ec.pkey && m_ed.pkey);
    }

    void init()
    {
        m_services = std::make_unique<FilterServices>();
        m_services->clock = &m_clock;
        m_services->metrics = &m_metrics;
        m_status = 200;
        m_answer = true;
        m_document = jwks({ m_rsa.jwk("rsa-1"), m_ed.jwk("ed-1") });
        m_server = std::make_unique<test::ScriptedHttpServer>([this](const QByteArray &, const QByteArray &) {
            return m_answer ? test::ScriptedHttpServer::response(m_status, m_document) : QByteArray();
        });
        m_url = QUrl(m_server->url("/.well-known/jwks.json"));
        m_ws.consumers.clear();
        config::Consumer bob;
        bob.name = QStringLiteral("bob");
        bob.jwtSubject = QStringLiteral("bob@example.com");
        m_ws.consumers.append(bob);
        m_filter = buildFilter();
        QVERIFY(m_filter);
    }

    void firstUseFetchesThenCaches()
    {
        FilterStatus st;
        auto first = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QCOMPARE(st, FilterStatus::Stop); // waits for the fetch
        QTRY_COMPARE(first->callbacks->resumed.load(), 1);
        QVERIFY(!first->callbacks->reply);
        QCOMPARE(first->ctx.consumer->name, "bob");
        QCOMPARE(m_server->requests(), 1);
        QVERIFY(m_server->lastHead().startsWith("GET /.well-known/jwks.json "));

        auto second = start(test::makeJwt(m_ed, "EdDSA", claims(), "ed-1"), &st);
        QCOMPARE(st, FilterStatus::Continue); // cached: no waiting
        QCOMPARE(second->ctx.consumer->name, "bob");
        auto noKid = start(test::makeJwt(m_ed, "EdDSA", claims()), &st);
        QCOMPARE(st, FilterStatus::Continue); // no kid: every key of the set is a candidate
        QCOMPARE(m_server->requests(), 1);
        QCOMPARE(fetches(), 1);
    }

    void staleSetIsRefreshedInTheBackground()
    {
        FilterStatus st;
        auto warm = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QTRY_COMPARE(warm->callbacks->resumed.load(), 1);
        m_clock.advance(std::chrono::hours(1));
        // Past maxAge a known kid still answers at once, while a refresh runs behind it.
        auto stale = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QCOMPARE(st, FilterStatus::Continue);
        QCOMPARE(fetches(), 2);
        QTRY_COMPARE(m_server->requests(), 2);
    }

    void keyRotationRefetchesRespectingTheFloor()
    {
        FilterStatus st;
        const QByteArray original = test::makeJwt(m_rsa, "RS256", claims(), "rsa-1");
        auto warm = start(original, &st);
        QTRY_COMPARE(warm->callbacks->resumed.load(), 1);
        const quint64 hits = m_metrics.sumCounter("portico_auth_jwt_cache_total", { { "result", "hit" } });
        auto reused = start(original, &st);
        QCOMPARE(st, FilterStatus::Continue);
        QCOMPARE(m_metrics.sumCounter("portico_auth_jwt_cache_total", { { "result", "hit" } }), hits + 1);

        // The IdP rotates: rsa-1 out, ec-2 in.
        m_document = jwks({ m_ec.jwk("ec-2") });
        const QByteArray rotated = test::makeJwt(m_ec, "ES256", claims(), "ec-2");
        // Right after a fetch the floor forbids another: the new kid is unknown for now.
        auto early = start(rotated, &st);
        QCOMPARE(st, FilterStatus::Stop);
        QCOMPARE(early->callbacks->reply->status, 401);
        QCOMPARE(fetches(), 1);

        m_clock.advance(30s);
        auto late = start(rotated, &st);
        QCOMPARE(st, FilterStatus::Stop);
        QTRY_COMPARE(late->callbacks->resumed.load(), 1);
        QCOMPARE(late->ctx.consumer->name, "bob");
        QCOMPARE(fetches(), 2);
        QCOMPARE(m_server->requests(), 2);

        // The retired key is gone with the old set, and so is what the cache knew from it.
        auto retired = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QCOMPARE(st, FilterStatus::Stop);
        QCOMPARE(retired->callbacks->reply->status, 401);
        auto cached = start(original, &st);
        QCOMPARE(st, FilterStatus::Stop);
        QVERIFY(cached->callbacks->reply);
        QCOMPARE(cached->callbacks->reply->status, 401);
        QCOMPARE(
            m_metrics.sumCounter("portico_auth_failures_total", { { "reason", "unknown_kid" } }) > 0, true);
    }

    void madeUpKidsCannotHammerTheIdp()
    {
        FilterStatus st;
        auto warm = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QTRY_COMPARE(warm->callbacks->resumed.load(), 1);
        for (int i = 0; i < 20; ++i) {
            auto bogus
                = start(test::makeJwt(m_rsa, "RS256", claims(), QStringLiteral("ghost-%1").arg(i)), &st);
            QVERIFY(bogus->callbacks->reply);
            QCOMPARE(bogus->callbacks->reply->status, 401);
            QCOMPARE(bogus->callbacks->reply->headers.value("WWW-Authenticate"),
                "Bearer realm=\"portico\", error=\"invalid_token\"");
        }
        QCOMPARE(m_server->requests(), 1);
        m_clock.advance(31s);
        // Past the floor an unknown kid may refetch once; still unknown after it -> 401 (async).
        auto after = start(test::makeJwt(m_rsa, "RS256", claims(), "ghost-x"), &st);
        QCOMPARE(st, FilterStatus::Stop);
        QTRY_VERIFY(after->callbacks->reply.has_value());
        QCOMPARE(after->callbacks->reply->status, 401);
        QCOMPARE(after->callbacks->resumed.load(), 0);
        auto again = start(test::makeJwt(m_rsa, "RS256", claims(), "ghost-y"), &st);
        QVERIFY(again->callbacks->reply);
        QCOMPARE(m_server->requests(), 2);
    }

    void concurrentRequestsShareOneFetch()
    {
        std::vector<std::unique_ptr<test::TestRequest>> waiting;
        for (int i = 0; i < 5; ++i) {
            FilterStatus st;
            waiting.push_back(start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st));
            QCOMPARE(st, FilterStatus::Stop);
        }
        for (auto &r : waiting)
            QTRY_COMPARE(r->callbacks->resumed.load(), 1);
        QCOMPARE(m_server->requests(), 1);
        QCOMPARE(fetches(), 1);
    }

    // A request on another worker thread waits for the fetch this thread started, and is
    // resumed on its own thread.
    void waiterOnAnotherThreadResumesThere()
    {
        FilterStatus st;
        m_answer = false; // hold the fetch until both requests wait
        auto here = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QCOMPARE(st, FilterStatus::Stop);
        QTRY_COMPARE(m_server->requests(), 1);

        QThread worker;
        worker.start();
        QObject anchor;
        anchor.moveToThread(&worker);
        std::unique_ptr<test::TestRequest> there;
        FilterStatus thereStatus = FilterStatus::Continue;
        const QByteArray token = test::makeJwt(m_ed, "EdDSA", claims(), "ed-1");
        QMetaObject::invokeMethod(
            &anchor, [&] { there = start(token, &thereStatus); }, Qt::BlockingQueuedConnection);
        QCOMPARE(thereStatus, FilterStatus::Stop);

        m_server->answerHeld(test::ScriptedHttpServer::response(200, m_document));
        QTRY_COMPARE(here->callbacks->resumed.load(), 1);
        QTRY_COMPARE(there->callbacks->resumed.load(), 1);
        QCOMPARE(m_server->requests(), 1);
        QCOMPARE(there->callbacks->resumedOn.load(), &worker);
        QCOMPARE(here->callbacks->resumedOn.load(), QThread::currentThread());
        QCOMPARE(there->ctx.consumer->name, "bob");
        QMetaObject::invokeMethod(
            &anchor, [&] { there.reset(); }, Qt::BlockingQueuedConnection);
        worker.quit();
        worker.wait();
    }

    // The request whose client started a fetch goes away with that client (worker shutdown): the
    // fetch is abandoned and a waiting request fetches again through its own client.
    void abandonedFetchIsRetriedByAWaiter()
    {
        m_answer = false;
        FilterStatus st;
        auto starter = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QCOMPARE(st, FilterStatus::Stop);
        QTRY_COMPARE(m_server->requests(), 1);
        auto waiter = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QCOMPARE(st, FilterStatus::Stop);
        starter->callbacks->dropNetwork(); // and with it the reply in flight
        QTRY_COMPARE(m_server->requests(), 2);
        m_server->answerHeld(test::ScriptedHttpServer::response(200, m_document));
        QTRY_COMPARE(waiter->callbacks->resumed.load(), 1);
        QCOMPARE(waiter->ctx.consumer->name, "bob");
        QCOMPARE(fetches(), 2);
        QCOMPARE(starter->callbacks->resumed.load(), 0); // its client is gone; nobody to resume
    }

    void endpointDownIs503()
    {
        m_server->close();
        m_server.reset();
        FilterStatus st;
        auto req = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QCOMPARE(st, FilterStatus::Stop);
        QTRY_VERIFY(req->callbacks->reply.has_value());
        QCOMPARE(req->callbacks->reply->status, 503);
        QVERIFY(req->callbacks->reply->headers.contains("Retry-After"));
        QVERIFY(!req->ctx.consumer);
        // Within the floor, later requests get 503 at once instead of another attempt.
        auto next = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QCOMPARE(next->callbacks->reply->status, 503);
        QCOMPARE(fetches(), 1);
    }

    void brokenDocumentOrErrorStatusIs503()
    {
        m_document = "{\"keys\": 42}";
        FilterStatus st;
        auto req = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QTRY_VERIFY(req->callbacks->reply.has_value());
        QCOMPARE(req->callbacks->reply->status, 503);

        m_clock.advance(30s);
        m_document = jwks({ m_rsa.jwk("rsa-1") });
        m_status = 500;
        auto again = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QTRY_VERIFY(again->callbacks->reply.has_value());
        QCOMPARE(again->callbacks->reply->status, 503);
        QCOMPARE(fetches(), 2);
    }

    void slowEndpointTimesOutTo503()
    {
        m_services->jwks->setOptions({ 30'000ms, 300ms, 3'600'000ms, 1 << 20 });
        m_answer = false;
        FilterStatus st;
        auto req = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QCOMPARE(st, FilterStatus::Stop);
        QTRY_VERIFY(req->callbacks->reply.has_value());
        QCOMPARE(req->callbacks->reply->status, 503);
    }

    void cancelledRequestIsLeftAlone()
    {
        FilterStatus st;
        auto req = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QCOMPARE(st, FilterStatus::Stop);
        req->callbacks->cancel();
        auto other = start(test::makeJwt(m_rsa, "RS256", claims(), "rsa-1"), &st);
        QTRY_COMPARE(other->callbacks->resumed.load(), 1);
        QCOMPARE(req->callbacks->resumed.load(), 0);
        QVERIFY(!req->ctx.consumer);
    }
};

QTEST_GUILESS_MAIN(TestJwtJwks)
#include "tst_jwt_jwks.moc"
