// The forward proxy (proxy: in the workspace, issue 18), driven by real clients: curl with
// --proxy (absolute-form requests, CONNECT with TLS decrypted by Portico's CA, CONNECT with plain
// HTTP inside) and raw bytes for what curl will not send, against real upstreams (plain and TLS
// with their own CA). Every exchange must be captured with proxied = true.
#include "GatewayHarness.h"
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/FilterExpression.h"
#include "core/capture/Replayer.h"
#include "support/CurlClient.h"
#include "support/WebSocketFrame.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace portico;
using namespace portico::test;

namespace {

QString proxyYaml(const QString &proxyExtra, const QString &rest = {}, const QString &gatewayExtra = {})
{
    return QStringLiteral("version: 1\n"
                          "gateway:\n"
                          "  listen: 127.0.0.1:0\n"
                          "  workers: 2\n")
        + gatewayExtra
        + QStringLiteral("capture: {database: traffic.db}\n"
                         "admin: {enabled: false}\n"
                         "proxy:\n"
                         "  listen: 127.0.0.1:0\n")
        + proxyExtra + rest;
}

} // namespace

class TestGatewayForwardProxy : public QObject
{
    Q_OBJECT

private:
    QString proxyArg(GatewayHarness &gw) const
    {
        return QStringLiteral("http://127.0.0.1:%1").arg(gw.gateway().proxyUrl().port());
    }
    QList<capture::Exchange> captured(GatewayHarness &gw, int expected)
    {
        // A worker records an exchange when its response is written: curl can have it (and exit)
        // a moment before the row is submitted, so wait a little for the rows expected.
        QList<capture::Exchange> out;
        QDeadlineTimer deadline(5000);
        do {
            out.clear();
            capture::CaptureReader reader;
            if (!gw.gateway().captureStore()->flush()
                || !reader.open(gw.dir().path(QStringLiteral("traffic.db"))))
                return out;
            const auto rows = reader.list({}, 100);
            for (auto it = rows.crbegin(); it != rows.crend(); ++it)
                out.append(*reader.get(it->id));
            if (out.size() >= expected)
                break;
            QTest::qWait(20);
        } while (!deadline.hasExpired());
        if (out.size() != expected)
            qWarning("captured %d exchanges, expected %d", int(out.size()), expected);
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty())
            QSKIP("curl is not installed");
    }

    // http://host/path through the proxy reaches that host with the app's own fields: no
    // X-Forwarded-*, X-Request-Id or trace context added, Proxy-Authorization never passed on.
    void absoluteFormGoesToTheNamedHostAsSent()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        const QString problems
            = gw.start(proxyYaml(QStringLiteral("  auth: {username: app, password: s3cret}\n")));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const QString proxy = proxyArg(gw);

        const CurlResult refused = curl({ "-x", proxy }, upstream.url(QStringLiteral("/x")).toString());
        QVERIFY2(refused.head.startsWith("HTTP/1.1 407"), refused.head.constData());
        QVERIFY(refused.head.toLower().contains("proxy-authenticate: basic"));
        QCOMPARE(upstream.requestCount(), 0);

        const CurlResult ok = curl({ "-x", proxy, "-U", "app:s3cret", "-H",
                                       "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                                       "-H", "X-Forwarded-For: 10.9.9.9", "--data-binary", "payload" },
            upstream.url(QStringLiteral("/orders?id=7")).toString());
        QVERIFY2(ok.head.startsWith("HTTP/1.1 200"), ok.head.constData() + ok.error);
        const RecordedRequest seen = upstream.lastRequest();
        QCOMPARE(seen.path, QStringLiteral("/orders"));
        QCOMPARE(seen.header("host"), upstream.hostPort().toUtf8());
        QCOMPARE(seen.header("traceparent"),
            QByteArray("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        QCOMPARE(seen.header("x-forwarded-for"), QByteArray("10.9.9.9"));
        QVERIFY(seen.header("x-request-id").isEmpty());
        QVERIFY(seen.header("x-forwarded-proto").isEmpty());
        QVERIFY(seen.header("proxy-authorization").isEmpty());
        QCOMPARE(seen.body, QByteArray("payload"));

        const auto exchanges = captured(gw, 2);
        QCOMPARE(exchanges.size(), 2);
        QCOMPARE(exchanges[0].status, 407);
        const capture::Exchange &e = exchanges[1];
        QVERIFY(e.proxied);
        QCOMPARE(e.url, upstream.url(QStringLiteral("/orders?id=7")).toString());
        QCOMPARE(e.requestBody, QByteArray("payload"));
        QVERIFY(e.route.isEmpty());
        QVERIFY(!capture::headerValue(e.requestHeaders, "proxy-authorization")
                     .contains(QByteArray("app:s3cret").toBase64()));
        capture::CaptureReader reader;
        QVERIFY(reader.open(gw.dir().path(QStringLiteral("traffic.db"))));
        QCOMPARE(reader.count(*capture::FilterExpression::parse(QStringLiteral("proxied:true"))), 2);

        // A replay goes to the server the app called, not to the proxy (which would want absolute form).
        capture::Replayer replayer(gw.gateway().captureStore());
        QSignalSpy done(&replayer, &capture::Replayer::finished);
        replayer.replay(e, {});
        QVERIFY(done.wait(10000));
        const auto again = done.first().first().value<capture::Exchange>();
        QCOMPARE(again.status, 200);
        QVERIFY(again.proxied);
        QCOMPARE(upstream.lastRequest().path, QStringLiteral("/orders"));
        QCOMPARE(upstream.lastRequest().body, QByteArray("payload"));
    }

    // Routes that name hosts apply to proxied requests (a mock: "map local"); routes without a
    // host stay the gateway's own.
    void routesThatNameHostsApply()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        const QString problems = gw.start(proxyYaml({},
            QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), upstream)
                + QStringLiteral(
                    "routes:\n"
                    "  - {name: local-map, match: {hosts: [api.mapped.test], path: /}, mock: {status: 201, "
                    "body: mapped}}\n"
                    "  - {name: gateway-only, match: {path: /}, mock: {status: 299, body: wrong}}\n")));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const CurlResult mapped = curl({ "-x", proxyArg(gw) }, QStringLiteral("http://api.mapped.test/v1/x"));
        QVERIFY2(mapped.head.startsWith("HTTP/1.1 201"), mapped.head.constData());
        QCOMPARE(mapped.body, QByteArray("mapped"));
        const CurlResult direct = curl({ "-x", proxyArg(gw) }, upstream.url(QStringLiteral("/y")).toString());
        QVERIFY2(direct.head.startsWith("HTTP/1.1 200"), direct.head.constData());
        QCOMPARE(upstream.requestCount(), 1);
        const auto exchanges = captured(gw, 2);
        QCOMPARE(exchanges.size(), 2);
        QCOMPARE(exchanges[0].route, QStringLiteral("local-map"));
        QVERIFY(exchanges[0].proxied && exchanges[1].proxied);
    }

    // HTTPS through CONNECT is decrypted with a leaf from the local CA (created on first start),
    // the origin's certificate verified against upstream_ca; over HTTP/1.1 and HTTP/2 inside.
    void interceptsHttpsWithTheLocalCa()
    {
        LoopbackUpstream upstream(LoopbackUpstream::Options { true, QStringLiteral("secure") });
        QVERIFY(upstream.isRunning());
        GatewayHarness gw;
        QFile::copy(upstream.caCertPath(), gw.dir().path(QStringLiteral("origin-ca.pem")));
        const QString problems = gw.start(proxyYaml(
            QStringLiteral("  upstream_ca: origin-ca.pem\n"), {}, QStringLiteral("  http2: true\n")));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const QString ca = gw.dir().path(QStringLiteral("ca/portico-ca.pem"));
        QVERIFY(QFile::exists(ca));
        QVERIFY(QFile(gw.dir().path(QStringLiteral("ca/portico-ca-key.pem"))).permissions()
            == (QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser
                | QFileDevice::WriteUser));
        const QString url = QStringLiteral("https://localhost:%1/secure/path?q=1").arg(upstream.port());

        const CurlResult h1
            = curl({ "-x", proxyArg(gw), "--cacert", ca, "--http1.1", "--data-binary", "secret body" }, url);
        QVERIFY2(h1.head.contains(" 200"), h1.head.constData() + h1.error);
        QVERIFY(h1.body.contains("secret body")); // the echo
        const CurlResult h2 = curl({ "-x", proxyArg(gw), "--cacert", ca, "--http2" }, url);
        QVERIFY2(h2.head.contains("HTTP/2 200"), h2.head.constData() + h2.error);

        const auto exchanges = captured(gw, 2);
        QCOMPARE(exchanges.size(), 2); // the CONNECTs themselves are not rows: their requests are
        QCOMPARE(exchanges[0].url, url);
        QCOMPARE(exchanges[0].scheme, QStringLiteral("https"));
        QCOMPARE(exchanges[0].requestBody, QByteArray("secret body"));
        QVERIFY(exchanges[0].proxied);
        QCOMPARE(exchanges[0].protocol, QStringLiteral("HTTP/1.1"));
        QCOMPARE(exchanges[1].protocol, QStringLiteral("HTTP/2"));
        QCOMPARE(exchanges[1].status, 200);
        QVERIFY(exchanges[1].upstreamTarget.startsWith(QStringLiteral("https://localhost:")));
    }

    // An origin whose certificate does not verify: 502 to the app and a row saying why, never a
    // silent accept.
    void originThatFailsVerificationIs502()
    {
        LoopbackUpstream upstream(LoopbackUpstream::Options { true, QStringLiteral("untrusted") });
        GatewayHarness gw;
        const QString problems = gw.start(proxyYaml({}));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const QString ca = gw.dir().path(QStringLiteral("ca/portico-ca.pem"));
        const CurlResult r = curl({ "-x", proxyArg(gw), "--cacert", ca },
            QStringLiteral("https://localhost:%1/").arg(upstream.port()));
        QVERIFY2(r.head.contains(" 502"), r.head.constData() + r.error);
        QVERIFY2(r.body.contains("certificate"), r.body.constData());
        QCOMPARE(upstream.requestCount(), 0);
        const auto exchanges = captured(gw, 1);
        QCOMPARE(exchanges.size(), 1);
        QVERIFY2(exchanges[0].error.contains(QStringLiteral("certificate")), qPrintable(exchanges[0].error));
    }

    // A client that does not trust the leaf (or pins) fails its handshake: recorded with the
    // hint to add the host to passthrough. Passthrough hosts are relayed without decryption.
    void passthroughAndRejectedLeaves()
    {
        LoopbackUpstream upstream(LoopbackUpstream::Options { true, QStringLiteral("pinned") });
        GatewayHarness gw;
        const QString problems
            = gw.start(proxyYaml(QStringLiteral("  passthrough: [\"*.pinned.test\", 127.0.0.1]\n")));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const QString url = QStringLiteral("https://localhost:%1/").arg(upstream.port());
        const CurlResult rejected = curl({ "-x", proxyArg(gw) }, url); // no --cacert: refuses our leaf
        QVERIFY(rejected.exitCode != 0);
        QCOMPARE(upstream.requestCount(), 0);

        // Through passthrough the client talks TLS with the origin itself: its own CA works.
        const CurlResult relayed = curl({ "-x", proxyArg(gw), "--cacert", upstream.caCertPath() },
            QStringLiteral("https://127.0.0.1:%1/relayed").arg(upstream.port()));
        QVERIFY2(relayed.head.contains(" 200"), relayed.head.constData() + relayed.error);
        QCOMPARE(upstream.requestCount(), 1);

        QList<capture::Exchange> exchanges;
        QTRY_VERIFY_WITH_TIMEOUT((exchanges = captured(gw, 2)).size() == 2, 5000);
        QCOMPARE(exchanges[0].method, QStringLiteral("CONNECT"));
        QVERIFY2(exchanges[0].error.contains(QStringLiteral("refused Portico's certificate")),
            qPrintable(exchanges[0].error));
        QVERIFY(exchanges[0].notes.contains(QStringLiteral("proxy.passthrough")));
        QCOMPARE(exchanges[1].method, QStringLiteral("CONNECT"));
        QCOMPARE(exchanges[1].status, 200);
        QVERIFY(exchanges[1].notes.contains(QStringLiteral("without decryption")));
        QVERIFY(exchanges[1].requestBytes > 200 && exchanges[1].responseBytes > 200);
        QVERIFY(exchanges[0].proxied && exchanges[1].proxied);
    }

    // Plain HTTP inside a CONNECT tunnel is parsed as HTTP and captured like any request.
    void plainHttpInsideConnect()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QVERIFY(gw.start(proxyYaml({})).isEmpty());
        const CurlResult r
            = curl({ "-x", proxyArg(gw), "-p" }, upstream.url(QStringLiteral("/tunnelled")).toString());
        QVERIFY2(r.head.contains(" 200"), r.head.constData() + r.error);
        QCOMPARE(upstream.lastRequest().path, QStringLiteral("/tunnelled"));
        const auto exchanges = captured(gw, 1);
        QCOMPARE(exchanges.size(), 1);
        QVERIFY2(exchanges[0].path == QStringLiteral("/tunnelled"),
            qPrintable(exchanges[0].notes + exchanges[0].error));
        QVERIFY(exchanges[0].proxied);
    }

    // Hostile and refused targets: the right 4xx/5xx, and nothing reached.
    void refusesWhatItMustNotReach()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QVERIFY(gw.start(proxyYaml({})).isEmpty());
        const quint16 proxyPort = quint16(gw.gateway().proxyUrl().port());
        const auto raw = [&](const QByteArray &request) {
            RawClient c;
            if (!c.connectTo(QStringLiteral("127.0.0.1"), proxyPort))
                return 0;
            return c.roundTrip(request).status;
        };
        QCOMPARE(raw("CONNECT 127.0.0.1:25 HTTP/1.1\r\nHost: 127.0.0.1:25\r\n\r\n"), 403); // SMTP
        QCOMPARE(
            raw("CONNECT 127.0.0.1:" + QByteArray::number(proxyPort) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 403);
        QCOMPARE(
            raw("CONNECT 127.0.0.1:" + QByteArray::number(gw.port()) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 403);
        QCOMPARE(
            raw("GET http://127.0.0.1:" + QByteArray::number(gw.port()) + "/ HTTP/1.1\r\nHost: x\r\n\r\n"),
            403);
        QCOMPARE(raw("GET http://no-such-host.invalid/ HTTP/1.1\r\nHost: x\r\n\r\n"), 502);
        QCOMPARE(raw("GET /origin-form HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
        for (const QByteArray &target : { QByteArray("example.com"), QByteArray("[::1:443"),
                 QByteArray("host:99999"), QByteArray("*.example.com:443"), QByteArray("user@host:443"),
                 QByteArray("host:0"), QByteArray(":443") }) {
            QVERIFY2(raw("CONNECT " + target + " HTTP/1.1\r\nHost: x\r\n\r\n") == 400, target.constData());
        }
        QCOMPARE(raw("GET http://user:pw@127.0.0.1:" + QByteArray::number(upstream.port())
                     + "/ HTTP/1.1\r\nHost: x\r\n\r\n"),
            400);
        QCOMPARE(upstream.requestCount(), 0);
        // A CONNECT to an address where nothing listens: 502.
        QCOMPARE(raw("CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: x\r\n\r\n"), 403); // discard: a bad port
        const auto exchanges = captured(gw, 15);
        QCOMPARE(exchanges.size(), 15);
        for (const capture::Exchange &e : exchanges)
            QVERIFY(e.proxied);
    }

    // WebSocket through the proxy: an absolute-form upgrade, and one inside a CONNECT tunnel.
    void webSocketThroughBothForms()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QVERIFY(gw.start(proxyYaml({})).isEmpty());
        const quint16 proxyPort = quint16(gw.gateway().proxyUrl().port());
        const QByteArray key = "dGhlIHNhbXBsZSBub25jZQ==";
        const QByteArray authority = upstream.hostPort().toLatin1();
        const QByteArray upgrade = "Host: " + authority
            + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: "
              "13\r\nSec-WebSocket-Key: "
            + key + "\r\n\r\n";
        for (const bool tunnelled : { false, true }) {
            RawClient client;
            QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), proxyPort));
            if (tunnelled) {
                QVERIFY(client.send("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n"));
                const RawResponse established = client.readResponse(5000, true);
                QCOMPARE(established.status, 200);
                QVERIFY(client.send("GET /ws HTTP/1.1\r\n" + upgrade));
            } else {
                QVERIFY(client.send("GET http://" + authority + "/ws HTTP/1.1\r\n" + upgrade));
            }
            const RawResponse handshake = client.readResponse(5000);
            QVERIFY2(handshake.complete, qPrintable(handshake.error));
            QCOMPARE(handshake.status, 101);
            QCOMPARE(handshake.header("sec-websocket-accept"), WebSocketFrame::acceptKey(key));
            WebSocketFrame text;
            text.payload = tunnelled ? "inside a tunnel" : "absolute form";
            QVERIFY(client.send(text.encode(true)));
            QByteArray buffer;
            WebSocketFrame echoed;
            QElapsedTimer timer;
            timer.start();
            while (WebSocketFrame::decode(buffer, &echoed) <= 0 && timer.elapsed() < 5000)
                buffer += client.readExactly(1, 5000);
            QCOMPARE(echoed.payload, text.payload);
        }
    }

    // A proxy other machines can reach needs credentials; ports may not clash.
    void refusesAnOpenProxy()
    {
        GatewayHarness gw;
        QStringList problems;
        QVERIFY(!gw.load(QStringLiteral("version: 1\nproxy: {listen: 0.0.0.0:8888}\n"), {}, &problems));
        QVERIFY2(
            problems.join(u'\n').contains(QStringLiteral("proxy.auth")), qPrintable(problems.join(u'\n')));
        problems.clear();
        QVERIFY(!gw.load(
            QStringLiteral("version: 1\ngateway: {listen: [127.0.0.1:8080]}\nproxy: {listen: 127.0.0.1:8080, "
                           "passthrough: ['*', 'a b']}\n"),
            {}, &problems));
        const QString all = problems.join(u'\n');
        QVERIFY2(all.contains(QStringLiteral("gateway.listen port")), qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("not a host name")), qPrintable(all));
    }
};

QTEST_MAIN(TestGatewayForwardProxy)
#include "tst_gateway_forward_proxy.moc"
