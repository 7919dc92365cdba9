// Header and query operations and the request/response transform filters, driven directly.

#include "FactoryShims.h"
#include "core/filters/transform/HeaderTransform.h"
#include "core/filters/transform/QueryTransform.h"
#include "core/filters/transform/RequestTransformFilter.h"
#include "core/filters/transform/ResponseTransformFilter.h"
#include "core/filters/transform/TransformFactory.h"
#include "core/http/Compression.h"

#include <QJsonObject>
#include <QTest>

using namespace portico;
using namespace portico::filters;
using portico::http::Compression;

namespace {

config::HeaderOps hops(
    const config::KeyValues &set, const QStringList &remove = {}, const config::KeyValues &rename = {})
{
    config::HeaderOps ops;
    ops.set = set;
    ops.remove = remove;
    ops.rename = rename;
    return ops;
}

config::QueryOps qops(const config::KeyValues &set, const QStringList &remove = {})
{
    config::QueryOps ops;
    ops.set = set;
    ops.remove = remove;
    return ops;
}

HeaderTransform headerOps(const config::HeaderOps &ops)
{
    QString error;
    std::optional<HeaderTransform> t = HeaderTransform::compile(ops, &error);
    if (!t)
        qFatal("compile failed: %s", qPrintable(error));
    return *t;
}

config::Route jsonRoute(const QStringList &paths)
{
    config::Route route;
    route.name = QStringLiteral("users");
    route.upstream = QStringLiteral("users");
    route.filters.edit<config::TransformConfig>().response.jsonRemove = paths;
    route.filters.edit<config::TransformConfig>().response.headers.set
        = { { QStringLiteral("X-Frame-Options"), QStringLiteral("DENY") } };
    route.filters.edit<config::TransformConfig>().response.headers.remove = { QStringLiteral("server") };
    return route;
}

struct Exchange
{
    http::RequestHead request;
    RequestContext ctx;
    http::ResponseHead head;
    QByteArray body;

    Exchange()
    {
        request.method = "GET";
        request.path = "/api/users";
        ctx.request = &request;
        ctx.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        head.status = 200;
    }
};

} // namespace

