// Request and response transforms through the real proxy: header set/remove/rename and query
// set/remove on the way up, header set/remove/rename and JSON field removal on the way down
// (plain, gzip-encoded, nested arrays), bodies that are not JSON, the buffering cap, and the
// capture note that says why a body was left alone.
#include "../filters/AuthTestKit.h"
#include "FilterItKit.h"

#include <optional>

#include <zlib.h>

using namespace portico;
using namespace portico::test;

namespace {

const char *kWorkspace = R"(upstreams:
  echo: {targets: [{url: {{UP}}}]}
  data: {targets: [{url: {{DATA}}}]}
routes:
  - name: req
    match: {path: /req}
    upstream: echo
    request:
      headers: {set: {X-Gateway: portico}, remove: [X-Debug], rename: {X-Old: X-New}}
      query: {set: {source: gateway}, remove: [debug]}
  - name: resp
    match: {path: /resp}
    upstream: echo
    response:
      headers: {set: {X-Frame-Options: DENY}, remove: [X-Upstream-Name], rename: {X-Internal: X-Public}}
  - name: echo-json
    match: {path: /echo-json}
    upstream: echo
    response:
      json: {remove: [headers.x-secret, server]}
  - name: data
    match: {path: /data}
    upstream: data
    response:
      json: {remove: [password, "items[*].ssn", "deep.a[*].b[*].secret"]}
      headers: {set: {X-Filtered: done}}
)";

// {"id":1,"password":...,"items":[...ssn...],"deep":{...secret...},"note":"..."}
QByteArray sensitiveJson()
{
    return R"({"id":1,"password":"hunter2","items":[{"id":1,"ssn":"123-45-6789"},{"id":2,"ssn":"987-65-4321","name":"x"},{"id":3}],"deep":{"a":[{"b":[{"secret":1,"keep":2}]},{"b":[]}]},"note":"ok"})";
}

QByteArray gzipCompress(const QByteArray &data)
{
    z_stream zs {};
    deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(qsizetype(deflateBound(&zs, uLong(data.size())) + 32), '\0');
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = uInt(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(qsizetype(zs.total_out));
    deflateEnd(&zs);
    return out;
}

// Inflates gzip or zlib data; empty on error.
QByteArray gunzip(const QByteArray &data)
{
    z_stream zs {};
    if (inflateInit2(&zs, 15 + 32) != Z_OK)
        return {};
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = uInt(data.size());
    QByteArray out;
    char buf[16384];
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef *>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, qsizetype(sizeof buf - zs.avail_out));
    }
    inflateEnd(&zs);
    return rc == Z_STREAM_END ? out : QByteArray();
}

QByteArray rawResponse(const QByteArray &body, const QList<QByteArray> &headers)
{
    QByteArray out = "HTTP/1.1 200 OK\r\n";
    for (const QByteArray &h : headers)
        out += h + "\r\n";
    return out + "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n"
        + body;
}

// What the "data" upstream answers per path.
QByteArray dataUpstream(const QByteArray &head, const QByteArray &)
{
    const QByteArray line = head.left(head.indexOf("\r\n"));
    const QByteArray path = line.split(' ').value(1);
    if (path == "/data/items")
        return rawResponse(
            sensitiveJson(), { "Content-Type: application/json; charset=utf-8", "ETag: \"v1\"" });
    if (path == "/data/gzip")
        return rawResponse(
            gzipCompress(sensitiveJson()), { "Content-Type: application/json", "Content-Encoding: gzip" });
    if (path == "/data/text")
        return rawResponse(sensitiveJson(), { "Content-Type: text/plain" });
    if (path == "/data/broken")
        return rawResponse(R"({"password":"hunter2",)", { "Content-Type: application/json" });
    if (path == "/data/problem")
        return rawResponse(R"({"password":"p","type":"x"})", { "Content-Type: application/problem+json" });
    if (path == "/data/bomb") {
        // Small on the wire, over the buffering cap once inflated.
        const QByteArray big = R"({"password":"hunter2","pad":")" + QByteArray(512 * 1024, 'x') + R"("})";
        return rawResponse(gzipCompress(big), { "Content-Type: application/json", "Content-Encoding: gzip" });
    }
    if (path == "/data/brotli")
        return rawResponse(sensitiveJson(), { "Content-Type: application/json", "Content-Encoding: br" });
    if (path == "/data/chunked") {
        const QByteArray json = sensitiveJson();
        QByteArray out = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                         "Connection: close\r\n\r\n";
        for (qsizetype at = 0; at < json.size(); at += 40) {
            const QByteArray piece = json.mid(at, 40);
            out += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
        }
        return out + "0\r\n\r\n";
    }
    if (path == "/data/huge") {
        QByteArray big = R"({"password":"hunter2","pad":")" + QByteArray(100 * 1024, 'x') + R"("})";
        return rawResponse(big, { "Content-Type: application/json" });
    }
    return ScriptedHttpServer::response(404, "{}");
}

} // namespace

