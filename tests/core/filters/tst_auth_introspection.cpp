#include "AuthTestKit.h"
#include "FactoryShims.h"

#include "core/common/Metrics.h"
#include "core/filters/FilterServices.h"
#include "core/filters/auth/AuthFactory.h"
#include "support/FakeClock.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QUrlQuery>

using namespace portico;
using namespace portico::filters;
using namespace std::chrono_literals;

// OAuth 2.0 token introspection against an RFC 7662 endpoint started by the test.
class TestAuthIntrospection : public QObject
{
    Q_OBJECT

private:
    test::FakeClock m_clock;
    MetricsRegistry m_metrics;
    std::unique_ptr<FilterServices> m_services;
    config::Workspace m_ws;
    std::unique_ptr<test::ScriptedHttpServer> m_server;
    qint64 m_shortExp = 0;

    QByteArray answer(const QByteArray &head, const QByteArray &body)
    {
        if (!head.contains("Authorization: Basic " + QByteArray("portico:s%3Acret").toBase64()))
            return test::ScriptedHttpServer::response(401, "{}");
        const QString token = QUrlQuery(QString::fromUtf8(body)).queryItemValue("token", QUrl::FullyDecoded);
        const qint64 now = m_clock.epochSeconds();
        auto json = [](const QJsonObject &o) {
            return test::ScriptedHttpServer::response(200, QJsonDocument(o).toJson(QJsonDocument::Compact));
        };
        if (token == "good token/1")
            return json({ { "active", true }, { "username", "alice" }, { "exp", double(now + 100) } });
        if (token == "bobs")
            return json({ { "active", true }, { "sub", "bob@example.com" }, { "client_id", "web" } });
        if (token == "service")
            return json({ { "active", true }, { "client_id", "svc-1" } });
        if (token == "short")
            return json({ { "active", true }, { "username", "alice" }, { "exp", double(m_shortExp) } });
        if (token == "dead")
            return json({ { "active", false } });
        if (token == "notjson")
            return test::ScriptedHttpServer::response(200, "<html>");
        if (token == "noactive")
            return json({ { "username", "alice" } });
        if (token == "hang")
            return {};
        return test::ScriptedHttpServer::response(500, "{}");
    }

    const config::Route &route(QStringList schemes, config::Duration cache = 60s, QUrl url = {})
    {
        config::AuthScheme s;
        s.name = QStringLiteral("introspect");
        s.type = config::AuthType::OAuth2Introspection;
        s.url = url.isEmpty() ? QUrl(m_server->url("/introspect")) : url;
        s.clientId = QStringLiteral("portico");
        s.clientSecret = QStringLiteral("s:cret");
        s.cache = cache;
        config::AuthScheme keys;
        keys.name = QStringLiteral("keys");
        keys.type = config::AuthType::ApiKey;
        keys.header = QStringLiteral("X-API-Key");
        m_ws.auth = { s, keys };
        config::Route r;
        r.name = QStringLiteral("orders");
        r.filters.edit<config::AuthConfig>().schemes = std::move(schemes);
        m_ws.routes = { r };
        return m_ws.routes.front();
    }
    // Runs one request to completion (waiting for the introspection call when there is one).
    std::unique_ptr<test::TestRequest> run(
        const config::Route &r, const QByteArray &token, FilterStatus *status = nullptr)
    {
        QStringList errors;
        auto filters = auth::makeAuthFilters(m_ws, r, *m_services, &errors);
        if (filters.size() != 1 || !errors.isEmpty())
            return nullptr;
        auto req = std::make_unique<test::TestRequest>(m_ws, r);
        if (!token.isEmpty())
            req->head.headers.add("Authorization", "Bearer " + token);
        const FilterStatus st = filters.front()->onRequest(req->ctx, req->callbacks);
        if (status)
            *status = st;
        if (st == FilterStatus::Stop && !QTest::qWaitFor([&] { return req->callbacks->done(); }, 5000))
            return nullptr;
        return req;
    }
    static bool passed(const std::unique_ptr<test::TestRequest> &req)
    {
        return req && !req->callbacks->reply && req->ctx.consumer.has_value();
    }
    static int status(const std::unique_ptr<test::TestRequest> &req)
    {
        return req && req->callbacks->reply ? req->callbacks->reply->status : 0;
    }

private Q_SLOTS:
    void init()
    {
        m_services = std::make_unique<FilterServices>();
        m_services->clock = &m_clock;
        m_services->metrics = &m_metrics;
        m_server = std::make_unique<test::ScriptedHttpServer>(
            [this](const QByteArray &head, const QByteArray &body) { return answer(head, body); });
        m_ws = config::Workspace();
        config::Consumer alice;
        alice.name = QStringLiteral("alice");
        alice.groups = { QStringLiteral("admins") };
        alice.apiKeys = { QStringLiteral("alice-key") };
        config::Consumer bob;
        bob.name = QStringLiteral("bob");
        bob.jwtSubject = QStringLiteral("bob@example.com");
        m_ws.consumers = { alice, bob };
    }