class TestTransform : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void headerSetReplacesEveryValueCaseInsensitively()
    {
        http::HttpHeaders h;
        h.add("x-gateway", "a");
        h.add("Accept", "*/*");
        h.add("X-GATEWAY", "b");
        headerOps(hops({ { "X-Gateway", "portico" } })).apply(h);
        QCOMPARE(h.count("X-Gateway"), 1);
        QCOMPARE(h.value("x-gateway"), QByteArray("portico"));
        QCOMPARE(h.entries().first().second, QByteArray("portico")); // first one's position kept
        QCOMPARE(h.value("Accept"), QByteArray("*/*"));

        http::HttpHeaders empty;
        headerOps(hops({ { "X-New", " v " } })).apply(empty);
        QCOMPARE(empty.value("X-New"), QByteArray("v"));
    }

    void headerRemoveAndRename()
    {
        http::HttpHeaders h;
        h.add("X-Debug", "1");
        h.add("x-old", "one");
        h.add("X-Keep", "k");
        h.add("X-OLD", "two");
        h.add("x-new", "smuggled");
        h.add("x-debug", "2");
        headerOps(hops({}, { "X-DEBUG" }, { { "X-Old", "X-New" } })).apply(h);
        QVERIFY(!h.contains("X-Debug"));
        QVERIFY(!h.contains("X-Old"));
        QCOMPARE(h.values("X-New"), (QList<QByteArray> { "one", "two" }));
        QCOMPARE(h.value("X-Keep"), QByteArray("k"));
        // The new name is written as configured.
        QCOMPARE(h.entries().first().first, QByteArray("X-New"));

        // Renaming an absent header leaves an existing target alone.
        http::HttpHeaders h2;
        h2.add("X-New", "mine");
        headerOps(hops({}, {}, { { "X-Old", "X-New" } })).apply(h2);
        QCOMPARE(h2.value("X-New"), QByteArray("mine"));

        // A case-only rename keeps the values.
        http::HttpHeaders h3;
        h3.add("x-trace", "t");
        headerOps(hops({}, {}, { { "X-TRACE", "X-Trace" } })).apply(h3);
        QCOMPARE(h3.entries().first(), http::HttpHeaders::Entry("X-Trace", "t"));
    }

    void headerOrderRemoveRenameSet()
    {
        http::HttpHeaders h;
        h.add("A", "1");
        headerOps(hops({ { "B", "set" } }, { "B" }, { { "A", "B" } })).apply(h);
        QCOMPARE(h.values("B"), QList<QByteArray> { "set" });
        QVERIFY(!h.contains("A"));
    }

    void badHeaderConfig()
    {
        QString error;
        QVERIFY(!HeaderTransform::compile(hops({ { "Bad Name", "v" } }), &error));
        QVERIFY2(error.contains("'Bad Name' is not a valid header name"), qPrintable(error));
        QVERIFY(!HeaderTransform::compile(hops({ { "X-Ok", "a\r\nInjected: 1" } }), &error));
        QVERIFY2(error.contains("line break"), qPrintable(error));
        QVERIFY(!HeaderTransform::compile(hops({}, { "" }), &error));
        QVERIFY(!HeaderTransform::compile(hops({}, {}, { { "X-A", "X:B" } }), &error));
        QVERIFY(error.contains("headers.rename"));
    }

    void queryOps_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("append when absent") << QByteArray("a=1") << QByteArray("a=1&source=gateway");
        QTest::newRow("empty query") << QByteArray() << QByteArray("source=gateway");
        QTest::newRow("replace all, first position")
            << QByteArray("source=x&a=1&source=y") << QByteArray("source=gateway&a=1");
        QTest::newRow("remove every occurrence")
            << QByteArray("debug=1&a=%2F%20b&debug&c=+x") << QByteArray("a=%2F%20b&c=+x&source=gateway");
        QTest::newRow("encoded names match")
            << QByteArray("de%62ug=1&sour%63e=z&q=a+b") << QByteArray("source=gateway&q=a+b");
        QTest::newRow("names are case-sensitive")
            << QByteArray("DEBUG=1&Source=x") << QByteArray("DEBUG=1&Source=x&source=gateway");
        QTest::newRow("only removed") << QByteArray("debug=1") << QByteArray("source=gateway");
    }

    void queryOps()
    {
        QFETCH(QByteArray, query);
        QFETCH(QByteArray, expected);
        const QueryTransform t(qops({ { "source", "gateway" } }, { "debug" }));
        QCOMPARE(t.apply(query), expected);
    }

    void querySetValueIsEncoded()
    {
        const QueryTransform t(qops({ { "redirect to", "a&b=c/é" } }));
        QCOMPARE(t.apply("x=1"), QByteArray("x=1&redirect%20to=a%26b%3Dc%2F%C3%A9"));
        QCOMPARE(QueryTransform().apply("untouched=%41"), QByteArray("untouched=%41"));
        QCOMPARE(QueryTransform(qops({}, { "a" })).apply("a=1"), QByteArray());
    }

    void requestFilterChangesHeadersAndQuery()
    {
        config::Workspace ws;
        config::Route route;
        route.name = QStringLiteral("users");
        route.filters.edit<config::TransformConfig>().request.headers.set = { { "X-Gateway", "portico" } };
        route.filters.edit<config::TransformConfig>().request.headers.remove = { "X-Debug" };
        route.filters.edit<config::TransformConfig>().request.headers.rename = { { "X-Old", "X-New" } };
        route.filters.edit<config::TransformConfig>().request.query.set = { { "source", "gateway" } };
        route.filters.edit<config::TransformConfig>().request.query.remove = { "debug" };
        FilterServices services;
        QString error;
        const std::vector<FilterPtr> filters = makeTransformFilters(ws, route, services, &error);
        QVERIFY(error.isEmpty());
        QCOMPARE(filters.size(), size_t(1));
        QCOMPARE(filters[0]->name(), "request-transform");

        Exchange ex;
        ex.request.query = "debug=true&page=2";
        ex.request.headers.add("x-debug", "1");
        ex.request.headers.add("X-Old", "o");
        ex.request.headers.add("X-Gateway", "spoofed");
        QCOMPARE(filters[0]->onRequest(ex.ctx, nullptr), FilterStatus::Continue);
        QCOMPARE(ex.request.query, QByteArray("page=2&source=gateway"));
        QVERIFY(!ex.request.headers.contains("X-Debug"));
        QCOMPARE(ex.request.headers.value("X-New"), QByteArray("o"));
        QCOMPARE(ex.request.headers.values("X-Gateway"), QList<QByteArray> { "portico" });
    }

    void factoryOrderAndErrors()
    {
        config::Workspace ws;
        FilterServices services;
        QString error;
        config::Route plain;
        plain.name = QStringLiteral("plain");
        QVERIFY(makeTransformFilters(ws, plain, services, &error).empty());
        QVERIFY(error.isEmpty());

        config::Route both = jsonRoute({ "password" });
        both.filters.edit<config::TransformConfig>().request.query.remove = { "debug" };
        const auto filters = makeTransformFilters(ws, both, services, &error);
        QCOMPARE(filters.size(), size_t(2));
        QCOMPARE(filters[0]->name(), "request-transform");
        QCOMPARE(filters[1]->name(), "response-transform");

        config::Route bad = jsonRoute({ "items[0].ssn" });
        QVERIFY(makeTransformFilters(ws, bad, services, &error).empty());
        QVERIFY2(error.startsWith("route 'users': response.json.remove: invalid JSON path 'items[0].ssn'"),
            qPrintable(error));
        config::Route badHeader = jsonRoute({});
        badHeader.filters.edit<config::TransformConfig>().request.headers.set = { { "X Y", "1" } };
        QVERIFY(makeTransformFilters(ws, badHeader, services, &error).empty());
        QVERIFY2(error.startsWith("route 'users': request.headers.set"), qPrintable(error));
    }

    void responseHeadersAndJsonMediaTypes()
    {
        QVERIFY(ResponseTransformFilter::isJsonMediaType("application/json"));
        QVERIFY(ResponseTransformFilter::isJsonMediaType("Application/JSON; charset=utf-8"));
        QVERIFY(ResponseTransformFilter::isJsonMediaType("application/problem+json"));
        QVERIFY(ResponseTransformFilter::isJsonMediaType("application/vnd.api+json;v=2"));
        QVERIFY(!ResponseTransformFilter::isJsonMediaType("text/json"));
        QVERIFY(!ResponseTransformFilter::isJsonMediaType("application/jsonl"));
        QVERIFY(!ResponseTransformFilter::isJsonMediaType("text/html"));
        QVERIFY(!ResponseTransformFilter::isJsonMediaType(""));

        ResponseTransformFilter f(headerOps(hops({ { "X-Frame-Options", "DENY" } }, { "Server" })),
            *JsonPathRemover::compile({ "password" }), 1 << 20);
        Exchange ex;
        ex.head.headers.add("server", "nginx");
        ex.head.headers.add("X-Frame-Options", "ALLOW");
        ex.head.headers.add("Content-Type", "application/json");
        f.onResponseHead(ex.ctx, ex.head);
        QVERIFY(!ex.head.headers.contains("Server"));
        QCOMPARE(ex.head.headers.values("x-frame-options"), QList<QByteArray> { "DENY" });
        QVERIFY(f.wantsResponseBody(ex.ctx, ex.head));

        ex.head.headers.set("Content-Type", "text/plain");
        QVERIFY(!f.wantsResponseBody(ex.ctx, ex.head));
        ex.head.headers.set("Content-Type", "application/json");
        ex.head.status = 204;
        QVERIFY(!f.wantsResponseBody(ex.ctx, ex.head));
        ex.head.status = 200;
        ex.request.method = "HEAD";
        QVERIFY(!f.wantsResponseBody(ex.ctx, ex.head));

        // No json.remove: never buffers.
        ResponseTransformFilter headersOnly(headerOps(hops({}, { "Server" })), JsonPathRemover(), 1 << 20);
        ex.request.method = "GET";
        QVERIFY(!headersOnly.wantsResponseBody(ex.ctx, ex.head));
    }

    void jsonBodyRewritten()
    {
        config::Workspace ws;
        FilterServices services;
        QString error;
        const auto filters
            = makeTransformFilters(ws, jsonRoute({ "password", "items[*].ssn" }), services, &error);
        const FilterPtr &f = filters.at(0);
        Exchange ex;
        ex.head.headers.add("Content-Type", "application/json");
        ex.head.headers.add("ETag", "\"abc\"");
        ex.body = R"({"password":"pw","items":[{"ssn":"1","id":1},{"id":2}],"name":"n"})";
        ex.head.headers.add("Content-Length", QByteArray::number(ex.body.size()));
        QVERIFY(f->wantsResponseBody(ex.ctx, ex.head));
        f->onResponseBody(ex.ctx, ex.head, ex.body);
        QCOMPARE(ex.body, QByteArray(R"({"items":[{"id":1},{"id":2}],"name":"n"})"));
        QCOMPARE(ex.head.headers.value("Content-Length"), QByteArray::number(ex.body.size()));
        QCOMPARE(ex.head.headers.value("ETag"), QByteArray("W/\"abc\""));
        QCOMPARE(ex.head.status, 200);
        QVERIFY(ex.ctx.notes.join('\n').contains("removed 2 field(s)"));
    }

    void byteOrderMarkAndDuplicateKeys()
    {
        ResponseTransformFilter f(HeaderTransform(), *JsonPathRemover::compile({ "password" }), 1 << 20);
        Exchange ex;
        ex.head.headers.add("Content-Type", "application/json");
        ex.body = "\xEF\xBB\xBF{\"password\":\"a\",\"id\":1,\"password\":\"b\"}";
        f.onResponseBody(ex.ctx, ex.head, ex.body);
        QCOMPARE(ex.body, QByteArray("{\"id\":1}"));
    }

    void untouchedBodyKeepsItsBytes()
    {
        ResponseTransformFilter f(HeaderTransform(), *JsonPathRemover::compile({ "password" }), 1 << 20);
        Exchange ex;
        ex.head.headers.add("Content-Type", "application/json");
        const QByteArray original = "{ \"name\" : \"n\",\n  \"big\": 12345678901234567890 }";
        ex.body = original;
        f.onResponseBody(ex.ctx, ex.head, ex.body);
        QCOMPARE(ex.body, original);
        QVERIFY(ex.ctx.notes.isEmpty());
    }

    // A body that cannot be parsed cannot be filtered: it never reaches the client (fail closed).
    void unparsableJsonFailsClosed_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("truncated") << QByteArray("{\"password\": \"pw\", oops");
        QTest::newRow("invalid utf-8") << QByteArray("{\"password\": \"pw\xff\xfe\", \"a\": 1}");
        QByteArray deep(2000, '[');
        deep += "{\"password\": \"pw\"}";
        deep += QByteArray(2000, ']');
        QTest::newRow("nested past the parser's limit") << deep;
        QTest::newRow("two documents") << QByteArray("{\"a\":1}{\"password\":\"pw\"}");
    }
    void unparsableJsonFailsClosed()
    {
        QFETCH(QByteArray, body);
        ResponseTransformFilter f(HeaderTransform(), *JsonPathRemover::compile({ "password" }), 1 << 20);
        Exchange ex;
        ex.head.headers.add("Content-Type", "application/json");
        ex.body = body;
        f.onResponseBody(ex.ctx, ex.head, ex.body);
        QCOMPARE(ex.head.status, 502);
        QVERIFY(!ex.body.contains("pw"));
        QCOMPARE(ex.head.headers.value("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(ex.ctx.notes.size(), 1);
        QVERIFY2(ex.ctx.notes.first().contains("failed closed: the body is not valid JSON"),
            qPrintable(ex.ctx.notes.first()));
        QVERIFY(ex.ctx.notes.first().contains("offset"));
    }

    void compressedBodies_data()
    {
        QTest::addColumn<QByteArray>("coding");
        QTest::newRow("gzip") << QByteArray("gzip");
        QTest::newRow("deflate") << QByteArray("deflate");
    }

    void compressedBodies()
    {
        QFETCH(QByteArray, coding);
        const auto c = Compression::codingOf(coding);
        ResponseTransformFilter f(HeaderTransform(), *JsonPathRemover::compile({ "items[*].ssn" }), 1 << 20);
        Exchange ex;
        ex.head.headers.add("Content-Type", "application/json; charset=utf-8");
        ex.head.headers.add("Content-Encoding", coding);
        ex.body = Compression::encode(c, R"({"items":[{"ssn":"123-45-6789","id":1}]})");
        ex.head.headers.add("Content-Length", QByteArray::number(ex.body.size()));
        f.onResponseBody(ex.ctx, ex.head, ex.body);
        QCOMPARE(ex.head.headers.value("Content-Encoding"), coding);
        QCOMPARE(ex.head.headers.value("Content-Length"), QByteArray::number(ex.body.size()));
        const std::optional<QByteArray> plain = Compression::decode(c, ex.body, -1);
        QVERIFY(plain);
        QCOMPARE(*plain, QByteArray(R"({"items":[{"id":1}]})"));
    }

    void failsClosedWhenItCannotRead_data()
    {
        QTest::addColumn<QByteArray>("coding");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<qint64>("cap");
        QTest::addColumn<QString>("why");
        QTest::newRow("brotli") << QByteArray("br") << QByteArray("\x0b\x02\x80{\"password\":1}\x03")
                                << qint64(1 << 20) << QString("encoded as 'br'");
        QTest::newRow("corrupt gzip") << QByteArray("gzip") << QByteArray("\x1f\x8bnot really gzip")
                                      << qint64(1 << 20) << QString("could not be decoded");
        const QByteArray bomb = Compression::gzip("{\"password\":\"" + QByteArray(2 << 20, 'x') + "\"}");
        QTest::newRow("over the cap")
            << QByteArray("gzip") << bomb << qint64(1 << 20) << QString("exceeds 1048576");
        QTest::newRow("partial content") << QByteArray() << QByteArray("{\"password\":\"x\",")
                                         << qint64(1 << 20) << QString("partial (206)");
    }

    void failsClosedWhenItCannotRead()
    {
        QFETCH(QByteArray, coding);
        QFETCH(QByteArray, body);
        QFETCH(qint64, cap);
        QFETCH(QString, why);
        ResponseTransformFilter f(HeaderTransform(), *JsonPathRemover::compile({ "password" }), cap);
        Exchange ex;
        ex.head.headers.add("Content-Type", "application/json");
        if (!coding.isEmpty())
            ex.head.headers.add("Content-Encoding", coding);
        else
            ex.head.status = 206;
        ex.head.headers.add("ETag", "\"e\"");
        ex.head.headers.add("RateLimit-Remaining", "9");
        ex.body = body;
        f.onResponseBody(ex.ctx, ex.head, ex.body);
        QCOMPARE(ex.head.status, 502);
        QCOMPARE(ex.head.headers.value("Content-Type"), QByteArray("application/problem+json"));
        QVERIFY(!ex.head.headers.contains("Content-Encoding"));
        QVERIFY(!ex.head.headers.contains("ETag"));
        QCOMPARE(ex.head.headers.value("RateLimit-Remaining"), QByteArray("9"));
        QCOMPARE(ex.head.headers.value("Content-Length"), QByteArray::number(ex.body.size()));
        QVERIFY(!ex.body.contains("password"));
        const QJsonObject problem = QJsonDocument::fromJson(ex.body).object();
        QCOMPARE(problem.value("status").toInt(), 502);
        QVERIFY2(
            problem.value("detail").toString().contains(why), qPrintable(problem.value("detail").toString()));
        QCOMPARE(problem.value("trace_id").toString(), QString::fromLatin1(ex.ctx.traceId));
        QVERIFY(ex.ctx.notes.join('\n').contains("failed closed"));
    }

    void acceptEncodingNarrowedOnJsonRoutes()
    {
        ResponseTransformFilter f(HeaderTransform(), *JsonPathRemover::compile({ "password" }), 1 << 20);
        Exchange ex;
        ex.request.headers.add("Accept-Encoding", "br, gzip;q=0.8");
        ex.request.headers.add("accept-encoding", "zstd, deflate");
        f.onRequest(ex.ctx, nullptr);
        QCOMPARE(ex.request.headers.values("Accept-Encoding"), QList<QByteArray> { "gzip;q=0.8, deflate" });
        Exchange ranged;
        ranged.request.headers.add("Range", "bytes=0-99");
        ranged.request.headers.add("If-Range", "\"e\"");
        f.onRequest(ranged.ctx, nullptr);
        QVERIFY(!ranged.request.headers.contains("Range"));
        QVERIFY(!ranged.request.headers.contains("If-Range"));
        Exchange onlyBrotli;
        onlyBrotli.request.headers.add("Accept-Encoding", "br");
        f.onRequest(onlyBrotli.ctx, nullptr);
        QVERIFY(!onlyBrotli.request.headers.contains("Accept-Encoding"));
        // Without json.remove the request is left alone.
        ResponseTransformFilter headersOnly(HeaderTransform(), JsonPathRemover(), 1 << 20);
        Exchange other;
        other.request.headers.add("Accept-Encoding", "br");
        headersOnly.onRequest(other.ctx, nullptr);
        QCOMPARE(other.request.headers.value("Accept-Encoding"), QByteArray("br"));
    }
};

QTEST_GUILESS_MAIN(TestTransform)
#include "tst_transform.moc"