class TestItTransform : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LoopbackUpstream> m_up;
    std::unique_ptr<ScriptedHttpServer> m_data;
    std::unique_ptr<GatewayHarness> m_gw;

    static void verifyFiltered(const QByteArray &json)
    {
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(json, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString() + ": " + json));
        QVERIFY(!o.contains(QStringLiteral("password")));
        QCOMPARE(o.value(QStringLiteral("id")).toInt(), 1);
        QCOMPARE(o.value(QStringLiteral("note")).toString(), QStringLiteral("ok"));
        const QJsonArray items = o.value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 3);
        for (const QJsonValue &item : items) {
            QVERIFY(!item.toObject().contains(QStringLiteral("ssn")));
            QVERIFY(item.toObject().contains(QStringLiteral("id")));
        }
        QCOMPARE(items.at(1).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("x"));
        const QJsonObject b0 = o.value(QStringLiteral("deep"))
                                   .toObject()
                                   .value(QStringLiteral("a"))
                                   .toArray()
                                   .at(0)
                                   .toObject()
                                   .value(QStringLiteral("b"))
                                   .toArray()
                                   .at(0)
                                   .toObject();
        QCOMPARE(b0, QJsonObject({ { "keep", 2 } }));
        QVERIFY(!json.contains("123-45-6789") && !json.contains("hunter2"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_up = std::make_unique<LoopbackUpstream>();
        QVERIFY(m_up->isRunning());
        m_data = std::make_unique<ScriptedHttpServer>(&dataUpstream);
        QVERIFY(m_data->port() != 0);
        m_gw = std::make_unique<GatewayHarness>();
        const QString problems
            = m_gw->start(gatewayHeaderWithCapture(QStringLiteral("  limits: {max_body_bytes: 64KiB}\n"))
                    + QString::fromLatin1(kWorkspace),
                { { QStringLiteral("UP"), m_up->url().toString() },
                    { QStringLiteral("DATA"), m_data->url(QString()) } });
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }
    void cleanupTestCase()
    {
        m_gw.reset();
        m_data.reset();
        m_up.reset();
    }

    void requestHeadersAndQuery()
    {
        const RawResponse r = m_gw->get("/req/x?debug=1&source=client&keep=a%20b&source=again",
            { { "X-Debug", "1" }, { "x-old", "renamed-value" }, { "X-New", "clobbered" },
                { "X-Gateway", "client-1" }, { "x-gateway", "client-2" }, { "X-Untouched", "same" } });
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        const RecordedRequest up = m_up->lastRequest();
        QCOMPARE(up.path, QStringLiteral("/req/x"));
        // set replaces in place and drops repeats; remove drops; others keep their order.
        QCOMPARE(up.query, QStringLiteral("source=gateway&keep=a%20b"));
        QVERIFY(!up.hasHeader("X-Debug"));
        QVERIFY(!up.hasHeader("X-Old"));
        QCOMPARE(up.header("X-New"), QByteArray("renamed-value")); // the rename wins over the old X-New
        QCOMPARE(up.header("X-Gateway"), QByteArray("portico")); // every client value replaced
        QCOMPARE(up.header("X-Untouched"), QByteArray("same"));
        int gatewayHeaders = 0;
        for (const auto &[name, value] : up.headers)
            gatewayHeaders += name.compare("x-gateway", Qt::CaseInsensitive) == 0 ? 1 : 0;
        QCOMPARE(gatewayHeaders, 1);

        // No query at all: set adds it.
        QCOMPARE(m_gw->get("/req/y").status, 200);
        QCOMPARE(m_up->lastRequest().query, QStringLiteral("source=gateway"));
        QCOMPARE(m_up->lastRequest().header("X-Gateway"), QByteArray("portico"));
    }

    void responseHeaders()
    {
        const RawResponse r = m_gw->get("/resp/x?header=X-Internal:abc&header=X-Frame-Options:SAMEORIGIN");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("X-Frame-Options"), QByteArray("DENY"));
        QVERIFY(!r.hasHeader("X-Upstream-Name"));
        QVERIFY(!r.hasHeader("X-Internal"));
        QCOMPARE(r.header("X-Public"), QByteArray("abc"));
        // No JSON removal on this route: the body streams through untouched.
        QCOMPARE(echoOf(r).value(QStringLiteral("path")).toString(), QStringLiteral("/resp/x"));
        // Error answers of the upstream are shaped too.
        const RawResponse err = m_gw->get("/resp/x?status=500");
        QCOMPARE(err.status, 500);
        QCOMPARE(err.header("X-Frame-Options"), QByteArray("DENY"));
    }

    void jsonFieldsRemovedFromEcho()
    {
        const RawResponse r = m_gw->get("/echo-json/a", { { "X-Secret", "s3cr3t" }, { "X-Visible", "v" } });
        QCOMPARE(r.status, 200);
        const QJsonObject echo = echoOf(r);
        QVERIFY(!echo.value(QStringLiteral("headers")).toObject().contains(QStringLiteral("x-secret")));
        QCOMPARE(
            echo.value(QStringLiteral("headers")).toObject().value(QStringLiteral("x-visible")).toString(),
            "v");
        QVERIFY(!echo.contains(QStringLiteral("server")));
        QVERIFY(!r.body.contains("s3cr3t"));
        QCOMPARE(r.header("Content-Length"), QByteArray::number(r.body.size()));
        // The upstream still received the secret: only the answer is filtered.
        QCOMPARE(m_up->lastRequest().header("X-Secret"), QByteArray("s3cr3t"));
    }

    void jsonFieldsRemovedFromGzipEcho()
    {
        const RawResponse r
            = m_gw->get("/echo-json/a?gzip=1", { { "X-Secret", "s3cr3t" }, { "Accept-Encoding", "gzip" } });
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Encoding"), QByteArray("gzip"));
        QCOMPARE(r.header("Content-Length"), QByteArray::number(r.body.size()));
        const QByteArray plain = gunzip(r.body);
        QVERIFY2(!plain.isEmpty(), "the body is not gzip any more");
        const QJsonObject echo = QJsonDocument::fromJson(plain).object();
        QCOMPARE(echo.value(QStringLiteral("path")).toString(), QStringLiteral("/echo-json/a"));
        QVERIFY(!echo.value(QStringLiteral("headers")).toObject().contains(QStringLiteral("x-secret")));
        QVERIFY(!plain.contains("s3cr3t"));
    }

    void nestedArraysAndStarPaths()
    {
        const RawResponse r = getSpinning(*m_gw, "/data/items");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        verifyFiltered(r.body);
        QCOMPARE(r.header("Content-Length"), QByteArray::number(r.body.size()));
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json; charset=utf-8"));
        QCOMPARE(r.header("ETag"), QByteArray("W/\"v1\"")); // same meaning, other bytes: weak
        QCOMPARE(r.header("X-Filtered"), QByteArray("done"));
    }

    // The capture holds what the client got, not what the upstream sent: a field a transform
    // removed (personal data, say) is not stored, and the head has the framing that was sent.
    void captureHoldsTheFilteredResponse()
    {
        const RawResponse r = getSpinning(*m_gw, "/data/items");
        QCOMPARE(r.status, 200);
        verifyFiltered(r.body);
        const auto captured = [&]() -> std::optional<capture::Exchange> {
            const QList<capture::Exchange> all = capturedExchanges(*m_gw);
            for (auto it = all.crbegin(); it != all.crend(); ++it) {
                if (it->path == QStringLiteral("/data/items"))
                    return *it;
            }
            return std::nullopt;
        };
        QTRY_VERIFY_WITH_TIMEOUT(captured().has_value(), 5000);
        const capture::Exchange e = *captured();
        QCOMPARE(e.responseBody, r.body);
        QCOMPARE(e.responseBodySize, qint64(r.body.size()));
        QVERIFY(!e.responseBody.contains("hunter2"));
        QCOMPARE(capture::headerValue(e.responseHeaders, "content-length"), QByteArray::number(r.body.size()));
        QCOMPARE(capture::headerValue(e.responseHeaders, "x-request-id"), r.header("X-Request-Id"));
        QCOMPARE(capture::headerValue(e.responseHeaders, "etag"), r.header("ETag"));
        QCOMPARE(e.responseBytes, qint64(r.raw.size())); // head and body, as the client got them
    }

    void nestedArraysInAGzipBody()
    {
        const RawResponse r = getSpinning(*m_gw, "/data/gzip");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Encoding"), QByteArray("gzip"));
        QCOMPARE(r.header("Content-Length"), QByteArray::number(r.body.size()));
        const QByteArray plain = gunzip(r.body);
        QVERIFY(!plain.isEmpty());
        verifyFiltered(plain);
        QVERIFY(!r.body.contains("hunter2"));
    }

    void nonJsonBodiesPassUnchanged()
    {
        const RawResponse text = getSpinning(*m_gw, "/data/text");
        QCOMPARE(text.status, 200);
        QCOMPARE(text.body, sensitiveJson()); // text/plain is not JSON, whatever it looks like
        QCOMPARE(text.header("X-Filtered"), QByteArray("done"));

        // A body labelled JSON that does not parse fails closed: the client never sees it.
        const RawResponse broken = getSpinning(*m_gw, "/data/broken");
        QCOMPARE(broken.status, 502);
        QVERIFY(!broken.body.contains("hunter2"));
        QCOMPARE(broken.header("Content-Type"), QByteArray("application/problem+json"));

        // application/problem+json is JSON too (+json suffix).
        const RawResponse problem = getSpinning(*m_gw, "/data/problem");
        QCOMPARE(problem.status, 200);
        QCOMPARE(QJsonDocument::fromJson(problem.body).object(), QJsonObject({ { "type", "x" } }));

        // The capture says why the broken body was refused.
        const auto noted = [this] {
            for (const capture::Exchange &e : capturedExchanges(*m_gw)) {
                if (e.path == QStringLiteral("/data/broken")
                    && e.notes.contains(
                        QStringLiteral("response.json.remove failed closed: the body is not valid JSON")))
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(noted(), 5000);
    }

    void chunkedUpstreamBodyIsFilteredAndFramed()
    {
        const RawResponse r = getSpinning(*m_gw, "/data/chunked");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 200);
        verifyFiltered(r.body);
        QVERIFY(!r.hasHeader("Transfer-Encoding"));
        QCOMPARE(r.header("Content-Length"), QByteArray::number(r.body.size()));
    }

    void undecodableBodiesFailClosed()
    {
        // A gzip body that inflates past the cap, and a coding zlib cannot decode: never passed
        // through with the fields still in it.
        for (const QByteArray &path : { QByteArray("/data/bomb"), QByteArray("/data/brotli") }) {
            const RawResponse r = getSpinning(*m_gw, path);
            QVERIFY2(r.complete, qPrintable(r.error));
            QCOMPARE(r.status, 502);
            QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
            QVERIFY(!r.hasHeader("Content-Encoding"));
            QVERIFY(!r.body.contains("hunter2"));
            QCOMPARE(r.header("X-Filtered"), QByteArray("done"));
        }
    }

    void nonJsonStreamsAreNotBuffered()
    {
        // A json.remove route buffers JSON answers only: an event stream still flows event by event.
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), m_gw->port()));
        QElapsedTimer timer;
        timer.start();
        QVERIFY(client.send(
            httpRequest("GET", "/echo-json/events?sse=3&interval=1s", { { "Host", "gateway.test" } })));
        const QByteArray first = client.readUntil("\n\n", 5000);
        QVERIFY2(first.contains("data: {\"n\":0"), first.constData());
        QVERIFY2(timer.elapsed() < 900, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(first.contains("Content-Type: text/event-stream"));
        QVERIFY(!first.contains("Content-Length"));
        const QByteArray rest = client.readUntilClosed(5000);
        QVERIFY2(rest.contains("data: {\"n\":2"), rest.constData());
        // The capture counts every byte the client got: head, chunk framing, events.
        const auto captured = [&]() -> qint64 {
            for (const capture::Exchange &e : capturedExchanges(*m_gw)) {
                if (e.path == QStringLiteral("/echo-json/events"))
                    return e.responseBytes;
            }
            return -1;
        };
        QTRY_COMPARE_WITH_TIMEOUT(captured(), qint64(first.size() + rest.size()), 5000);
    }

    void overTheBufferCapIs502()
    {
        const RawResponse r = getSpinning(*m_gw, "/data/huge");
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.status, 502);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QVERIFY(!r.body.contains("hunter2"));
    }
};

QTEST_GUILESS_MAIN(TestItTransform)
#include "tst_it_transform.moc"
