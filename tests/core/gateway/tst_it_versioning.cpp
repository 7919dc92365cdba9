// API versioning through the real proxy: the path mode (/v1/... chosen and stripped), the header
// mode (1 / v1 / V2), the default version, deprecation headers (Deprecation, Sunset, Link), unknown
// and missing versions (404 listing the versions), strip_prefix together with a version, the
// version recorded in the capture and counted in metrics.
#include "FilterItKit.h"

using namespace portico;
using namespace portico::test;

namespace {

const char *kWorkspace = R"(upstreams:
  users-v1: {targets: [{url: {{V1}}}]}
  users-v2: {targets: [{url: {{V2}}}]}
routes:
  - name: users
    match: {path: /api/users}
    versions:
      by: path
      map: {v1: users-v1, v2: users-v2}
      default: v2
      deprecated:
        v1: {sunset: 2027-06-30, link: https://docs.example.com/migrate-v2}
  - name: orders
    match: {path: /api/orders}
    versions:
      by: header
      header: X-API-Version
      map: {v1: users-v1, v2: users-v2}
      default: v2
      deprecated:
        v1: {sunset: 2027-06-30, link: https://docs.example.com/migrate-v2}
  - name: items
    match: {path: /api/items}
    strip_prefix: true
    versions: {by: path, map: {v1: users-v1, v2: users-v2}, default: v1}
)";

const QByteArray kSunset = "Wed, 30 Jun 2027 00:00:00 GMT";

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

class TestItVersioning : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LoopbackUpstream> m_v1;
    std::unique_ptr<LoopbackUpstream> m_v2;
    std::unique_ptr<GatewayHarness> m_gw;

    static QString server(const RawResponse &r)
    {
        return jsonOf(r).value(QStringLiteral("server")).toString();
    }

    static void verifyDeprecated(const RawResponse &r)
    {
        QCOMPARE(r.header("Deprecation"), QByteArray("@0"));
        QCOMPARE(r.header("Sunset"), kSunset);
        QCOMPARE(headerValues(r, "Link"),
            QList<QByteArray>({ "<https://docs.example.com/migrate-v2>; rel=\"deprecation\"",
                "<https://docs.example.com/migrate-v2>; rel=\"sunset\"" }));
    }
    static void verifyNotDeprecated(const RawResponse &r)
    {
        QVERIFY(!r.hasHeader("Deprecation"));
        QVERIFY(!r.hasHeader("Sunset"));
        QVERIFY(!r.hasHeader("Link"));
    }

    quint64 versionCount(const QByteArray &route, const QByteArray &version) const
    {
        return m_gw->gateway().metrics().sumCounter(
            "portico_api_version_requests_total", { { "route", route }, { "version", version } });
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_v1 = std::make_unique<LoopbackUpstream>(LoopbackUpstream::Options { false, QStringLiteral("v1") });
        m_v2 = std::make_unique<LoopbackUpstream>(LoopbackUpstream::Options { false, QStringLiteral("v2") });
        QVERIFY(m_v1->isRunning() && m_v2->isRunning());
        m_gw = std::make_unique<GatewayHarness>();
        const QString problems = m_gw->start(gatewayHeaderWithCapture() + QString::fromLatin1(kWorkspace),
            { { QStringLiteral("V1"), m_v1->url().toString() },
                { QStringLiteral("V2"), m_v2->url().toString() } });
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }
    void cleanupTestCase()
    {
        m_gw.reset();
        m_v1.reset();
        m_v2.reset();
    }

    void pathVersionIsChosenAndStripped()
    {
        const quint64 before = versionCount("users", "v1");
        const RawResponse r = m_gw->get("/v1/api/users/7?fields=name");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(server(r), QStringLiteral("v1"));
        QCOMPARE(m_v1->lastRequest().path, QStringLiteral("/api/users/7"));
        QCOMPARE(m_v1->lastRequest().query, QStringLiteral("fields=name"));
        verifyDeprecated(r);
        QCOMPARE(versionCount("users", "v1"), before + 1);

        const RawResponse v2 = m_gw->get("/v2/api/users/7");
        QCOMPARE(v2.status, 200);
        QCOMPARE(server(v2), QStringLiteral("v2"));
        QCOMPARE(m_v2->lastRequest().path, QStringLiteral("/api/users/7"));
        verifyNotDeprecated(v2);
        QVERIFY(!v2.hasHeader("Vary")); // the path names the version: nothing to vary on
    }

    void pathWithoutVersionUsesTheDefault()
    {
        const RawResponse r = m_gw->get("/api/users/7");
        QCOMPARE(r.status, 200);
        QCOMPARE(server(r), QStringLiteral("v2"));
        QCOMPARE(m_v2->lastRequest().path, QStringLiteral("/api/users/7"));
        verifyNotDeprecated(r);
    }

    void unknownPathVersionIs404ListingVersions()
    {
        const int before = m_v1->requestCount() + m_v2->requestCount();
        const RawResponse r = m_gw->get("/v9/api/users/7");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 404);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        const QJsonObject problem = jsonOf(r);
        QCOMPARE(problem.value(QStringLiteral("title")).toString(), QStringLiteral("Unknown API version"));
        QCOMPARE(problem.value(QStringLiteral("detail")).toString(),
            QStringLiteral("API version 'v9' does not exist. Available versions: v1, v2."));
        QCOMPARE(m_v1->requestCount() + m_v2->requestCount(), before);
    }