    void activeTokenAuthenticates()
    {
        const auto &r = route({ "introspect" });
        FilterStatus st;
        auto req = run(r, "good token/1", &st);
        QCOMPARE(st, FilterStatus::Stop);
        QVERIFY(passed(req));
        QCOMPARE(req->callbacks->resumed.load(), 1);
        QCOMPARE(req->ctx.consumer->name, "alice");
        QCOMPARE(req->ctx.consumer->groups, QStringList { "admins" });
        QCOMPARE(req->ctx.consumer->scheme, "introspect");
        const QByteArray head = m_server->lastHead();
        QVERIFY(head.startsWith("POST /introspect "));
        QVERIFY(head.toLower().contains("content-type: application/x-www-form-urlencoded"));
        QCOMPARE(m_server->lastBody(), "token=good%20token%2F1&token_type_hint=access_token");
    }

    void consumerBySubjectOrClientId()
    {
        const auto &r = route({ "introspect" });
        auto bob = run(r, "bobs");
        QVERIFY(passed(bob));
        QCOMPARE(bob->ctx.consumer->name, "bob"); // sub matched to jwt_subject
        QVERIFY(!bob->ctx.consumer->anonymous);
        auto svc = run(r, "service");
        QVERIFY(passed(svc));
        QCOMPARE(svc->ctx.consumer->name, "svc-1");
        QVERIFY(svc->ctx.consumer->anonymous);
    }

    void inactiveIs401()
    {
        const auto &r = route({ "introspect" });
        auto req = run(r, "dead");
        QCOMPARE(status(req), 401);
        QCOMPARE(req->callbacks->reply->headers.value("WWW-Authenticate"),
            "Bearer realm=\"portico\", error=\"invalid_token\"");
        QCOMPARE(m_metrics.sumCounter(
                     "portico_auth_failures_total", { { "scheme", "introspect" }, { "reason", "inactive" } }),
            1u);
        auto none = run(r, {});
        QCOMPARE(status(none), 401);
        QCOMPARE(none->callbacks->reply->headers.value("WWW-Authenticate"), "Bearer realm=\"portico\"");
    }

    void activeAnswersAreCachedButNotPastExp()
    {
        const auto &r = route({ "introspect" }, 60s);
        QVERIFY(passed(run(r, "good token/1")));
        QCOMPARE(m_server->requests(), 1);
        FilterStatus st;
        auto cached = run(r, "good token/1", &st);
        QCOMPARE(st, FilterStatus::Continue); // answered from the cache, synchronously
        QVERIFY(passed(cached));
        QCOMPARE(m_server->requests(), 1);
        m_clock.advance(60s); // the cache duration is over
        QVERIFY(passed(run(r, "good token/1")));
        QCOMPARE(m_server->requests(), 2);

        // A token expiring in 10 s is cached for 10 s only, though `cache` says 60 s.
        m_shortExp = m_clock.epochSeconds() + 10;
        QVERIFY(passed(run(r, "short")));
        QCOMPARE(m_server->requests(), 3);
        m_clock.advance(9s);
        QVERIFY(passed(run(r, "short")));
        QCOMPARE(m_server->requests(), 3);
        m_clock.advance(1s);
        auto expired = run(r, "short"); // asked again; the endpoint still says active, exp has passed
        QCOMPARE(m_server->requests(), 4);
        QCOMPARE(status(expired), 401);

        // Inactive answers are remembered, briefly (inactiveAnswersAreRememberedBriefly).
        QCOMPARE(status(run(r, "dead")), 401);
        QCOMPARE(status(run(r, "dead")), 401);
        QCOMPARE(m_server->requests(), 5);
    }

    void noCacheAsksEveryTime()
    {
        const auto &r = route({ "introspect" }, 0ms);
        QVERIFY(passed(run(r, "good token/1")));
        QVERIFY(passed(run(r, "good token/1")));
        QCOMPARE(m_server->requests(), 2);
        QCOMPARE(m_services->introspection->size(), 0u);
    }

