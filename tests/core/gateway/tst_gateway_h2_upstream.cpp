// HTTP/2 to upstreams (upstreams.*.protocol h2c and h2): exchanges multiplexed on pooled
// connections, against two real HTTP/2 servers: a second Portico with gateway.http2 on (h2c, in
// front of an HTTP/1.1 echo upstream) and nghttpd from nghttp2-server (h2c, and h2 over TLS with
// ALPN). HTTP/1.1 and HTTP/2 clients both reach them; targets that do not speak HTTP/2 get a 502.
#include "GatewayHarness.h"
#include "support/CurlClient.h"
#include "support/SelfSignedCert.h"
#include "support/TrustedCa.h"

#include <QDir>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace portico;
using namespace portico::test;

namespace {

QString routeTo(const QString &upstream, const QString &extra = {})
{
    return QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: %1%2}\n")
        .arg(upstream, extra);
}

// An HTTP/2-only upstream: Portico with gateway.http2 on, in front of an HTTP/1.1 echo server.
// `maxConnections` bounds the connections it accepts, to show what the front gateway multiplexes.
QString startInner(GatewayHarness &inner, const LoopbackUpstream &echo, int maxConnections = 64)
{
    return inner.start(
        gatewayHeader(QStringLiteral("  http2: true\n  limits: {max_connections: %1}\n").arg(maxConnections))
        + QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("echo"), echo)
        + routeTo(QStringLiteral("echo")));
}

QString h2cUpstream(quint16 port, const QString &extra = {})
{
    return QStringLiteral(
        "upstreams:\n  inner:\n    targets: [{url: http://127.0.0.1:%1}]\n    protocol: h2c\n%2")
        .arg(port)
        .arg(extra);
}

// One worker in front: one pool, so one connection carries everything at once.
QString oneWorker()
{
    return QStringLiteral("version: 1\ngateway:\n  listen: 127.0.0.1:0\n  workers: 1\n"
                          "capture: {enabled: false}\nadmin: {enabled: false}\n");
}

quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

// nghttpd serving `docroot` on a free port: cleartext h2c, or TLS (ALPN h2) with `cert`/`key`.
class Nghttpd
{
public:
    Nghttpd(const QString &docroot, const SelfSignedCert::Files *tls = nullptr, const QStringList &extra = {})
    {
        m_port = freePort();
        QStringList args { QStringLiteral("-d"), docroot, QStringLiteral("-a"), QStringLiteral("127.0.0.1") };
        args << extra;
        if (!tls)
            args << QStringLiteral("--no-tls") << QString::number(m_port);
        else
            args << QString::number(m_port) << tls->keyPath << tls->certPath;
        m_process.start(QStringLiteral("nghttpd"), args);
        m_process.waitForStarted(5000);
        // Ready once it accepts connections.
        QDeadlineTimer deadline(10'000);
        while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(200)) {
                m_ready = true;
                break;
            }
            QTest::qWait(50);
        }
    }
    ~Nghttpd()
    {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    Nghttpd(const Nghttpd &) = delete;
    Nghttpd &operator=(const Nghttpd &) = delete;
    bool ready() const { return m_ready; }
    quint16 port() const { return m_port; }
    QByteArray output() { return m_process.readAll(); }

private:
    QProcess m_process;
    quint16 m_port = 0;
    bool m_ready = false;
};

} // namespace

