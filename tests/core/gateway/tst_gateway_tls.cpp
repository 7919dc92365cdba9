// TLS on both sides: an HTTPS listener (gateway.tls) and https:// upstream targets whose
// certificates are verified. The upstream's certificate is self-signed, so it is trusted by adding
// it to the process-wide default TLS configuration, which each upstream copies when the config is
// compiled (the workspace has no per-upstream CA setting yet).
#include "GatewayHarness.h"
#include "support/SelfSignedCert.h"
#include "support/TrustedCa.h"

#include <QElapsedTimer>
#include <QSslConfiguration>
#include <QTcpSocket>
#include <QTest>

using namespace portico;
using namespace portico::test;

namespace {

QString routesTo(const QString &upstream)
{
    return QStringLiteral("routes:\n  - {name: all, match: {path: /}, upstream: %1}\n").arg(upstream);
}

} // namespace

class TestGatewayTls : public QObject
{
    Q_OBJECT

private:
    // Starts `gw` with an HTTPS listener on a fresh self-signed certificate; returns the CA path.
    // The certificate's subject is CN=gateway.test so that it never shares a subject name with the
    // upstream's (CN=localhost): OpenSSL looks trust anchors up by subject, and two different
    // self-signed anchors with one name make it pick the wrong one.
    QString startTlsListener(GatewayHarness &gw, const QString &upstreamsAndRoutes)
    {
        SelfSignedCert::Files files;
        QString error;
        if (!SelfSignedCert::write(gw.dir().dir(), &files, &error,
                { QStringLiteral("gateway.test"), QStringLiteral("127.0.0.1") })) {
            qWarning("%s", qPrintable(error));
            return {};
        }
        const QString yaml
            = gatewayHeader(QStringLiteral("  tls: {cert: cert.pem, key: key.pem}\n")) + upstreamsAndRoutes;
        const QString problems = gw.start(yaml);
        if (!problems.isEmpty()) {
            qWarning("%s", qPrintable(problems));
            return {};
        }
        return files.certPath;
    }

private Q_SLOTS:
    void httpsListener()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        const QString ca = startTlsListener(gw,
            QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), upstream)
                + routesTo(QStringLiteral("up")));
        QVERIFY(!ca.isEmpty());
        QCOMPARE(gw.gateway().listenUrls().first().scheme(), QStringLiteral("https"));

        RawClient client;
        QVERIFY2(
            client.connectTls(QStringLiteral("127.0.0.1"), gw.port(), ca), qPrintable(client.errorString()));
        for (int i = 0; i < 3; ++i) {
            const RawResponse r = client.roundTrip(httpRequest("POST", "/secure", {}, "over tls", true));
            QVERIFY2(r.complete, qPrintable(r.error));
            QCOMPARE(r.status, 200);
            const QJsonObject echo = jsonOf(r);
            QCOMPARE(echo.value(QStringLiteral("body")).toString(), QStringLiteral("over tls"));
            QCOMPARE(echo.value(QStringLiteral("headers"))
                         .toObject()
                         .value(QStringLiteral("x-forwarded-proto"))
                         .toString(),
                QStringLiteral("https"));
        }
        QCOMPARE(upstream.connectionCount(), 1);

        // A large body to a client that asked to close: the end is not lost to the close.
        {
            RawClient closing;
            QVERIFY(closing.connectTls(QStringLiteral("127.0.0.1"), gw.port(), ca));
            const RawResponse big = closing.roundTrip(httpRequest("GET", "/big?body_bytes=3000000"), 10000);
            QVERIFY2(big.complete, qPrintable(big.error));
            QCOMPARE(big.body.size(), 3000000);
        }

        // Streaming works through the TLS transport too.
        const RawResponse chunks
            = client.roundTrip(httpRequest("GET", "/c?chunks=3&interval=10ms", {}, {}, true));
        QCOMPARE(chunks.body, QByteArray("chunk 0\nchunk 1\nchunk 2\n"));
    }

    void slowTlsReaderWithConnectionClose()
    {
        // The end of the response sits in the TLS socket's encrypted buffer when the plaintext
        // queue empties; the connection must still close only after it is out.
        LoopbackUpstream upstream;
        GatewayHarness gw;
        const QString ca = startTlsListener(gw,
            QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), upstream)
                + routesTo(QStringLiteral("up")));
        QVERIFY(!ca.isEmpty());
        RawClient client;
        QVERIFY(client.connectTls(QStringLiteral("127.0.0.1"), gw.port(), ca));
        const qint64 size = 6 * 1024 * 1024;
        QVERIFY(client.send(httpRequest("GET", "/big?body_bytes=" + QByteArray::number(size))));
        QTest::qWait(700);
        QElapsedTimer timer;
        timer.start();
        const RawResponse r = client.readResponse(20000);
        QVERIFY2(r.complete, qPrintable(r.error));
        QCOMPARE(r.body.size(), size);
        QVERIFY2(timer.elapsed() < 10000, qPrintable(QString::number(timer.elapsed())));
    }

    void plainHttpOnTheHttpsListenerGetsNoHttpAnswer()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        const QString ca = startTlsListener(gw,
            QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), upstream)
                + routesTo(QStringLiteral("up")));
        QVERIFY(!ca.isEmpty());
        RawClient plain;
        QVERIFY(plain.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QVERIFY(plain.send(httpRequest("GET", "/x")));
        const QByteArray got = plain.readUntilClosed(3000);
        QVERIFY2(!got.startsWith("HTTP/1.1 200"), got.constData());
        QCOMPARE(upstream.requestCount(), 0);
        // The listener is unharmed.
        RawClient client;
        QVERIFY(client.connectTls(QStringLiteral("127.0.0.1"), gw.port(), ca));
        QCOMPARE(client.roundTrip(httpRequest("GET", "/x")).status, 200);
    }

    void untrustedUpstreamCertificateIs502()
    {
        LoopbackUpstream upstream({ true, QStringLiteral("tls-up") });
        QVERIFY2(upstream.isRunning(), qPrintable(upstream.errorString()));
        QCOMPARE(upstream.url().scheme(), QStringLiteral("https"));
        GatewayHarness gw;
        QCOMPARE(gw.start(gatewayHeader() + QStringLiteral("upstreams:\n")
                     + upstreamEntry(QStringLiteral("up"), upstream) + routesTo(QStringLiteral("up"))),
            QString());
        const RawResponse r = gw.get("/x");
        QCOMPARE(r.status, 502);
        QCOMPARE(r.header("content-type"), QByteArray("application/problem+json"));
        QCOMPARE(upstream.requestCount(), 0); // the handshake failed: no request was sent
    }

    void trustedHttpsUpstream()
    {
        LoopbackUpstream upstream({ true, QStringLiteral("tls-up") });
        QVERIFY(upstream.isRunning());
        TrustedCa trust(upstream.caCertPath());
        QVERIFY(trust.ok());
        GatewayHarness gw;
        QCOMPARE(gw.start(gatewayHeader() + QStringLiteral("upstreams:\n")
                     + upstreamEntry(QStringLiteral("up"), upstream) + routesTo(QStringLiteral("up"))),
            QString());
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        for (int i = 0; i < 3; ++i) {
            const RawResponse r
                = client.roundTrip(httpRequest("PUT", "/t/" + QByteArray::number(i), {}, "secret", true));
            QVERIFY2(r.complete, qPrintable(r.error));
            QCOMPARE(r.status, 200);
            QCOMPARE(r.header("x-upstream-name"), QByteArray("tls-up"));
            QCOMPARE(jsonOf(r).value(QStringLiteral("body")).toString(), QStringLiteral("secret"));
        }
        // The pool keeps TLS connections too: one handshake for all three.
        QCOMPARE(upstream.connectionCount(), 1);
        QCOMPARE(upstream.lastRequest().header("host"), upstream.hostPort().toLatin1());
    }

    void tlsOnBothSides()
    {
        LoopbackUpstream upstream({ true, QStringLiteral("tls-up") });
        TrustedCa trust(upstream.caCertPath());
        GatewayHarness gw;
        const QString ca = startTlsListener(gw,
            QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), upstream)
                + routesTo(QStringLiteral("up")));
        QVERIFY(!ca.isEmpty());
        RawClient client;
        QVERIFY2(
            client.connectTls(QStringLiteral("127.0.0.1"), gw.port(), ca), qPrintable(client.errorString()));
        const RawResponse r = client.roundTrip(httpRequest("GET", "/events?sse=2&interval=10ms"));
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.contains("\"n\":1"));
    }

    // Hostile clients on a TLS listener: one that stops in the middle of its ClientHello is
    // closed by header_timeout (the handshake counts as part of the head), one that sends
    // garbage instead of a hello is closed at once; neither holds a worker up meanwhile.
    void stalledOrGarbageHandshakesAreClosed()
    {
        SelfSignedCert::Files files;
        GatewayHarness gw;
        QVERIFY(SelfSignedCert::write(gw.dir().dir(), &files));
        const QString problems
            = gw.start(gatewayHeader(QStringLiteral("  tls: {cert: cert.pem, key: key.pem}\n"
                                                    "  limits: {header_timeout: 300ms}\n"))
                + QStringLiteral("routes:\n  - {name: m, match: {path: /}, mock: {status: 200}}\n"));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        QTcpSocket stalled;
        stalled.connectToHost(QHostAddress::LocalHost, gw.port());
        QVERIFY(stalled.waitForConnected(5000));
        stalled.write(QByteArray::fromHex("160301020001")); // a record header announcing 512 bytes
        QTcpSocket garbage;
        garbage.connectToHost(QHostAddress::LocalHost, gw.port());
        QVERIFY(garbage.waitForConnected(5000));
        garbage.write("GET / HTTP/1.1\r\nHost: plain\r\n\r\n");
        QElapsedTimer timer;
        timer.start();
        QTRY_COMPARE_WITH_TIMEOUT(garbage.state(), QAbstractSocket::UnconnectedState, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(stalled.state(), QAbstractSocket::UnconnectedState, 5000);
        QVERIFY2(timer.elapsed() >= 200,
            QByteArray::number(timer.elapsed()).constData()); // not before the timeout
        // Meanwhile and after, real clients are served.
        RawClient client;
        QVERIFY2(client.connectTls(QStringLiteral("127.0.0.1"), gw.port(), files.certPath),
            qPrintable(client.errorString()));
        const RawResponse r = client.roundTrip(httpRequest("GET", "/"));
        QCOMPARE(r.status, 200);
    }

    void unreadableListenerCertificateIsAnError()
    {
        GatewayHarness gw;
        gw.dir().writeFile(QStringLiteral("cert.pem"), QByteArray("not a certificate"));
        gw.dir().writeFile(QStringLiteral("key.pem"), QByteArray("not a key"));
        const QString problems
            = gw.start(gatewayHeader(QStringLiteral("  tls: {cert: cert.pem, key: key.pem}\n"))
                + QStringLiteral("routes:\n  - {name: m, match: {path: /}, mock: {status: 200}}\n"));
        QVERIFY(problems.contains(QStringLiteral("gateway.tls")));
        QVERIFY(!gw.gateway().isRunning());
    }
};

QTEST_GUILESS_MAIN(TestGatewayTls)
#include "tst_gateway_tls.moc"
