// API keys through the real proxy: by header and by query parameter, the 401 answers and their
// challenge, the consumer headers the upstream receives (and forged ones it must not), credential
// hiding, allow_groups and the auth failure counters.
#include "FilterItKit.h"

using namespace portico;
using namespace portico::test;

namespace {

const char *kRoutes = R"(upstreams:
  echo: {targets: [{url: {{UP}}}]}
consumers:
  - name: alice
    groups: [admins, staff]
    api_keys: [alice-key-1]
  - name: bob
    api_keys: [bob-key-1]
auth:
  keys: {type: api_key, header: X-API-Key, query: apikey}
routes:
  - name: keyed
    match: {path: /keyed}
    upstream: echo
    auth: [keys]
  - name: hidden
    match: {path: /hidden}
    upstream: echo
    auth: [keys]
    hide_credentials: true
  - name: admin
    match: {path: /admin}
    upstream: echo
    auth: [keys]
    allow_groups: [admins]
  - name: public
    match: {path: /public}
    upstream: echo
)";

} // namespace

class TestItAuthApiKey : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LoopbackUpstream> m_up;
    std::unique_ptr<GatewayHarness> m_gw;

    quint64 failures(const MetricLabels &labels = {}) const
    {
        return m_gw->gateway().metrics().sumCounter("portico_auth_failures_total", labels);
    }

    void verifyUnauthorized(const RawResponse &r)
    {
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 401);
        QCOMPARE(r.header("WWW-Authenticate"), QByteArray("ApiKey realm=\"portico\""));
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(jsonOf(r).value(QStringLiteral("status")).toInt(), 401);
    }