class TestGatewayH2Upstream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(
                QStringLiteral("nghttpd"), { QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin") })
                .isEmpty()
            || QStandardPaths::findExecutable(QStringLiteral("h2load")).isEmpty())
            QFAIL("nghttpd (nghttp2-server) and h2load (nghttp2-client) are needed: bash "
                  "packaging/install-deps.sh");
    }

    void http1ClientsReachAnH2cUpstream()
    {
        LoopbackUpstream echo;
        GatewayHarness inner;
        QVERIFY2(startInner(inner, echo).isEmpty(), "inner gateway did not start");
        GatewayHarness gw;
        const QString problems
            = gw.start(gatewayHeader() + h2cUpstream(inner.port()) + routeTo(QStringLiteral("inner")));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));

        const RawResponse get
            = gw.get("/users?page=2", { { "X-Trace-Me", "yes" }, { "Cookie", "a=1; b=2" } });
        QVERIFY2(get.complete, qPrintable(get.error));
        QCOMPARE(get.status, 200);
        const QJsonObject echoed = jsonOf(get);
        QCOMPARE(echoed.value(QStringLiteral("path")).toString(), QStringLiteral("/users"));
        QCOMPARE(echoed.value(QStringLiteral("query")).toString(), QStringLiteral("page=2"));
        const QJsonObject headers = echoed.value(QStringLiteral("headers")).toObject();
        QCOMPARE(headers.value(QStringLiteral("x-trace-me")).toString(), QStringLiteral("yes"));
        QCOMPARE(headers.value(QStringLiteral("cookie")).toString(), QStringLiteral("a=1; b=2"));
        // Both gateways added their hop: the client, then the front gateway, in X-Forwarded-For.
        QCOMPARE(headers.value(QStringLiteral("x-forwarded-for")).toString(),
            QStringLiteral("127.0.0.1, 127.0.0.1"));
        QCOMPARE(headers.value(QStringLiteral("x-forwarded-host")).toString(),
            QStringLiteral("127.0.0.1:%1").arg(inner.port()));

        // A request body (streamed as DATA frames) and a large answer (more than the stream window).
        const QByteArray payload(300 * 1024, 'p');
        const RawResponse post = gw.request("POST", "/upload", payload, { { "Content-Type", "text/plain" } });
        QCOMPARE(post.status, 200);
        QCOMPARE(jsonOf(post).value(QStringLiteral("body")).toString().size(), payload.size());
        const RawResponse big = gw.get("/big?body_bytes=3000000");
        QCOMPARE(big.status, 200);
        QCOMPARE(big.body.size(), 3000000);

        const RawResponse head = gw.request("HEAD", "/users");
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());

        // The inner gateway's own errors come back as they are.
        const RawResponse status = gw.get("/s?status=418");
        QCOMPARE(status.status, 418);
    }

    void streamsShareOneConnection()
    {
        // The inner gateway accepts one connection: everything the front gateway sends at once
        // must be streams on it.
        LoopbackUpstream echo;
        GatewayHarness inner;
        QVERIFY(startInner(inner, echo, 1).isEmpty());
        GatewayHarness gw;
        QVERIFY(
            gw.start(oneWorker() + h2cUpstream(inner.port()) + routeTo(QStringLiteral("inner"))).isEmpty());
        QProcess h2load;
        h2load.start(QStringLiteral("h2load"),
            { "--h1", "-n", "400", "-c", "16", QStringLiteral("http://127.0.0.1:%1/load").arg(gw.port()) });
        QVERIFY(h2load.waitForFinished(60000));
        const QByteArray out = h2load.readAllStandardOutput();
        QVERIFY2(out.contains("400 succeeded, 0 failed, 0 errored"), out.constData());
        QVERIFY2(out.contains("status codes: 400 2xx"), out.constData());
    }

    void http2ClientsToAnH2cUpstream()
    {
        LoopbackUpstream echo;
        GatewayHarness inner;
        QVERIFY(startInner(inner, echo).isEmpty());
        GatewayHarness gw;
        QVERIFY(gw.start(gatewayHeader(QStringLiteral("  http2: true\n")) + h2cUpstream(inner.port())
                      + routeTo(QStringLiteral("inner")))
                    .isEmpty());
        QProcess h2load;
        h2load.start(QStringLiteral("h2load"),
            { "-n", "300", "-c", "3", "-m", "20", QStringLiteral("http://127.0.0.1:%1/api").arg(gw.port()) });
        QVERIFY(h2load.waitForFinished(60000));
        const QByteArray out = h2load.readAllStandardOutput();
        QVERIFY2(out.contains("300 succeeded, 0 failed, 0 errored"), out.constData());
        QVERIFY2(out.contains("status codes: 300 2xx"), out.constData());
    }

    void featuresOverHttp2BothWays()
    {
        // An HTTP/2 client, an h2c upstream, and the pipeline's features between them: API-key
        // auth (401 and pass), a request header set, a response JSON field removed, a rate limit
        // with its headers and 429, an aggregate whose parts go over h2c, a mock.
        LoopbackUpstream echo;
        GatewayHarness inner;
        QVERIFY(startInner(inner, echo).isEmpty());
        GatewayHarness gw;
        const QString yaml = gatewayHeader(QStringLiteral("  http2: true\n")) + h2cUpstream(inner.port())
            + QStringLiteral(
                "consumers:\n  - {name: alice, api_keys: [alice-key]}\n"
                "auth:\n  keys: {type: api_key, header: X-API-Key}\n"
                "routes:\n"
                "  - name: api\n    match: {path: /api}\n    upstream: inner\n    auth: [keys]\n"
                "    rate_limit: {requests: 3, per: 1m, by: consumer}\n"
                "    request: {headers: {set: {X-Gateway: portico}}}\n"
                "    response: {json: {remove: [method]}}\n"
                "  - name: both\n    match: {path_exact: /both}\n    aggregate:\n"
                "      - {key: one, upstream: inner, path: /one}\n"
                "      - {key: two, upstream: inner, path: /two}\n"
                "  - {name: hello, match: {path_exact: /hello}, mock: {status: 200, body: hi}}\n");
        const QString problems = gw.start(yaml);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(gw.port());
        const QStringList h2 { "--http2-prior-knowledge" };

        const CurlResult anonymous = curl(h2, base + QStringLiteral("/api/x"));
        QVERIFY2(anonymous.head.startsWith("HTTP/2 401"), anonymous.head.constData());
        const CurlResult ok
            = curl(h2 + QStringList { "-H", "X-API-Key: alice-key" }, base + QStringLiteral("/api/x"));
        QVERIFY2(ok.head.startsWith("HTTP/2 200"), ok.head.constData());
        QVERIFY2(ok.head.contains("ratelimit-remaining: 2") || ok.head.contains("ratelimit: "),
            ok.head.constData());
        const QJsonObject echoed = QJsonDocument::fromJson(ok.body).object();
        QVERIFY2(!echoed.contains(QStringLiteral("method")), ok.body.constData());
        const QJsonObject headers = echoed.value(QStringLiteral("headers")).toObject();
        QCOMPARE(headers.value(QStringLiteral("x-gateway")).toString(), QStringLiteral("portico"));
        // (X-Consumer-Name does not reach the echo: the inner gateway drops it as forgeable.)
        for (int i = 0; i < 2; ++i)
            curl(h2 + QStringList { "-H", "X-API-Key: alice-key" }, base + QStringLiteral("/api/x"));
        const CurlResult limited
            = curl(h2 + QStringList { "-H", "X-API-Key: alice-key" }, base + QStringLiteral("/api/x"));
        QVERIFY2(limited.head.startsWith("HTTP/2 429"), limited.head.constData());

        const CurlResult both = curl(h2, base + QStringLiteral("/both"));
        QVERIFY2(both.head.startsWith("HTTP/2 200"), both.head.constData());
        const QJsonObject parts = QJsonDocument::fromJson(both.body).object();
        QCOMPARE(parts.value(QStringLiteral("one")).toObject().value(QStringLiteral("path")).toString(),
            QStringLiteral("/one"));
        QCOMPARE(parts.value(QStringLiteral("two")).toObject().value(QStringLiteral("path")).toString(),
            QStringLiteral("/two"));

        const CurlResult mock = curl(h2, base + QStringLiteral("/hello"));
        QVERIFY2(mock.head.startsWith("HTTP/2 200"), mock.head.constData());
        QCOMPARE(mock.body, QByteArray("hi"));
    }

    void timeoutResetsOneStreamOnly()
    {
        LoopbackUpstream echo;
        GatewayHarness inner;
        QVERIFY(startInner(inner, echo, 1).isEmpty());
        GatewayHarness gw;
        QVERIFY(gw.start(oneWorker() + h2cUpstream(inner.port())
                      + routeTo(QStringLiteral("inner"), QStringLiteral(", timeout: 300ms")))
                    .isEmpty());
        const RawResponse slow = gw.get("/slow?delay=3s");
        QCOMPARE(slow.status, 504);
        // The connection (the inner gateway's only one) carries on.
        for (int i = 0; i < 3; ++i)
            QCOMPARE(gw.get("/fast").status, 200);
    }

    void nghttpdCleartextAndTls()
    {
        GatewayHarness gw;
        const QString docroot = gw.dir().dir() + QStringLiteral("/www");
        QVERIFY(QDir().mkpath(docroot));
        QByteArray content;
        for (int i = 0; i < 20000; ++i)
            content += "line " + QByteArray::number(i) + '\n';
        gw.dir().writeFile(QStringLiteral("www/data.txt"), content);

        Nghttpd clear(docroot);
        QVERIFY2(clear.ready(), clear.output().constData());
        SelfSignedCert::Files files;
        QVERIFY(SelfSignedCert::write(gw.dir().dir(), &files));
        Nghttpd tls(docroot, &files);
        QVERIFY2(tls.ready(), tls.output().constData());
        TrustedCa trust(files.certPath);
        QVERIFY(trust.ok());

        const QString yaml = gatewayHeader()
            + QStringLiteral("upstreams:\n"
                             "  clear:\n    targets: [{url: http://127.0.0.1:%1}]\n    protocol: h2c\n"
                             "  secure:\n    targets: [{url: https://localhost:%2}]\n    protocol: h2\n"
                             "routes:\n"
                             "  - {name: c, match: {path: /c}, upstream: clear, strip_prefix: true}\n"
                             "  - {name: s, match: {path: /s}, upstream: secure, strip_prefix: true}\n")
                  .arg(clear.port())
                  .arg(tls.port());
        const QString problems = gw.start(yaml);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        for (const char *prefix : { "/c", "/s" }) {
            for (int i = 0; i < 3; ++i) {
                const RawResponse r = gw.get(QByteArray(prefix) + "/data.txt");
                QVERIFY2(r.complete, qPrintable(r.error));
                QCOMPARE(r.status, 200);
                QCOMPARE(r.body, content);
            }
            QCOMPARE(gw.get(QByteArray(prefix) + "/missing").status, 404);
        }
    }

    void healthChecksSpeakHttp2()
    {
        // nghttpd speaks only HTTP/2: a probe in HTTP/1.1 would fail, mark the target down
        // (unhealthy_after: 1) and the request after it would get a 503.
        GatewayHarness gw;
        const QString docroot = gw.dir().dir() + QStringLiteral("/www");
        QVERIFY(QDir().mkpath(docroot));
        gw.dir().writeFile(QStringLiteral("www/healthz"), QByteArray("ok"));
        gw.dir().writeFile(QStringLiteral("www/page"), QByteArray("page"));
        Nghttpd server(docroot, nullptr, { QStringLiteral("-v") });
        QVERIFY(server.ready());
        QVERIFY(gw.start(gatewayHeader()
                      + h2cUpstream(server.port(),
                          QStringLiteral("    health_check: {path: /healthz, interval: 100ms, "
                                         "unhealthy_after: 1, healthy_after: 1}\n"))
                      + routeTo(QStringLiteral("inner")))
                    .isEmpty());
        QByteArray log;
        QTRY_VERIFY_WITH_TIMEOUT((log += server.output()).count("/healthz") >= 2, 5000);
        const RawResponse r = gw.get("/page");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("page"));
    }

    void trailersPassThrough()
    {
        // gRPC's status comes in trailers: an HTTP/2 client gets them as trailing HEADERS, an
        // HTTP/1.1 client in the last chunk of a chunked body.
        GatewayHarness gw;
        const QString docroot = gw.dir().dir() + QStringLiteral("/www");
        QVERIFY(QDir().mkpath(docroot));
        gw.dir().writeFile(QStringLiteral("www/reply.bin"), QByteArray(5000, 'r'));
        Nghttpd server(docroot, nullptr,
            { QStringLiteral("--trailer=x-checksum: abc123"), QStringLiteral("--no-content-length") });
        QVERIFY2(server.ready(), server.output().constData());
        QVERIFY(gw.start(gatewayHeader(QStringLiteral("  http2: true\n")) + h2cUpstream(server.port())
                      + routeTo(QStringLiteral("inner")))
                    .isEmpty());
        const QString url = QStringLiteral("http://127.0.0.1:%1/reply.bin").arg(gw.port());
        const CurlResult h2 = curl({ "--http2-prior-knowledge" }, url);
        QVERIFY2(h2.exitCode == 0, h2.error.constData());
        QVERIFY2(h2.head.startsWith("HTTP/2 200"), h2.head.constData());
        QVERIFY2((h2.head + h2.body).contains("x-checksum: abc123"), (h2.head + h2.body).constData());
        const CurlResult h1 = curl({ "--http1.1" }, url);
        QVERIFY2(h1.exitCode == 0, h1.error.constData());
        QVERIFY2(
            h1.head.contains("transfer-encoding: chunked") || h1.head.contains("Transfer-Encoding: chunked"),
            h1.head.constData());
        QVERIFY2((h1.head + h1.body).contains("x-checksum: abc123"), (h1.head + h1.body).constData());
    }

    void silentUpstreamIsReplaced()
    {
        // Accepts and never says a word: no SETTINGS, so the session is given up after the
        // connect timeout and the next request opens a new connection instead of waiting on it.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        QList<QTcpSocket *> accepted;
        connect(&silent, &QTcpServer::newConnection, &silent,
            [&] { accepted << silent.nextPendingConnection(); });
        GatewayHarness gw;
        QVERIFY(gw.start(oneWorker()
                      + h2cUpstream(silent.serverPort(), QStringLiteral("    timeouts: {connect: 200ms}\n"))
                      + routeTo(QStringLiteral("inner"), QStringLiteral(", timeout: 2s")))
                    .isEmpty());
        const RawResponse a = gw.get("/a");
        QCOMPARE(a.status, 502);
        QVERIFY2(a.body.contains("no HTTP/2 SETTINGS within the connect timeout"), a.body.constData());
        QTRY_COMPARE(accepted.size(), 1);
        QCOMPARE(gw.get("/b").status, 502);
        QTRY_COMPARE(accepted.size(), 2);
    }

    void targetsThatDoNotSpeakHttp2Are502()
    {
        // HTTP/1.1 only, in clear and over TLS (its ALPN offers no h2).
        LoopbackUpstream plain;
        LoopbackUpstream secure({ true, QStringLiteral("tls-up") });
        TrustedCa trust(secure.caCertPath());
        GatewayHarness gw;
        const QString yaml = gatewayHeader()
            + QStringLiteral("upstreams:\n"
                             "  plain:\n    targets: [{url: %1}]\n    protocol: h2c\n"
                             "  secure:\n    targets: [{url: %2}]\n    protocol: h2\n"
                             "routes:\n"
                             "  - {name: p, match: {path: /p}, upstream: plain}\n"
                             "  - {name: s, match: {path: /s}, upstream: secure}\n")
                  .arg(plain.url().toString(), secure.url().toString());
        QVERIFY(gw.start(yaml).isEmpty());
        const RawResponse p = gw.get("/p");
        QCOMPARE(p.status, 502);
        const RawResponse s = gw.get("/s");
        QCOMPARE(s.status, 502);
        // This server refuses the handshake (its ALPN list has only http/1.1); one that ignores
        // ALPN gets "did not agree to HTTP/2".
        QVERIFY2(s.body.contains("HTTP/2"), s.body.constData());
        // Nothing leaks into the next request: the gateway still answers.
        QCOMPARE(gw.get("/p").status, 502);
    }
};

QTEST_MAIN(TestGatewayH2Upstream)
#include "tst_gateway_h2_upstream.moc"
