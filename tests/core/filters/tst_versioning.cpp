// VersionResolver and VersioningFilter: both modes, deprecation headers, unknown versions, metrics.

#include "FactoryShims.h"
#include "core/common/Metrics.h"
#include "core/config/ValueFormats.h"
#include "core/filters/versioning/VersioningFactory.h"
#include "core/filters/versioning/VersioningFilter.h"

#include <QNetworkAccessManager>
#include <QTest>
#include <QTimeZone>

using namespace portico;
using namespace portico::filters;

namespace {

class FakeCallbacks final : public FilterCallbacks
{
public:
    void resume() override { ++resumed; }
    void sendLocalReply(LocalReply r) override { reply = std::move(r); }
    void sendResponse(http::ResponseHead, QByteArray) override { ++responses; }
    bool cancelled() const override { return false; }
    QNetworkAccessManager &network() override { return m_network; }

    std::optional<LocalReply> reply;
    int resumed = 0;
    int responses = 0;

private:
    QNetworkAccessManager m_network;
};

config::Versions pathVersions()
{
    config::Versions v;
    v.by = config::Versions::By::Path;
    v.map = { { "v1", "users-v1" }, { "v2", "users-v2" } };
    v.defaultVersion = "v2";
    config::Deprecation d;
    d.sunset = QDate(2027, 6, 30);
    d.link = "https://docs.example.com/migrate-v2";
    v.deprecated = { { "v1", d } };
    return v;
}

config::Workspace workspace()
{
    config::Workspace ws;
    for (const char *name : { "users-v1", "users-v2" }) {
        config::Upstream u;
        u.name = QString::fromLatin1(name);
        u.targets = { config::Target { QUrl("http://127.0.0.1:9001"), 1 } };
        ws.upstreams.append(u);
    }
    return ws;
}

config::Route route(const config::Versions &versions)
{
    config::Route r;
    r.name = "users";
    r.versions = versions;
    return r;
}

struct Request
{
    http::RequestHead head;
    RequestContext ctx;
    explicit Request(const QByteArray &path)
    {
        head.method = "GET";
        head.path = path;
        ctx.request = &head;
    }
};

} // namespace