    void endpointProblemsAre503_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::newRow("http 500") << QByteArray("boom");
        QTest::newRow("not json") << QByteArray("notjson");
        QTest::newRow("no active member") << QByteArray("noactive");
    }
    void endpointProblemsAre503()
    {
        QFETCH(QByteArray, token);
        const auto &r = route({ "introspect" });
        auto req = run(r, token);
        QCOMPARE(status(req), 503);
        QVERIFY(req->callbacks->reply->headers.contains("Retry-After"));
        QVERIFY(!req->ctx.consumer);
    }

    void endpointDownIs503()
    {
        const QUrl url(m_server->url("/introspect"));
        m_server->close();
        m_server.reset();
        const auto &r = route({ "introspect" }, 60s, url);
        QCOMPARE(status(run(r, "good token/1")), 503);
        QCOMPARE(m_metrics.sumCounter("portico_auth_failures_total",
                     { { "scheme", "introspect" }, { "reason", "unavailable" } })
                > 0,
            true);
    }

    void slowEndpointTimesOut()
    {
        m_services->introspection->setOptions({ 300ms, 100 });
        const auto &r = route({ "introspect" });
        QCOMPARE(status(run(r, "hang")), 503);
    }

    // At most maxConcurrentCalls calls in flight: past it a request is a 503 at once (a flood of
    // made-up tokens cannot pile up sockets); the slot comes back when the call ends.
    void concurrentCallsAreCapped()
    {
        auth::IntrospectionOptions o;
        o.timeout = 1500ms;
        o.maxConcurrentCalls = 1;
        m_services->introspection->setOptions(o);
        const auto &r = route({ "introspect" });
        QStringList errors;
        auto filters = auth::makeAuthFilters(m_ws, r, *m_services, &errors);
        QCOMPARE(filters.size(), size_t(1));
        test::TestRequest held(m_ws, r);
        held.head.headers.add("Authorization", "Bearer hang");
        QCOMPARE(filters.front()->onRequest(held.ctx, held.callbacks), FilterStatus::Stop);
        QCOMPARE(m_services->introspection->callsInFlight(), 1);

        const int asked = m_server->requests();
        QCOMPARE(status(run(r, "bobs")), 503); // refused without asking
        QCOMPARE(m_server->requests(), asked);

        QVERIFY(QTest::qWaitFor([&] { return held.callbacks->done(); }, 5000)); // the held call times out
        QTRY_COMPARE(m_services->introspection->callsInFlight(), 0);
        QVERIFY(passed(run(r, "bobs")));
    }

    // Inactive answers are remembered for a short while (never longer than the scheme's cache).
    void inactiveAnswersAreRememberedBriefly()
    {
        const auto &r = route({ "introspect" });
        QCOMPARE(status(run(r, "dead")), 401);
        const int asked = m_server->requests();
        QCOMPARE(status(run(r, "dead")), 401);
        QCOMPARE(m_server->requests(), asked);
        m_clock.advance(11s);
        QCOMPARE(status(run(r, "dead")), 401);
        QCOMPARE(m_server->requests(), asked + 1);
    }

    void wrongClientCredentialsAre503NotAPass()
    {
        auto &r = route({ "introspect" });
        m_ws.auth.front().clientSecret = QStringLiteral("wrong");
        QCOMPARE(status(run(r, "good token/1")), 503);
    }

    void anySchemeOfSeveral()
    {
        const auto &r = route({ "keys", "introspect" });
        auto viaToken = run(r, "good token/1");
        QVERIFY(passed(viaToken));
        QCOMPARE(viaToken->ctx.consumer->scheme, "introspect");

        auto neither = run(r, {});
        QCOMPARE(status(neither), 401);
        const auto challenges = neither->callbacks->reply->headers.values("WWW-Authenticate");
        QCOMPARE(challenges, QList<QByteArray>({ "ApiKey realm=\"portico\"", "Bearer realm=\"portico\"" }));

        // A wrong key plus an unreachable introspection endpoint: unknown, so 503, not 401.
        m_server->close();
        m_server.reset();
        const auto &down = route({ "keys", "introspect" }, 60s, QUrl("http://127.0.0.1:1/introspect"));
        auto req = std::make_unique<test::TestRequest>(m_ws, down);
        req->head.headers.add("X-API-Key", "wrong");
        req->head.headers.add("Authorization", "Bearer whatever");
        auto f = auth::makeAuthFilters(m_ws, down, *m_services).front();
        QCOMPARE(f->onRequest(req->ctx, req->callbacks), FilterStatus::Stop);
        QTRY_VERIFY(req->callbacks->reply.has_value());
        QCOMPARE(req->callbacks->reply->status, 503);
    }

    void cacheIsBounded()
    {
        auth::IntrospectionCache cache({ 1000ms, 3 });
        const auto now = m_clock.now();
        for (int i = 0; i < 10; ++i)
            cache.insert(
                QByteArray::number(i), { QStringLiteral("x"), 0 }, now + std::chrono::seconds(10 + i), now);
        QCOMPARE(cache.size(), 3u);
        // The entries closest to expiry were evicted; the latest ones remain.
        QVERIFY(cache.find("9", now, m_clock.epochSeconds()));
        QVERIFY(!cache.find("0", now, m_clock.epochSeconds()));
    }
};

QTEST_GUILESS_MAIN(TestAuthIntrospection)
#include "tst_auth_introspection.moc"
