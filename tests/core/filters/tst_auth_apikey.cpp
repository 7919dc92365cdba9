#include "AuthTestKit.h"
#include "FactoryShims.h"

#include "core/common/Metrics.h"
#include "core/filters/FilterServices.h"
#include "core/filters/auth/ApiKeyAuth.h"
#include "core/filters/auth/AuthFactory.h"
#include "core/filters/auth/ConsumerDirectory.h"
#include "support/FakeClock.h"

#include <QTest>

using namespace portico;
using namespace portico::filters;

class TestAuthApiKey : public QObject
{
    Q_OBJECT

private:
    config::Workspace m_ws;
    test::FakeClock m_clock;
    MetricsRegistry m_metrics;
    FilterServices m_services;

    const config::Route &route(const QString &name, QStringList auth, bool hide = false)
    {
        config::Route r;
        r.name = name;
        r.upstream = QStringLiteral("up");
        r.filters.edit<config::AuthConfig>().schemes = std::move(auth);
        r.filters.edit<config::AuthConfig>().hideCredentials = hide;
        m_ws.routes.append(r);
        return m_ws.routes.last();
    }
    FilterPtr filterFor(const config::Route &r)
    {
        QStringList errors;
        auto filters = auth::makeAuthFilters(m_ws, r, m_services, &errors);
        if (!errors.isEmpty())
            qWarning() << errors;
        return filters.size() == 1 ? filters.front() : nullptr;
    }
    quint64 failures(const QByteArray &scheme, const QByteArray &reason)
    {
        return m_metrics.sumCounter(
            "portico_auth_failures_total", { { "scheme", scheme }, { "reason", reason } });
    }

private Q_SLOTS:
    void init()
    {
        m_ws = config::Workspace();
        m_services = FilterServices();
        m_services.clock = &m_clock;
        m_services.metrics = &m_metrics;
        config::Consumer alice;
        alice.name = QStringLiteral("alice");
        alice.tier = QStringLiteral("gold");
        alice.groups = { QStringLiteral("admins"), QStringLiteral("ops") };
        alice.apiKeys = { QStringLiteral("alice-key-1"), QStringLiteral("alice key+2") };
        config::Consumer bob;
        bob.name = QStringLiteral("bob");
        bob.apiKeys = { QStringLiteral("bob-key-1") };
        m_ws.consumers = { alice, bob };
        config::AuthScheme keys;
        keys.name = QStringLiteral("keys");
        keys.type = config::AuthType::ApiKey;
        keys.header = QStringLiteral("X-API-Key");
        keys.query = QStringLiteral("apikey");
        config::AuthScheme headerOnly = keys;
        headerOnly.name = QStringLiteral("hdr");
        headerOnly.query.clear();
        m_ws.auth = { keys, headerOnly };
    }

    void publicRouteHasNoFilter()
    {
        QVERIFY(auth::makeAuthFilters(m_ws, route("pub", {}), m_services).empty());
    }

    void keyFromHeaderSetsTheConsumer()
    {
        const auto &r = route("users", { "keys" });
        auto f = filterFor(r);
        QVERIFY(f);
        QCOMPARE(f->name(), "auth");
        test::TestRequest req(m_ws, r);
        req.head.headers.add("x-api-key", "alice-key-1");
        QCOMPARE(f->onRequest(req.ctx, req.callbacks), FilterStatus::Continue);
        QVERIFY(req.ctx.consumer);
        QCOMPARE(req.ctx.consumer->name, "alice");
        QCOMPARE(req.ctx.consumer->groups, QStringList({ "admins", "ops" }));
        QCOMPARE(req.ctx.consumer->tier, "gold");
        QCOMPARE(req.ctx.consumer->scheme, "keys");
        QVERIFY(!req.ctx.consumer->anonymous);
        QCOMPARE(req.ctx.credentialHeader, "X-API-Key");
        // Without hide_credentials the key still goes upstream.
        QCOMPARE(req.head.headers.value("X-API-Key"), "alice-key-1");
    }

    void keyFromQueryPercentDecoded()
    {
        const auto &r = route("users", { "keys" });
        auto f = filterFor(r);
        test::TestRequest req(m_ws, r);
        req.setQuery("a=1&apikey=alice%20key%2B2&b=2");
        QCOMPARE(f->onRequest(req.ctx, req.callbacks), FilterStatus::Continue);
        QCOMPARE(req.ctx.consumer->name, "alice");
        QCOMPARE(req.ctx.credentialQuery, "apikey");
        QCOMPARE(req.head.query, "a=1&apikey=alice%20key%2B2&b=2");
    }

    void hideCredentialsStripsWhatWasUsed()
    {
        const auto &r = route("hidden", { "keys" }, true);
        auto f = filterFor(r);
        test::TestRequest byHeader(m_ws, r);
        byHeader.head.headers.add("X-API-Key", "bob-key-1");
        byHeader.head.headers.add("Accept", "*/*");
        QCOMPARE(f->onRequest(byHeader.ctx, byHeader.callbacks), FilterStatus::Continue);
        QCOMPARE(byHeader.ctx.consumer->name, "bob");
        QVERIFY(!byHeader.head.headers.contains("X-API-Key"));
        QVERIFY(byHeader.head.headers.contains("Accept"));

        test::TestRequest byQuery(m_ws, r);
        byQuery.setQuery("apikey=bob-key-1&page=2&apikey=again");
        QCOMPARE(f->onRequest(byQuery.ctx, byQuery.callbacks), FilterStatus::Continue);
        QCOMPARE(byQuery.head.query, "page=2");
        QCOMPARE(byQuery.head.target, "/api?page=2");
    }