private Q_SLOTS:
    void init()
    {
        m_up = std::make_unique<LoopbackUpstream>();
        QVERIFY(m_up->isRunning());
        m_gw = std::make_unique<GatewayHarness>();
        const QString problems = m_gw->start(gatewayHeaderWithCapture() + QString::fromLatin1(kRoutes),
            { { QStringLiteral("UP"), m_up->url().toString() } });
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }
    void cleanup()
    {
        m_gw.reset();
        m_up.reset();
    }

    void missingKeyIs401WithChallenge()
    {
        const quint64 before = failures({ { "scheme", "keys" }, { "reason", "missing" } });
        const RawResponse r = m_gw->get("/keyed/x");
        verifyUnauthorized(r);
        QCOMPARE(jsonOf(r).value(QStringLiteral("detail")).toString(),
            QStringLiteral("This route requires authentication."));
        QCOMPARE(m_up->requestCount(), 0);
        QCOMPARE(failures({ { "scheme", "keys" }, { "reason", "missing" } }), before + 1);
    }

    void wrongKeyIs401WithoutAHint()
    {
        const quint64 before = failures({ { "scheme", "keys" }, { "reason", "invalid_key" } });
        const RawResponse byHeader = m_gw->get("/keyed/x", { { "X-API-Key", "alice-key-2" } });
        verifyUnauthorized(byHeader);
        QVERIFY(!byHeader.body.contains("alice"));
        // A near miss answers exactly like a wild guess: nothing tells which part was wrong.
        const RawResponse wild = m_gw->get("/keyed/x", { { "X-API-Key", "zzz" } });
        verifyUnauthorized(wild);
        QCOMPARE(
            jsonOf(wild).value(QStringLiteral("detail")), jsonOf(byHeader).value(QStringLiteral("detail")));
        QCOMPARE(
            jsonOf(wild).value(QStringLiteral("title")), jsonOf(byHeader).value(QStringLiteral("title")));
        const RawResponse byQuery = m_gw->get("/keyed/x?apikey=bob-key-0");
        verifyUnauthorized(byQuery);
        QCOMPARE(m_up->requestCount(), 0);
        QCOMPARE(failures({ { "scheme", "keys" }, { "reason", "invalid_key" } }), before + 3);
    }

    void keyByHeaderReachesUpstreamWithConsumer()
    {
        const RawResponse r = m_gw->get("/keyed/items?page=2", { { "X-API-Key", "alice-key-1" } });
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        const RecordedRequest up = m_up->lastRequest();
        QCOMPARE(up.path, QStringLiteral("/keyed/items"));
        QCOMPARE(up.query, QStringLiteral("page=2"));
        QCOMPARE(up.header("X-Consumer-Name"), QByteArray("alice"));
        QCOMPARE(up.header("X-Consumer-Groups"), QByteArray("admins, staff"));
        // Without hide_credentials the key goes along.
        QCOMPARE(up.header("X-API-Key"), QByteArray("alice-key-1"));
    }

    void keyByQueryReachesUpstreamWithConsumer()
    {
        const RawResponse r = m_gw->get("/keyed/items?apikey=bob-key-1&page=3");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        const RecordedRequest up = m_up->lastRequest();
        QCOMPARE(up.header("X-Consumer-Name"), QByteArray("bob"));
        QVERIFY(!up.hasHeader("X-Consumer-Groups")); // bob is in no group
        QCOMPARE(up.query, QStringLiteral("apikey=bob-key-1&page=3"));
    }

    void percentEncodedQueryKeyIsDecoded()
    {
        const RawResponse r = m_gw->get("/keyed/items?apikey=bob%2Dkey%2D1");
        QCOMPARE(r.status, 200);
        QCOMPARE(m_up->lastRequest().header("X-Consumer-Name"), QByteArray("bob"));
    }

    void forgedConsumerHeadersAreStripped()
    {
        const RawResponse r = m_gw->get("/keyed/x",
            { { "X-API-Key", "bob-key-1" }, { "X-Consumer-Name", "alice" },
                { "X-Consumer-Groups", "admins" } });
        QCOMPARE(r.status, 200);
        const RecordedRequest up = m_up->lastRequest();
        QCOMPARE(up.header("X-Consumer-Name"), QByteArray("bob"));
        QVERIFY(!up.hasHeader("X-Consumer-Groups"));

        // On a public route there is no consumer at all: the forged identity is dropped too.
        const RawResponse open
            = m_gw->get("/public", { { "x-consumer-name", "alice" }, { "X-CONSUMER-GROUPS", "admins" } });
        QCOMPARE(open.status, 200);
        QVERIFY(!m_up->lastRequest().hasHeader("X-Consumer-Name"));
        QVERIFY(!m_up->lastRequest().hasHeader("X-Consumer-Groups"));
    }

    void hideCredentialsRemovesTheHeaderKey()
    {
        const RawResponse r
            = m_gw->get("/hidden/a?x=1", { { "X-API-Key", "alice-key-1" }, { "X-Other", "kept" } });
        QCOMPARE(r.status, 200);
        const RecordedRequest up = m_up->lastRequest();
        QVERIFY(!up.hasHeader("X-API-Key"));
        QCOMPARE(up.header("X-Other"), QByteArray("kept"));
        QCOMPARE(up.header("X-Consumer-Name"), QByteArray("alice"));
        QCOMPARE(up.query, QStringLiteral("x=1"));
    }

    void hideCredentialsRemovesTheQueryKey()
    {
        QCOMPARE(m_gw->get("/hidden/a?x=1&apikey=bob-key-1&y=2").status, 200);
        QCOMPARE(m_up->lastRequest().query, QStringLiteral("x=1&y=2"));
        QCOMPARE(m_up->lastRequest().header("X-Consumer-Name"), QByteArray("bob"));

        QCOMPARE(m_gw->get("/hidden/a?apikey=bob-key-1").status, 200);
        QCOMPARE(m_up->lastRequest().query, QString());
        QCOMPARE(m_up->lastRequest().path, QStringLiteral("/hidden/a"));
    }

    void allowGroupsRefusesOtherConsumers()
    {
        const quint64 upBefore = quint64(m_up->requestCount());
        const RawResponse bob = m_gw->get("/admin/panel", { { "X-API-Key", "bob-key-1" } });
        QVERIFY2(bob.complete, qPrintable(bob.error));
        QCOMPARE(bob.status, 403);
        QCOMPARE(bob.header("Content-Type"), QByteArray("application/problem+json"));
        QVERIFY(!bob.hasHeader("WWW-Authenticate"));
        QCOMPARE(quint64(m_up->requestCount()), upBefore);

        const RawResponse anonymous = m_gw->get("/admin/panel");
        QCOMPARE(anonymous.status, 401); // authentication comes before authorization

        const RawResponse alice = m_gw->get("/admin/panel", { { "X-API-Key", "alice-key-1" } });
        QCOMPARE(alice.status, 200);
        QCOMPARE(m_up->lastRequest().header("X-Consumer-Name"), QByteArray("alice"));
    }

    void captureRecordsTheConsumer()
    {
        QCOMPARE(m_gw->get("/keyed/recorded", { { "X-API-Key", "alice-key-1" } }).status, 200);
        QCOMPARE(m_gw->get("/keyed/refused", { { "X-API-Key", "nope" } }).status, 401);
        std::optional<capture::Exchange> recorded, refused;
        const auto captured = [&] {
            for (const capture::Exchange &e : capturedExchanges(*m_gw)) {
                if (e.path == QStringLiteral("/keyed/recorded"))
                    recorded = e;
                if (e.path == QStringLiteral("/keyed/refused"))
                    refused = e;
            }
            return recorded && refused;
        };
        QTRY_VERIFY_WITH_TIMEOUT(captured(), 5000);
        QCOMPARE(recorded->consumer, QStringLiteral("alice"));
        QCOMPARE(recorded->route, QStringLiteral("keyed"));
        QCOMPARE(recorded->status, 200);
        // The key itself is not kept (x-api-key is in the default redact_headers).
        QCOMPARE(capture::headerValue(recorded->requestHeaders, "X-API-Key"), QByteArray("[redacted]"));
        QCOMPARE(refused->consumer, QString());
        QCOMPARE(refused->status, 401);
        // Request bytes are the head as it came on the wire (the key was 4 bytes: "nope").
        qint64 wire = QByteArrayView("GET /keyed/refused HTTP/1.1\r\n").size() + 2;
        for (const auto &[name, value] : refused->requestHeaders)
            wire += name.size() + 2 + (name.compare("X-API-Key", Qt::CaseInsensitive) == 0 ? 4 : value.size()) + 2;
        QCOMPARE(refused->requestBytes, wire);
    }

    void captureDoesNotKeepQueryKeys()
    {
        // A key in the query is the same secret as one in X-API-Key (redacted by default): the
        // capture keeps the parameter, not its value, whether the key was good or not.
        QCOMPARE(m_gw->get("/keyed/q?page=2&apikey=bob-key-1").status, 200);
        QCOMPARE(m_gw->get("/keyed/q-bad?apikey=bob-key-2&x=%20y").status, 401);
        QCOMPARE(m_up->lastRequest().query, QStringLiteral("page=2&apikey=bob-key-1")); // upstream: as sent
        std::optional<capture::Exchange> good, bad;
        const auto captured = [&] {
            for (const capture::Exchange &e : capturedExchanges(*m_gw)) {
                if (e.path == QStringLiteral("/keyed/q"))
                    good = e;
                if (e.path == QStringLiteral("/keyed/q-bad"))
                    bad = e;
            }
            return good && bad;
        };
        QTRY_VERIFY_WITH_TIMEOUT(captured(), 5000);
        QCOMPARE(good->query, QStringLiteral("page=2&apikey=[redacted]"));
        QVERIFY2(!good->url.contains(QStringLiteral("bob-key")), qPrintable(good->url));
        QVERIFY2(
            good->url.endsWith(QStringLiteral("/keyed/q?page=2&apikey=[redacted]")), qPrintable(good->url));
        QCOMPARE(bad->query, QStringLiteral("apikey=[redacted]&x=%20y"));
        QVERIFY2(!bad->url.contains(QStringLiteral("bob-key")), qPrintable(bad->url));
        // On a route without the scheme too: a client that sends its key to the wrong route must
        // not leave it in the capture (every api_key scheme's parameter is redacted everywhere).
        QCOMPARE(m_gw->get("/public?apikey=sent-to-the-wrong-route&y=1").status, 200);
        std::optional<capture::Exchange> open;
        const auto capturedOpen = [&] {
            for (const capture::Exchange &e : capturedExchanges(*m_gw)) {
                if (e.path == QStringLiteral("/public") && e.query.endsWith(QStringLiteral("&y=1")))
                    open = e;
            }
            return open.has_value();
        };
        QTRY_VERIFY_WITH_TIMEOUT(capturedOpen(), 5000);
        QCOMPARE(open->query, QStringLiteral("apikey=[redacted]&y=1"));
        QVERIFY2(!open->url.contains(QStringLiteral("wrong-route")), qPrintable(open->url));
    }

    void failureCounterIsLabelledBySchemeAndReason()
    {
        const quint64 total = failures();
        m_gw->get("/keyed");
        m_gw->get("/keyed", { { "X-API-Key", "nope" } });
        m_gw->get("/keyed", { { "X-API-Key", "alice-key-1" } }); // a success is not a failure
        QCOMPARE(failures(), total + 2);
        QVERIFY(m_gw->gateway().metrics().renderPrometheus().contains("portico_auth_failures_total{"));
    }
};

QTEST_GUILESS_MAIN(TestItAuthApiKey)
#include "tst_it_auth_apikey.moc"
