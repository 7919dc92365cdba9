// OAuth 2.0 token introspection (RFC 7662) through the real proxy, against an introspection server
// started by the test: what the gateway posts, active -> 200 with the consumer, inactive -> 401,
// caching bounded by the token's exp, endpoint errors and outages -> 503.
#include "../filters/AuthTestKit.h"
#include "FilterItKit.h"

#include <QUrlQuery>

using namespace portico;
using namespace portico::test;
using namespace std::chrono_literals;

namespace {

const char *kWorkspace = R"(upstreams:
  echo: {targets: [{url: {{UP}}}]}
consumers:
  - {name: bob, groups: [ops], jwt_subject: bob@example.com}
  - {name: root, groups: [admins], api_keys: [root-key]}
auth:
  introspect:
    type: oauth2_introspection
    url: {{URL}}
    client_id: portico
    client_secret: "s3cr:et"
    cache: 60s
routes:
  - {name: orders, match: {path: /orders}, upstream: echo, auth: [introspect], hide_credentials: true}
  - name: board
    match: {path_exact: /board}
    auth: [introspect]
    aggregate:
      - {key: one, upstream: echo, path: /one}
      - {key: two, upstream: echo, path: /two}
  - {name: ops, match: {path: /ops}, upstream: echo, auth: [introspect], allow_groups: [admins]}
)";

} // namespace