    void headerVersionAcceptsBothSpellings_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("server");
        QTest::addColumn<bool>("deprecated");
        QTest::newRow("1") << QByteArray("1") << "v1" << true;
        QTest::newRow("v1") << QByteArray("v1") << "v1" << true;
        QTest::newRow("V2") << QByteArray("V2") << "v2" << false;
        QTest::newRow("2") << QByteArray("2") << "v2" << false;
        QTest::newRow(" v2 ") << QByteArray(" v2 ") << "v2" << false;
    }
    void headerVersionAcceptsBothSpellings()
    {
        QFETCH(QByteArray, value);
        QFETCH(QString, server);
        QFETCH(bool, deprecated);
        const RawResponse r = m_gw->get("/api/orders/9", { { "X-API-Version", value } });
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(TestItVersioning::server(r), server);
        const LoopbackUpstream &up = server == u"v1" ? *m_v1 : *m_v2;
        QCOMPARE(up.lastRequest().path, QStringLiteral("/api/orders/9")); // the path is left alone
        QCOMPARE(r.header("Vary"), QByteArray("X-API-Version"));
        if (deprecated)
            verifyDeprecated(r);
        else
            verifyNotDeprecated(r);
    }

    void headerMissingUsesTheDefaultUnknownIs404()
    {
        const RawResponse missing = m_gw->get("/api/orders/9");
        QCOMPARE(missing.status, 200);
        QCOMPARE(server(missing), QStringLiteral("v2"));
        QCOMPARE(missing.header("Vary"), QByteArray("X-API-Version"));
        verifyNotDeprecated(missing);

        const int before = m_v1->requestCount() + m_v2->requestCount();
        const RawResponse unknown = m_gw->get("/api/orders/9", { { "X-API-Version", "7" } });
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(
            jsonOf(unknown).value(QStringLiteral("title")).toString(), QStringLiteral("Unknown API version"));
        QCOMPARE(jsonOf(unknown).value(QStringLiteral("detail")).toString(),
            QStringLiteral("API version '7' does not exist. Available versions: v1, v2."));
        QCOMPARE(unknown.header("Vary"), QByteArray("X-API-Version"));
        const RawResponse word = m_gw->get("/api/orders/9", { { "X-API-Version", "latest" } });
        QCOMPARE(word.status, 404);
        QCOMPARE(m_v1->requestCount() + m_v2->requestCount(), before);
    }

    void gatewayListHeadersJoinTheUpstreams()
    {
        // The upstream varies on something else and paginates with Link: the gateway's own Vary
        // and deprecation links must still be there, or a cache would mix versions up and the
        // client would miss the sunset.
        const RawResponse varied
            = m_gw->get("/api/orders/9?header=Vary%3AAccept-Encoding", { { "X-API-Version", "2" } });
        QCOMPARE(varied.status, 200);
        const QList<QByteArray> vary = headerValues(varied, "Vary");
        QVERIFY2(vary.contains("Accept-Encoding"), varied.raw.constData());
        QVERIFY2(vary.contains("X-API-Version"), varied.raw.constData());

        const RawResponse paged = m_gw->get("/v1/api/users/7?header="
            + QUrl::toPercentEncoding("Link:<https://api.test/users?page=2>; rel=\"next\""));
        QCOMPARE(paged.status, 200);
        const QList<QByteArray> links = headerValues(paged, "Link");
        QVERIFY2(links.contains("<https://api.test/users?page=2>; rel=\"next\""), paged.raw.constData());
        QVERIFY2(links.contains("<https://docs.example.com/migrate-v2>; rel=\"deprecation\""),
            paged.raw.constData());
        QVERIFY2(
            links.contains("<https://docs.example.com/migrate-v2>; rel=\"sunset\""), paged.raw.constData());
        QCOMPARE(paged.header("Deprecation"), QByteArray("@0"));
    }

    void stripPrefixAfterTheVersion()
    {
        const RawResponse r = m_gw->get("/v2/api/items/5");
        QCOMPARE(r.status, 200);
        QCOMPARE(server(r), QStringLiteral("v2"));
        QCOMPARE(m_v2->lastRequest().path, QStringLiteral("/5"));
        const RawResponse byDefault = m_gw->get("/api/items/6");
        QCOMPARE(byDefault.status, 200);
        QCOMPARE(server(byDefault), QStringLiteral("v1"));
        QCOMPARE(m_v1->lastRequest().path, QStringLiteral("/6"));
    }

    void chosenVersionIsCaptured()
    {
        QCOMPARE(m_gw->get("/v1/api/users/captured").status, 200);
        QCOMPARE(m_gw->get("/api/users/captured-default").status, 200);
        QCOMPARE(m_gw->get("/api/orders/captured", { { "X-API-Version", "1" } }).status, 200);
        QHash<QString, QString> versionByPath;
        const auto captured = [&] {
            versionByPath.clear();
            for (const capture::Exchange &e : capturedExchanges(*m_gw))
                versionByPath.insert(e.path, e.apiVersion);
            return versionByPath.contains(QStringLiteral("/api/orders/captured"))
                && versionByPath.contains(QStringLiteral("/v1/api/users/captured"))
                && versionByPath.contains(QStringLiteral("/api/users/captured-default"));
        };
        QTRY_VERIFY_WITH_TIMEOUT(captured(), 5000);
        QCOMPARE(versionByPath.value(QStringLiteral("/v1/api/users/captured")), QStringLiteral("v1"));
        QCOMPARE(versionByPath.value(QStringLiteral("/api/users/captured-default")), QStringLiteral("v2"));
        QCOMPARE(versionByPath.value(QStringLiteral("/api/orders/captured")), QStringLiteral("v1"));
    }
};

QTEST_GUILESS_MAIN(TestItVersioning)
#include "tst_it_versioning.moc"
