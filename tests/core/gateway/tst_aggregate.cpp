// AggregateMerger and the sub-request heads of aggregate routes.

#include "core/gateway/aggregate/AggregateMerger.h"
#include "core/gateway/aggregate/AggregatePlan.h"
#include "core/gateway/aggregate/AggregateSubRequest.h"
#include "core/http/Compression.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace portico;
using namespace portico::gateway;
using portico::http::Compression;

namespace {

AggregatePartResult answered(const QString &key, int status, const QByteArray &body,
    const QByteArray &contentType = "application/json")
{
    AggregatePartResult p;
    p.key = key;
    p.upstream = key + "-svc";
    p.status = status;
    p.body = body;
    if (!contentType.isEmpty())
        p.headers.add("Content-Type", contentType);
    return p;
}

AggregatePartResult failed(const QString &key, AggregatePartResult::Outcome outcome, const QString &error)
{
    AggregatePartResult p;
    p.key = key;
    p.upstream = key + "-svc";
    p.outcome = outcome;
    p.error = error;
    return p;
}

QJsonObject object(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("merged body is not JSON: %s\n%s", qPrintable(error.errorString()), json.constData());
    return doc.object();
}

} // namespace

class TestAggregate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allPartsSucceed()
    {
        const AggregateResponse r = AggregateMerger().merge({
            answered("user", 200, R"({"id":7,"big":12345678901234567890})"),
            answered("orders", 200, "  [1,2,3]\n"),
        });
        QCOMPARE(r.status, 200);
        QCOMPARE(r.failedParts, 0);
        QCOMPARE(r.headers.value("Content-Type"), QByteArray("application/json"));
        // Config order, part JSON embedded byte for byte (the big number keeps its digits).
        QCOMPARE(r.body, QByteArray(R"({"user":{"id":7,"big":12345678901234567890},"orders":[1,2,3]})"));
        QVERIFY(r.notes.isEmpty());
    }

    void onePartFails()
    {
        const AggregateResponse r = AggregateMerger().merge({
            answered("user", 200, R"({"name":"alice"})"),
            failed("orders", AggregatePartResult::Outcome::Failed, "connection refused"),
        });
        QCOMPARE(r.status, 200);
        QCOMPARE(r.failedParts, 1);
        const QJsonObject o = object(r.body);
        QCOMPARE(o.value("user").toObject().value("name").toString(), QString("alice"));
        const QJsonObject error = o.value("orders").toObject().value("error").toObject();
        QCOMPARE(error.value("status").toInt(), 502);
        QCOMPARE(error.value("title").toString(), QString("Bad Gateway"));
        QVERIFY2(error.value("detail").toString().contains(
                     "upstream 'orders-svc' could not be reached: connection refused"),
            qPrintable(error.value("detail").toString()));
        QCOMPARE(r.notes.size(), 1);
        QVERIFY(r.notes.first().startsWith("aggregate part 'orders' failed: "));
    }

    void allPartsFail()
    {
        const AggregateResponse r = AggregateMerger().merge({
            failed("user", AggregatePartResult::Outcome::Timeout, "no answer within 5s"),
            failed("orders", AggregatePartResult::Outcome::Unavailable, QString()),
            answered("stock", 500, "oops", "text/plain"),
        });
        QCOMPARE(r.status, 502);
        QCOMPARE(r.failedParts, 3);
        QCOMPARE(r.headers.value("Content-Type"), QByteArray("application/json"));
        const QJsonObject o = object(r.body);
        QCOMPARE(o.value("user").toObject().value("error").toObject().value("status").toInt(), 504);
        QCOMPARE(o.value("user").toObject().value("error").toObject().value("title").toString(),
            QString("Gateway Timeout"));
        QVERIFY(
            o.value("user").toObject().value("error").toObject().value("detail").toString().contains("5s"));
        QCOMPARE(o.value("orders").toObject().value("error").toObject().value("status").toInt(), 503);
        const QJsonObject stock = o.value("stock").toObject();
        QCOMPARE(stock.value("error").toObject().value("status").toInt(), 500);
        QVERIFY(!stock.contains("body")); // not JSON: not embedded
    }

    void upstreamErrorKeepsItsJsonBody()
    {
        const AggregateResponse r = AggregateMerger().merge({
            answered(
                "user", 404, R"({"type":"about:blank","title":"Not Found"})", "application/problem+json"),
            answered("orders", 200, "[]"),
        });
        QCOMPARE(r.status, 200);
        const QJsonObject user = object(r.body).value("user").toObject();
        QCOMPARE(user.value("error").toObject().value("status").toInt(), 404);
        QCOMPARE(user.value("error").toObject().value("detail").toString(),
            QString("upstream 'user-svc' answered 404 Not Found"));
        QCOMPARE(user.value("error").toObject().value("body").toObject().value("title").toString(),
            QString("Not Found"));
    }

    void nonJsonEmptyAndScalarBodies()
    {
        const AggregateResponse r = AggregateMerger().merge({
            answered("html", 200, "<html></html>", "text/html"),
            answered("empty", 204, ""),
            answered("count", 200, "42", ""),
            answered("two", 200, "1,2"),
        });
        QCOMPARE(r.status, 200);
        QCOMPARE(r.failedParts, 2);
        const QJsonObject o = object(r.body);
        QCOMPARE(o.value("html").toObject().value("error").toObject().value("status").toInt(), 502);
        QVERIFY(o.value("html").toObject().value("error").toObject().value("detail").toString().contains(
            "not JSON"));
        QVERIFY(o.contains("empty"));
        QVERIFY(o.value("empty").isNull());
        QCOMPARE(o.value("count").toInt(), 42);
        QVERIFY(o.value("two").toObject().contains("error"));
    }

    void compressedPartsAndCap()
    {
        AggregatePartResult gz = answered("user", 200, Compression::gzip(R"({"id":1})"));
        gz.headers.add("Content-Encoding", "gzip");
        AggregatePartResult df = answered("orders", 200, Compression::deflate(R"([{"id":2}])"));
        df.headers.add("Content-Encoding", "deflate");
        AggregateResponse r = AggregateMerger().merge({ gz, df });
        QCOMPARE(r.body, QByteArray(R"({"user":{"id":1},"orders":[{"id":2}]})"));

        AggregatePartResult big
            = answered("big", 200, Compression::gzip("[" + QByteArray(100000, '1') + "]"));
        big.headers.add("Content-Encoding", "gzip");
        AggregatePartResult br = answered("br", 200, "\x0b\x02\x80[]\x03");
        br.headers.add("Content-Encoding", "br");
        r = AggregateMerger(10000).merge({ big, br });
        QCOMPARE(r.status, 502);
        const QJsonObject o = object(r.body);
        QVERIFY(o.value("big").toObject().value("error").toObject().value("detail").toString().contains(
            "exceeds 10000"));
        QVERIFY(o.value("br").toObject().value("error").toObject().value("detail").toString().contains(
            "could not be decoded"));
    }

    void keysAreEscapedAndUnique()
    {
        const AggregateResponse r = AggregateMerger().merge({
            answered("we\"ird", 200, "1"),
            answered("a", 200, "2"),
            answered("a", 200, "3"),
        });
        QCOMPARE(r.body, QByteArray("{\"we\\\"ird\":1,\"a\":2}"));
        QCOMPARE(AggregateMerger().merge({}).body, QByteArray("{}"));
        QCOMPARE(AggregateMerger().merge({}).status, 200);
    }

    void plan()
    {
        config::Workspace ws;
        ws.gateway.limits.maxBodyBytes = 1000;
        for (const char *name : { "users-v2", "orders" }) {
            config::Upstream u;
            u.name = QString::fromLatin1(name);
            ws.upstreams.append(u);
        }
        config::Route route;
        route.name = "dashboard";
        route.aggregate = { { "user", "users-v2", "/users/me" }, { "orders", "orders", "/orders/recent" } };
        QString error = "stale";
        const auto p = makeAggregatePlan(ws, route, &error);
        QVERIFY2(p, qPrintable(error));
        QVERIFY(error.isEmpty());
        QCOMPARE(p->parts.size(), 2);
        QCOMPARE(p->parts.at(1).key, QString("orders"));
        // The merger carries the gateway's body cap.
        const AggregateResponse r
            = p->merger.merge({ answered("user", 200, "[" + QByteArray(2000, '1') + "]") });
        QCOMPARE(r.status, 502);

        config::Route plain;
        plain.name = "plain";
        QVERIFY(!makeAggregatePlan(ws, plain, &error));
        QVERIFY(error.isEmpty());

        config::Route dup = route;
        dup.aggregate[1].key = "user";
        QVERIFY(!makeAggregatePlan(ws, dup, &error));
        QVERIFY2(error.contains("route 'dashboard': aggregate: key 'user' is used by more than one part"),
            qPrintable(error));
        config::Route unknown = route;
        unknown.aggregate[1].upstream = "nowhere";
        QVERIFY(!makeAggregatePlan(ws, unknown, &error));
        QVERIFY2(error.contains("'nowhere'"), qPrintable(error));
        config::Route relative = route;
        relative.aggregate[0].path = "users/me";
        QVERIFY(!makeAggregatePlan(ws, relative, &error));
        QVERIFY2(error.contains("must start with '/'"), qPrintable(error));
    }

    void subRequestHead()
    {
        http::RequestHead client;
        client.method = "HEAD";
        client.path = "/api/dashboard";
        client.query = "x=1";
        client.headers.add("Host", "api.local");
        client.headers.add("Accept", "application/json");
        client.headers.add("Connection", "keep-alive, X-Hop");
        client.headers.add("X-Hop", "1");
        client.headers.add("If-None-Match", "\"abc\"");
        client.headers.add("Accept-Encoding", "br, gzip");
        client.headers.add("X-Consumer-Name", "alice");
        client.headers.add("Content-Length", "0");
        config::AggregatePart part { "orders", "orders", "/orders/recent?limit=5" };
        const http::RequestHead sub = makeAggregateSubRequest(client, part);
        QCOMPARE(sub.method, QByteArray("GET"));
        QCOMPARE(sub.path, QByteArray("/orders/recent"));
        QCOMPARE(sub.query, QByteArray("limit=5"));
        QCOMPARE(sub.target, QByteArray("/orders/recent?limit=5"));
        QCOMPARE(sub.headers.value("Accept"), QByteArray("application/json"));
        QCOMPARE(sub.headers.value("X-Consumer-Name"), QByteArray("alice"));
        QCOMPARE(sub.headers.value("Accept-Encoding"), QByteArray("gzip"));
        for (const char *gone : { "Host", "Connection", "X-Hop", "If-None-Match", "Content-Length" })
            QVERIFY2(!sub.headers.contains(gone), gone);

        const http::RequestHead plain
            = makeAggregateSubRequest(http::RequestHead {}, { "u", "users", "/users/me" });
        QCOMPARE(plain.target, QByteArray("/users/me"));
        QVERIFY(plain.query.isEmpty());
        QVERIFY(!plain.headers.contains("Accept-Encoding"));
    }
};

QTEST_GUILESS_MAIN(TestAggregate)
#include "tst_aggregate.moc"