class TestVersioning : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pathMode_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("version");
        QTest::addColumn<QByteArray>("rewritten");
        using K = VersionResolver::Result::Kind;
        QTest::newRow("v1") << QByteArray("/v1/api/users/7") << int(K::Chosen) << "v1"
                            << QByteArray("/api/users/7");
        QTest::newRow("V2 upper") << QByteArray("/V2/api/users") << int(K::Chosen) << "v2"
                                  << QByteArray("/api/users");
        QTest::newRow("bare version") << QByteArray("/v1") << int(K::Chosen) << "v1" << QByteArray("/");
        QTest::newRow("trailing slash") << QByteArray("/v1/") << int(K::Chosen) << "v1" << QByteArray("/");
        QTest::newRow("no version -> default")
            << QByteArray("/api/users") << int(K::Chosen) << "v2" << QByteArray("/api/users");
        QTest::newRow("numeric segment is not a version")
            << QByteArray("/1/api") << int(K::Chosen) << "v2" << QByteArray("/1/api");
        QTest::newRow("root") << QByteArray("/") << int(K::Chosen) << "v2" << QByteArray("/");
        QTest::newRow("unknown v3") << QByteArray("/v3/api/users") << int(K::Unknown) << "" << QByteArray();
        QTest::newRow("unknown v1.1") << QByteArray("/v1.1/x") << int(K::Unknown) << "" << QByteArray();
        QTest::newRow("vx is a normal segment")
            << QByteArray("/vx/api") << int(K::Chosen) << "v2" << QByteArray("/vx/api");
    }

    void pathMode()
    {
        QFETCH(QByteArray, path);
        QFETCH(int, kind);
        QFETCH(QString, version);
        QFETCH(QByteArray, rewritten);
        const std::optional<VersionResolver> r = VersionResolver::compile(pathVersions());
        QVERIFY(r);
        const VersionResolver::Result res = r->resolve(path, {});
        QCOMPARE(int(res.kind), kind);
        if (res.kind == VersionResolver::Result::Kind::Chosen) {
            QCOMPARE(res.version, version);
            QCOMPARE(res.upstream, "users-" + version);
            QCOMPARE(res.path, rewritten);
        } else {
            QCOMPARE(res.requested, QString::fromUtf8(VersionResolver::splitFirstSegment(path).first));
        }
    }

    void nonVersionKeysInPathMode()
    {
        config::Versions v;
        v.map = { { "beta", "b" }, { "1", "one" } };
        const auto r = VersionResolver::compile(v);
        QVERIFY(r);
        QCOMPARE(r->resolve("/Beta/x", {}).upstream, QString("b"));
        QCOMPARE(r->resolve("/Beta/x", {}).path, QByteArray("/x"));
        QCOMPARE(r->resolve("/1/x", {}).upstream, QString("one"));
        QCOMPARE(r->resolve("/v1/x", {}).upstream, QString("one"));
        // No default: a request without a version is Missing.
        QCOMPARE(r->resolve("/x", {}).kind, VersionResolver::Result::Kind::Missing);
    }

    void headerMode_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("version");
        QTest::newRow("absent -> default") << QByteArray() << "v2";
        QTest::newRow("empty -> default") << QByteArray("  ") << "v2";
        QTest::newRow("1") << QByteArray("1") << "v1";
        QTest::newRow("v1") << QByteArray("v1") << "v1";
        QTest::newRow("V2 padded") << QByteArray(" V2 ") << "v2";
        QTest::newRow("unknown 3") << QByteArray("3") << "";
        QTest::newRow("unknown text") << QByteArray("latest") << "";
    }

    void headerMode()
    {
        QFETCH(QByteArray, value);
        QFETCH(QString, version);
        config::Versions v = pathVersions();
        v.by = config::Versions::By::Header;
        v.header = "X-API-Version";
        const auto r = VersionResolver::compile(v);
        QVERIFY(r);
        http::HttpHeaders h;
        if (!value.isNull())
            h.add("x-api-version", value);
        const VersionResolver::Result res = r->resolve("/v9/api/users", h);
        if (version.isEmpty()) {
            QCOMPARE(res.kind, VersionResolver::Result::Kind::Unknown);
            QCOMPARE(res.requested, QString::fromUtf8(value.trimmed()));
        } else {
            QCOMPARE(res.kind, VersionResolver::Result::Kind::Chosen);
            QCOMPARE(res.version, version);
            QCOMPARE(res.path, QByteArray("/v9/api/users")); // header mode never touches the path
        }
    }

    void deprecationHeaders()
    {
        const auto r = VersionResolver::compile(pathVersions());
        QVERIFY(r);
        const http::HttpHeaders h = r->deprecationHeaders("v1");
        QCOMPARE(h.value("Deprecation"), QByteArray("@0"));
        QCOMPARE(h.value("Sunset"), QByteArray("Wed, 30 Jun 2027 00:00:00 GMT"));
        QCOMPARE(h.values("Link"),
            (QList<QByteArray> { "<https://docs.example.com/migrate-v2>; rel=\"deprecation\"",
                "<https://docs.example.com/migrate-v2>; rel=\"sunset\"" }));
        QVERIFY(r->deprecationHeaders("v2").isEmpty());

        // Without a sunset or a link only Deprecation is sent.
        config::Versions v = pathVersions();
        v.deprecated = { { "v1", config::Deprecation {} } };
        const auto bare = VersionResolver::compile(v);
        QCOMPARE(bare->deprecationHeaders("v1").size(), 1);
        // With the date it was deprecated, Deprecation carries it (RFC 9745: "@" Unix seconds).
        config::Deprecation dated;
        dated.since = QDate(2026, 1, 15);
        v.deprecated = { { "v1", dated } };
        QCOMPARE(VersionResolver::compile(v)->deprecationHeaders("v1").value("Deprecation"),
            QByteArray("@1768435200"));
        QCOMPARE(config::httpDate(QDate(1994, 11, 6)), QByteArray("Sun, 06 Nov 1994 00:00:00 GMT"));
    }

    void badConfig_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty map") << 0 << "map names no version";
        QTest::newRow("default not in map") << 1 << "default 'v9' is not in the map";
        QTest::newRow("deprecated not in map") << 2 << "deprecated version 'v7' is not in the map";
        QTest::newRow("bad header") << 3 << "'X Version' is not a valid header name";
        QTest::newRow("duplicate") << 4 << "are the same version";
        QTest::newRow("relative link") << 5 << "not an absolute URL";
    }

    void badConfig()
    {
        QFETCH(int, which);
        QFETCH(QString, expected);
        config::Versions v = pathVersions();
        switch (which) {
        case 0:
            v.map.clear();
            break;
        case 1:
            v.defaultVersion = "v9";
            break;
        case 2:
            v.deprecated = { { "v7", config::Deprecation {} } };
            break;
        case 3:
            v.by = config::Versions::By::Header;
            v.header = "X Version";
            break;
        case 4:
            v.map.append(std::pair<QString, QString>("V1", "other"));
            break;
        case 5:
            v.deprecated[0].second.link = "docs/migrate";
            break;
        }
        QString error;
        QVERIFY(!VersionResolver::compile(v, &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void filterSetsContextAndCounts()
    {
        MetricsRegistry metrics;
        FilterServices services;
        services.metrics = &metrics;
        QString error;
        const FilterPtr f = makeVersioningFilter(workspace(), route(pathVersions()), services, &error);
        QVERIFY2(f, qPrintable(error));
        auto cb = std::make_shared<FakeCallbacks>();

        Request v1("/v1/api/users/7");
        v1.ctx.extraResponseHeaders.add("RateLimit-Limit", "100");
        QCOMPARE(f->onRequest(v1.ctx, cb), FilterStatus::Continue);
        QCOMPARE(v1.ctx.apiVersion, QString("v1"));
        QCOMPARE(v1.ctx.upstreamName, QString("users-v1"));
        QCOMPARE(v1.head.path, QByteArray("/api/users/7"));
        QCOMPARE(v1.ctx.extraResponseHeaders.value("Deprecation"), QByteArray("@0"));
        QCOMPARE(v1.ctx.extraResponseHeaders.value("Sunset"), QByteArray("Wed, 30 Jun 2027 00:00:00 GMT"));
        QCOMPARE(v1.ctx.extraResponseHeaders.count("Link"), 2);
        QCOMPARE(v1.ctx.extraResponseHeaders.value("RateLimit-Limit"), QByteArray("100"));

        Request v2("/api/users");
        QCOMPARE(f->onRequest(v2.ctx, cb), FilterStatus::Continue);
        QCOMPARE(v2.ctx.apiVersion, QString("v2"));
        QCOMPARE(v2.ctx.upstreamName, QString("users-v2"));
        QVERIFY(!v2.ctx.extraResponseHeaders.contains("Deprecation"));
        Request v2b("/v2/api/users");
        f->onRequest(v2b.ctx, cb);
        QVERIFY(!cb->reply);

        QCOMPARE(metrics.sumCounter(
                     "portico_api_version_requests_total", { { "route", "users" }, { "version", "v1" } }),
            quint64(1));
        QCOMPARE(
            metrics.sumCounter("portico_api_version_requests_total", { { "version", "v2" } }), quint64(2));
        QVERIFY(metrics.renderPrometheus().contains(
            "portico_api_version_requests_total{route=\"users\",version=\"v2\"} 2"));
    }

    void unknownVersionAnswers404()
    {
        MetricsRegistry metrics;
        FilterServices services;
        services.metrics = &metrics;
        QString error;
        const FilterPtr f = makeVersioningFilter(workspace(), route(pathVersions()), services, &error);
        auto cb = std::make_shared<FakeCallbacks>();
        Request req("/v3/api/users");
        QCOMPARE(f->onRequest(req.ctx, cb), FilterStatus::Stop);
        QVERIFY(cb->reply);
        QCOMPARE(cb->reply->status, 404);
        QCOMPARE(cb->reply->typeSuffix, QByteArray("unknown-api-version"));
        QVERIFY2(cb->reply->detail.contains("'v3'"), qPrintable(cb->reply->detail));
        QVERIFY2(cb->reply->detail.contains("v1, v2"), qPrintable(cb->reply->detail));
        QCOMPARE(req.head.path, QByteArray("/v3/api/users"));
        QVERIFY(req.ctx.upstreamName.isEmpty());
        QCOMPARE(metrics.sumCounter("portico_api_version_requests_total"), quint64(0));

        config::Versions noDefault = pathVersions();
        noDefault.defaultVersion.clear();
        const FilterPtr strict = makeVersioningFilter(workspace(), route(noDefault), services, &error);
        auto cb2 = std::make_shared<FakeCallbacks>();
        Request missing("/api/users");
        QCOMPARE(strict->onRequest(missing.ctx, cb2), FilterStatus::Stop);
        QCOMPARE(cb2->reply->status, 404);
        QCOMPARE(cb2->reply->title, QString("API version required"));
        QVERIFY(cb2->reply->detail.contains("/v1/..."));
    }

    void headerModeFilterVaries()
    {
        config::Versions v = pathVersions();
        v.by = config::Versions::By::Header;
        v.header = "X-API-Version";
        FilterServices services;
        QString error;
        const FilterPtr f = makeVersioningFilter(workspace(), route(v), services, &error);
        QVERIFY2(f, qPrintable(error));
        auto cb = std::make_shared<FakeCallbacks>();
        Request req("/api/users");
        req.head.headers.add("X-API-Version", "1");
        QCOMPARE(f->onRequest(req.ctx, cb), FilterStatus::Continue);
        QCOMPARE(req.ctx.upstreamName, QString("users-v1"));
        QCOMPARE(req.ctx.extraResponseHeaders.value("Vary"), QByteArray("X-API-Version"));
        QCOMPARE(req.ctx.extraResponseHeaders.value("Deprecation"), QByteArray("@0"));
        Request unknown("/api/users");
        unknown.head.headers.add("X-API-Version", "7");
        QCOMPARE(f->onRequest(unknown.ctx, cb), FilterStatus::Stop);
        QCOMPARE(cb->reply->status, 404);
        QCOMPARE(unknown.ctx.extraResponseHeaders.value("Vary"), QByteArray("X-API-Version"));
        // Path mode adds no Vary.
        const FilterPtr p = makeVersioningFilter(workspace(), route(pathVersions()), services, &error);
        Request byPath("/v2/x");
        p->onRequest(byPath.ctx, cb);
        QVERIFY(!byPath.ctx.extraResponseHeaders.contains("Vary"));
    }

    void factory()
    {
        FilterServices services; // no metrics: the filter still works
        QString error = "stale";
        config::Route plain;
        plain.name = "plain";
        plain.upstream = "users-v1";
        QVERIFY(!makeVersioningFilter(workspace(), plain, services, &error));
        QVERIFY(error.isEmpty());

        config::Versions v = pathVersions();
        v.map.append(std::pair<QString, QString>("v3", "nowhere"));
        QVERIFY(!makeVersioningFilter(workspace(), route(v), services, &error));
        QVERIFY2(error.contains("route 'users'") && error.contains("'nowhere'"), qPrintable(error));

        const FilterPtr f = makeVersioningFilter(workspace(), route(pathVersions()), services, &error);
        QVERIFY(f);
        Request req("/v1/x");
        QCOMPARE(f->onRequest(req.ctx, std::make_shared<FakeCallbacks>()), FilterStatus::Continue);
        QCOMPARE(req.ctx.apiVersion, QString("v1"));
    }
};

QTEST_GUILESS_MAIN(TestVersioning)
#include "tst_versioning.moc"