class TestItAuthIntrospection : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LoopbackUpstream> m_up;
    std::unique_ptr<ScriptedHttpServer> m_idp;
    std::unique_ptr<GatewayHarness> m_gw;
    qint64 m_shortExp = 0;

    static wire::Headers bearer(const QByteArray &token)
    {
        return { { "Authorization", "Bearer " + token } };
    }

    // The IdP's answers, by token.
    QByteArray answer(const QByteArray &body)
    {
        const QString token = QUrlQuery(QString::fromLatin1(body)).queryItemValue(QStringLiteral("token"));
        const qint64 now = m_gw->clock().epochSeconds();
        if (token == u"good-token" || token.startsWith(u"fresh-"))
            return ScriptedHttpServer::response(200,
                QJsonDocument(QJsonObject { { "active", true }, { "sub", "bob@example.com" },
                                  { "exp", double(now + 3600) } })
                    .toJson(QJsonDocument::Compact));
        if (token == u"stranger-token")
            return ScriptedHttpServer::response(200, R"({"active":true,"username":"dave"})");
        if (token == u"root-token")
            return ScriptedHttpServer::response(
                200, R"({"active":true,"username":"root","client_id":"cli"})");
        if (token == u"short-token")
            return ScriptedHttpServer::response(200,
                QJsonDocument(QJsonObject { { "active", true }, { "sub", "bob@example.com" },
                                  { "exp", double(m_shortExp) } })
                    .toJson(QJsonDocument::Compact));
        if (token == u"error-token")
            return ScriptedHttpServer::response(500, R"({"error":"server_error"})");
        if (token == u"crlf-token")
            return ScriptedHttpServer::response(
                200, R"({"active":true,"username":"eve\r\nX-Consumer-Groups: admins"})");
        if (token == u"garbage-token")
            return ScriptedHttpServer::response(200, "<html>", "text/html");
        return ScriptedHttpServer::response(200, R"({"active":false})");
    }

    quint64 failures(const QByteArray &reason) const
    {
        return m_gw->gateway().metrics().sumCounter(
            "portico_auth_failures_total", { { "scheme", "introspect" }, { "reason", reason } });
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_up = std::make_unique<LoopbackUpstream>();
        QVERIFY(m_up->isRunning());
        m_idp = std::make_unique<ScriptedHttpServer>(
            [this](const QByteArray &, const QByteArray &body) { return answer(body); });
        QVERIFY(m_idp->port() != 0);
        m_gw = std::make_unique<GatewayHarness>();
        const QString problems = m_gw->start(gatewayHeader() + QString::fromLatin1(kWorkspace),
            { { QStringLiteral("UP"), m_up->url().toString() },
                { QStringLiteral("URL"), m_idp->url(QStringLiteral("/introspect")) } });
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }
    void cleanupTestCase()
    {
        m_gw.reset();
        m_up.reset();
        m_idp.reset();
    }

    void activeTokenPassesWithItsConsumer()
    {
        const RawResponse r = getSpinning(*m_gw, "/orders/1", bearer("good-token"));
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        const RecordedRequest up = m_up->lastRequest();
        QCOMPARE(up.header("X-Consumer-Name"), QByteArray("bob"));
        QCOMPARE(up.header("X-Consumer-Groups"), QByteArray("ops"));
        QVERIFY(!up.hasHeader("Authorization")); // hide_credentials

        // What the IdP got: a form POST with the token, client credentials as Basic (form-encoded
        // first, RFC 6749 2.3.1: "s3cr:et" -> "s3cr%3Aet").
        QCOMPARE(m_idp->requests(), 1);
        const QByteArray head = m_idp->lastHead();
        QVERIFY2(head.startsWith("POST /introspect HTTP/1.1\r\n"), head.constData());
        QVERIFY(head.toLower().contains("content-type: application/x-www-form-urlencoded"));
        QVERIFY2(head.contains("Authorization: Basic " + QByteArray("portico:s3cr%3Aet").toBase64()),
            head.constData());
        QCOMPARE(QUrlQuery(QString::fromLatin1(m_idp->lastBody())).queryItemValue(QStringLiteral("token")),
            QStringLiteral("good-token"));
    }

    void bodiesWaitForTheAsyncCheck()
    {
        // The request body arrives while the filter waits for the IdP; it must reach the upstream
        // whole once the token is known good, whatever its framing.
        const int asked = m_idp->requests();
        const QByteArray body = QByteArray("{\"order\":42,\"note\":\"") + QByteArray(20000, 'n') + "\"}";
        const RawResponse sized = sendSpinning(*m_gw,
            httpRequest("POST", "/orders/new",
                { { "Host", "gateway.test" }, { "Authorization", "Bearer fresh-1" },
                    { "Content-Type", "application/json" } },
                body));
        QVERIFY2(sized.complete, qPrintable(sized.error));
        QCOMPARE(sized.status, 200);
        QCOMPARE(m_up->lastRequest().body, body);

        QByteArray chunked
            = "POST /orders/chunked HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer fresh-2\r\n"
              "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        chunked += "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        const RawResponse r = sendSpinning(*m_gw, chunked);
        QCOMPARE(r.status, 200);
        QCOMPARE(m_up->lastRequest().body, QByteArray("hello world"));
        QCOMPARE(m_idp->requests(), asked + 2);
    }

    void expectContinueOnlyAfterTheTokenIsChecked()
    {
        const quint16 port = m_gw->port();
        const auto exchange = [port](const QByteArray &token) {
            return [port, token] {
                std::pair<QByteArray, RawResponse> out;
                RawClient client;
                if (!client.connectTo(QStringLiteral("127.0.0.1"), port))
                    return out;
                client.send("POST /orders/expect HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer "
                    + token + "\r\nContent-Length: 7\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n");
                // Either an interim 100 (then the body is sent) or a final answer without it.
                out.first = client.readUntil("\r\n\r\n", 5000);
                if (out.first.startsWith("HTTP/1.1 100")) {
                    client.send("payload");
                    out.second = client.readResponse(5000);
                }
                return out;
            };
        };
        const int asked = m_idp->requests();
        const auto good = runSpinning(exchange("fresh-3"));
        QCOMPARE(m_idp->requests(), asked + 1); // not from the cache: the check really was async
        QVERIFY2(good.first.startsWith("HTTP/1.1 100 Continue"), good.first.constData());
        QCOMPARE(good.second.status, 200);
        QCOMPARE(m_up->lastRequest().body, QByteArray("payload"));

        const int upBefore = m_up->requestCount();
        const auto bad = runSpinning(exchange("revoked-token"));
        QVERIFY2(bad.first.startsWith("HTTP/1.1 401"), bad.first.constData());
        QCOMPARE(m_up->requestCount(), upBefore);
    }

    void aggregateAfterAsyncAuth()
    {
        const RawResponse r = getSpinning(*m_gw, "/board", bearer("fresh-4"));
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        const QJsonObject merged = jsonOf(r);
        QCOMPARE(
            merged.value(QStringLiteral("one")).toObject().value(QStringLiteral("path")).toString(), "/one");
        QCOMPARE(
            merged.value(QStringLiteral("two")).toObject().value(QStringLiteral("path")).toString(), "/two");
        QCOMPARE(m_up->lastRequest().header("X-Consumer-Name"), QByteArray("bob"));
        QCOMPARE(getSpinning(*m_gw, "/board", bearer("revoked-token")).status, 401);
    }

    void activeAnswersAreCached()
    {
        const int before = m_idp->requests();
        for (int i = 0; i < 3; ++i)
            QCOMPARE(getSpinning(*m_gw, "/orders/2", bearer("good-token")).status, 200);
        QCOMPARE(m_idp->requests(), before);
        m_gw->clock().advance(61s); // past `cache`
        QCOMPARE(getSpinning(*m_gw, "/orders/3", bearer("good-token")).status, 200);
        QCOMPARE(m_idp->requests(), before + 1);
    }

    void cacheNeverOutlivesTheTokensExp()
    {
        m_shortExp = m_gw->clock().epochSeconds() + 5;
        QCOMPARE(getSpinning(*m_gw, "/orders/1", bearer("short-token")).status, 200);
        const int asked = m_idp->requests();
        QCOMPARE(getSpinning(*m_gw, "/orders/1", bearer("short-token")).status, 200);
        QCOMPARE(m_idp->requests(), asked); // cached
        m_gw->clock().advance(6s);
        // The cache entry died with the token; the IdP is asked again and, as it still calls the
        // expired token active, is not believed.
        const quint64 expired = failures("expired");
        const RawResponse r = getSpinning(*m_gw, "/orders/1", bearer("short-token"));
        QCOMPARE(r.status, 401);
        QCOMPARE(m_idp->requests(), asked + 1);
        QCOMPARE(failures("expired"), expired + 1);
    }

    void inactiveTokenIs401()
    {
        const quint64 before = failures("inactive");
        const int upBefore = m_up->requestCount();
        const RawResponse r = getSpinning(*m_gw, "/orders/1", bearer("revoked-token"));
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 401);
        QCOMPARE(
            r.header("WWW-Authenticate"), QByteArray("Bearer realm=\"portico\", error=\"invalid_token\""));
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(failures("inactive"), before + 1);
        QCOMPARE(m_up->requestCount(), upBefore);
        // Inactive answers are remembered briefly (10 s, within `cache`): a flood of the same
        // bad token costs one call per period.
        const int asked = m_idp->requests();
        QCOMPARE(getSpinning(*m_gw, "/orders/1", bearer("revoked-token")).status, 401);
        QCOMPARE(getSpinning(*m_gw, "/orders/1", bearer("revoked-token")).status, 401);
        QCOMPARE(m_idp->requests(), asked);
        QCOMPARE(failures("inactive"), before + 3);
        m_gw->clock().advance(11s);
        QCOMPARE(getSpinning(*m_gw, "/orders/1", bearer("revoked-token")).status, 401);
        QCOMPARE(m_idp->requests(), asked + 1);
    }

    // The endpoint's answer becomes X-Consumer-Name: one that could split a header is a 401.
    void hostileIdentityIsRefused()
    {
        const int upBefore = m_up->requestCount();
        const quint64 before = failures("bad_claim");
        const RawResponse r = getSpinning(*m_gw, "/orders/1", bearer("crlf-token"));
        QCOMPARE(r.status, 401);
        QCOMPARE(m_up->requestCount(), upBefore);
        QCOMPARE(failures("bad_claim"), before + 1);
    }

    void unknownIdentityIsAnonymousAndGroupsStillApply()
    {
        QCOMPARE(getSpinning(*m_gw, "/orders/1", bearer("stranger-token")).status, 200);
        QCOMPARE(m_up->lastRequest().header("X-Consumer-Name"), QByteArray("dave"));
        QCOMPARE(getSpinning(*m_gw, "/ops", bearer("stranger-token")).status, 403);
        QCOMPARE(getSpinning(*m_gw, "/ops", bearer("good-token")).status, 403); // bob is in ops, not admins
        // A consumer found by name ("username") brings its groups.
        QCOMPARE(getSpinning(*m_gw, "/ops", bearer("root-token")).status, 200);
        QCOMPARE(m_up->lastRequest().header("X-Consumer-Name"), QByteArray("root"));
        QCOMPARE(m_up->lastRequest().header("X-Consumer-Groups"), QByteArray("admins"));
    }

    void endpointErrorIs503()
    {
        const quint64 before = failures("unavailable");
        for (const QByteArray &token : { QByteArray("error-token"), QByteArray("garbage-token") }) {
            const RawResponse r = getSpinning(*m_gw, "/orders/1", bearer(token));
            QVERIFY2(r.complete, qPrintable(r.error));
            QCOMPARE(r.status, 503);
            QCOMPARE(r.header("Retry-After"), QByteArray("5"));
            QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        }
        QCOMPARE(failures("unavailable"), before + 2);
    }

    void endpointDownIs503NotAPass()
    {
        m_idp->close();
        const int upBefore = m_up->requestCount();
        const RawResponse r = getSpinning(*m_gw, "/orders/1", bearer("never-seen-token"));
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 503);
        QVERIFY(!r.hasHeader("WWW-Authenticate"));
        QCOMPARE(m_up->requestCount(), upBefore);
        // A token cached before the outage still works (within its cache time).
        QCOMPARE(getSpinning(*m_gw, "/orders/1", bearer("good-token")).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestItAuthIntrospection)
#include "tst_it_auth_introspection.moc"