    void queryHelpers()
    {
        QCOMPARE(auth::ApiKeyAuth::queryValue("x=1&k=a%26b", "k"), "a&b");
        QVERIFY(auth::ApiKeyAuth::queryValue("x=1", "k").isNull());
        QCOMPARE(auth::ApiKeyAuth::removeQueryParam("k=1", "k"), "");
        QCOMPARE(auth::ApiKeyAuth::removeQueryParam("a&k&b=%20", "k"), "a&b=%20");
    }

    void headerOnlySchemeIgnoresTheQuery()
    {
        const auto &r = route("h", { "hdr" });
        auto f = filterFor(r);
        test::TestRequest req(m_ws, r);
        req.setQuery("apikey=alice-key-1");
        QCOMPARE(f->onRequest(req.ctx, req.callbacks), FilterStatus::Stop);
        QCOMPARE(req.callbacks->reply->status, 401);
    }

    void missingKeyIs401WithChallenge()
    {
        const auto &r = route("users", { "keys" });
        auto f = filterFor(r);
        const quint64 missingBefore = failures("keys", "missing");
        test::TestRequest req(m_ws, r);
        QCOMPARE(f->onRequest(req.ctx, req.callbacks), FilterStatus::Stop);
        QVERIFY(req.callbacks->reply);
        QCOMPARE(req.callbacks->reply->status, 401);
        QCOMPARE(req.callbacks->reply->typeSuffix, "unauthorized");
        QCOMPARE(req.callbacks->reply->headers.value("WWW-Authenticate"), "ApiKey realm=\"portico\"");
        QVERIFY(!req.ctx.consumer);
        QCOMPARE(failures("keys", "missing"), missingBefore + 1);
    }

    // A wrong key, a near-miss prefix, a longer key and a wrong-case key all get the very same
    // answer: nothing tells the client which part was wrong.
    void wrongKeysAreIndistinguishable()
    {
        const auto &r = route("users", { "keys" });
        auto f = filterFor(r);
        const quint64 invalidBefore = failures("keys", "invalid_key");
        std::optional<LocalReply> first;
        for (const QByteArray &key : { QByteArray("nope"), QByteArray("alice-key-"),
                 QByteArray("alice-key-12"), QByteArray("ALICE-KEY-1"), QByteArray(4096, 'a') }) {
            test::TestRequest req(m_ws, r);
            req.head.headers.add("X-API-Key", key);
            QCOMPARE(f->onRequest(req.ctx, req.callbacks), FilterStatus::Stop);
            QCOMPARE(req.callbacks->reply->status, 401);
            QVERIFY(!req.callbacks->reply->detail.contains(QString::fromUtf8(key.left(20))));
            if (!first)
                first = req.callbacks->reply;
            QCOMPARE(req.callbacks->reply->detail, first->detail);
            QCOMPARE(req.callbacks->reply->headers, first->headers);
        }
        QCOMPARE(failures("keys", "invalid_key"), invalidBefore + 5);
    }

    void directoryComparesDigests()
    {
        auth::ConsumerDirectory dir(m_ws);
        QVERIFY(dir.byApiKey("alice-key-1"));
        QVERIFY(!dir.byApiKey("alice-key-1 "));
        QVERIFY(!dir.byApiKey(""));
        QCOMPARE(auth::ConsumerDirectory::sha256("abc").toHex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        QVERIFY(!dir.byJwtSubject("alice"));
        QCOMPARE(dir.bySubjectOrName("alice")->name, "alice");
        const ConsumerIdentity anon = auth::ConsumerDirectory::anonymous("someone");
        QVERIFY(anon.anonymous);
        QVERIFY(anon.groups.isEmpty());
        QVERIFY(anon.tier.isEmpty());
    }

    void anyListedSchemeAuthenticates()
    {
        const auto &r = route("two", { "hdr", "keys" });
        auto f = filterFor(r);
        const quint64 before = m_metrics.sumCounter("portico_auth_failures_total");
        test::TestRequest req(m_ws, r);
        req.setQuery("apikey=bob-key-1"); // only the second scheme reads the query
        QCOMPARE(f->onRequest(req.ctx, req.callbacks), FilterStatus::Continue);
        QCOMPARE(req.ctx.consumer->name, "bob");
        QCOMPARE(req.ctx.consumer->scheme, "keys");
        QCOMPARE(m_metrics.sumCounter("portico_auth_failures_total"), before);
    }

    void unknownSchemeFailsClosed()
    {
        const auto &r = route("broken", { "nope" });
        QStringList errors;
        auto filters = auth::makeAuthFilters(m_ws, r, m_services, &errors);
        QCOMPARE(filters.size(), 1u);
        QCOMPARE(errors.size(), 1);
        QVERIFY(errors.front().contains("nope"));
        test::TestRequest req(m_ws, r);
        req.head.headers.add("X-API-Key", "alice-key-1");
        QCOMPARE(filters.front()->onRequest(req.ctx, req.callbacks), FilterStatus::Stop);
        QCOMPARE(req.callbacks->reply->status, 401);
    }
};

QTEST_GUILESS_MAIN(TestAuthApiKey)
#include "tst_auth_apikey.moc"
