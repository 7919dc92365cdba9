// gRPC-Web through the gateway: curl (HTTP/1.1 and HTTP/2 with prior knowledge) is the gRPC-Web
// client, Portico translates to native gRPC for a python3-grpcio server behind an h2c upstream
// (tests/core/gateway/grpc_peer.py), and back. Neither peer is our code. Unary calls, an error
// status (a trailers-only answer), server streaming that arrives as it is produced, the -text
// (base64) variants, hostile bodies and unrouted calls refused
// with a gRPC status in a trailers-only head, and what the capture records.
#include "FilterItKit.h"
#include "core/gateway/grpc/GrpcWeb.h"
#include "support/Python.h"

#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtEndian>

using namespace portico;
using namespace portico::test;
namespace gw = portico::gateway::grpc;

namespace {

QByteArray frame(const QByteArray &payload)
{
    QByteArray f(gw::kFrameHeader, Qt::Uninitialized);
    f[0] = 0;
    qToBigEndian<quint32>(quint32(payload.size()), f.data() + 1);
    return f + payload;
}

struct CurlResult
{
    int status = 0;
    http::HttpHeaders headers;
    QByteArray body;
    QString error;
    qint64 firstBodyMs = -1; // when the first body bytes came out of curl
    qint64 totalMs = 0;
};

// The answer's frames, decoded as a gRPC-Web client would; the trailer frame's fields separately.
struct Answer
{
    QList<QByteArray> messages;
    http::HttpHeaders trailers;
    QString error;
};

Answer decode(const CurlResult &r, bool text)
{
    Answer a;
    QByteArray body = r.body;
    if (text) {
        auto decoded = QByteArray::fromBase64Encoding(body, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            a.error = QStringLiteral("not base64: ") + QString::fromLatin1(body.left(200));
            return a;
        }
        body = *decoded;
    }
    std::vector<gw::Frame> frames;
    if (!gw::parseFrames(body, &frames, &a.error))
        return a;
    for (size_t i = 0; i < frames.size(); ++i) {
        if (frames[i].flags == gw::kTrailerFlag) {
            if (i + 1 != frames.size())
                a.error = QStringLiteral("a trailer frame before the end");
            else if (!gw::parseTrailers(frames[i].payload, &a.trailers, &a.error))
                return a;
        } else {
            a.messages << frames[i].payload;
        }
    }
    if (frames.empty() || frames.back().flags != gw::kTrailerFlag)
        a.error = QStringLiteral("no trailer frame at the end");
    return a;
}

} // namespace

class TestGatewayGrpcWeb : public QObject
{
    Q_OBJECT

private:
    QProcess m_server;
    std::unique_ptr<GatewayHarness> m_gw;

    CurlResult curl(
        const QByteArray &method, const QByteArray &contentType, const QByteArray &body, bool http2)
    {
        CurlResult r;
        QTemporaryDir dir;
        const QString headerFile = dir.filePath(QStringLiteral("head"));
        QProcess p;
        p.start(QStringLiteral("curl"),
            { QStringLiteral("-sS"), QStringLiteral("-N"), QStringLiteral("--max-time"), QStringLiteral("20"),
                QStringLiteral("-D"), headerFile, QStringLiteral("-o"), QStringLiteral("-"),
                http2 ? QStringLiteral("--http2-prior-knowledge") : QStringLiteral("--http1.1"),
                QStringLiteral("-H"), QStringLiteral("content-type: ") + QString::fromLatin1(contentType),
                QStringLiteral("-H"), QStringLiteral("x-grpc-web: 1"), QStringLiteral("-H"),
                QStringLiteral("expect:"), QStringLiteral("--data-binary"), QStringLiteral("@-"),
                QStringLiteral("http://127.0.0.1:%1%2")
                    .arg(m_gw->port())
                    .arg(method.startsWith('/')
                            ? QString::fromLatin1(method) // a path of its own
                            : QStringLiteral("/demo.Echo/") + QString::fromLatin1(method)) });
        QElapsedTimer clock;
        clock.start();
        if (!p.waitForStarted(10000)) {
            r.error = p.errorString();
            return r;
        }
        p.write(body);
        p.closeWriteChannel();
        while (p.state() != QProcess::NotRunning && clock.elapsed() < 30000) {
            p.waitForReadyRead(20);
            const QByteArray got = p.readAllStandardOutput();
            if (!got.isEmpty() && r.firstBodyMs < 0)
                r.firstBodyMs = clock.elapsed();
            r.body += got;
        }
        p.waitForFinished(1000);
        r.body += p.readAllStandardOutput();
        r.totalMs = clock.elapsed();
        if (p.exitCode() != 0)
            r.error = QString::fromLocal8Bit(p.readAllStandardError());
        QFile head(headerFile);
        if (head.open(QIODevice::ReadOnly)) {
            const QList<QByteArray> lines = head.readAll().split('\n');
            for (const QByteArray &raw : lines) {
                const QByteArray line = raw.trimmed();
                if (line.startsWith("HTTP/"))
                    r.status = line.split(' ').value(1).toInt();
                else if (const qsizetype colon = line.indexOf(':'); colon > 0)
                    r.headers.add(line.left(colon).toLower(), line.mid(colon + 1).trimmed());
            }
        }
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!hasGrpcio())
            QFAIL("python3-grpcio is needed: bash packaging/install-deps.sh");
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty(), "curl is needed");

        QString error;
        const int port
            = startPeer(m_server, QStringLiteral("tests/core/gateway/grpc_peer.py"), { "server" }, &error);
        QVERIFY2(port > 0, qPrintable(error));

        m_gw = std::make_unique<GatewayHarness>();
        const QString problems = m_gw->start(gatewayHeaderWithCapture(QStringLiteral("  http2: true\n"))
            + QStringLiteral(
                "upstreams:\n  grpc:\n    targets: [{url: http://127.0.0.1:%1}]\n    protocol: h2c\n"
                "routes:\n  - {name: echo, match: {path: /demo.Echo/}, upstream: grpc}\n")
                  .arg(port));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }

    void cleanupTestCase()
    {
        m_gw.reset();
        m_server.kill();
        m_server.waitForFinished(5000);
    }

    void calls_data()
    {
        QTest::addColumn<bool>("http2");
        QTest::addColumn<QByteArray>("contentType");
        QTest::newRow("HTTP/1.1 binary") << false << QByteArray("application/grpc-web+proto");
        QTest::newRow("HTTP/1.1 text") << false << QByteArray("application/grpc-web-text");
        QTest::newRow("HTTP/2 binary") << true << QByteArray("application/grpc-web");
        QTest::newRow("HTTP/2 text") << true << QByteArray("application/grpc-web-text+proto");
    }

    void calls()
    {
        QFETCH(bool, http2);
        QFETCH(QByteArray, contentType);
        const bool text = contentType.contains("-text");
        const auto body
            = [text](const QByteArray &message) { return text ? frame(message).toBase64() : frame(message); };
        const QByteArray answerType
            = text ? QByteArray("application/grpc-web-text") : QByteArray("application/grpc-web");

        // Unary: the answer and the upstream's trailing metadata, as the body's last frame.
        CurlResult r = curl("Say", contentType, body("hello"), http2);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QVERIFY2(r.headers.value("content-type").startsWith(answerType),
            r.headers.value("content-type").constData());
        QVERIFY(!r.headers.contains("grpc-status")); // in the body, not the head
        Answer a = decode(r, text);
        QVERIFY2(a.error.isEmpty(), qPrintable(a.error));
        QCOMPARE(a.messages, QList<QByteArray>({ "echo:hello" }));
        QCOMPARE(a.trailers.value("grpc-status"), QByteArray("0"));
        QCOMPARE(a.trailers.value("x-served-by"), QByteArray("grpc-peer"));

        // An error: the upstream answers trailers-only; the status still ends the body.
        r = curl("Fail", contentType, body("bob"), http2);
        QCOMPARE(r.status, 200);
        a = decode(r, text);
        QVERIFY2(a.error.isEmpty(), qPrintable(a.error));
        QVERIFY(a.messages.isEmpty());
        QCOMPARE(a.trailers.value("grpc-status"), QByteArray("5")); // NOT_FOUND
        QCOMPARE(a.trailers.value("grpc-message"), QByteArray("no such user: bob"));

        // Server streaming.
        r = curl("Count", contentType, body("5"), http2);
        QCOMPARE(r.status, 200);
        a = decode(r, text);
        QVERIFY2(a.error.isEmpty(), qPrintable(a.error));
        QCOMPARE(a.messages, QList<QByteArray>({ "n0", "n1", "n2", "n3", "n4" }));
        QCOMPARE(a.trailers.value("grpc-status"), QByteArray("0"));
    }

    void streamingIsNotBuffered_data() { calls_data(); }

    void streamingIsNotBuffered()
    {
        QFETCH(bool, http2);
        QFETCH(QByteArray, contentType);
        const bool text = contentType.contains("-text");
        // Four messages 300 ms apart: the first must reach the client long before the last.
        const CurlResult r = curl("Tick", contentType, text ? frame("4").toBase64() : frame("4"), http2);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        const Answer a = decode(r, text);
        QVERIFY2(a.error.isEmpty(), qPrintable(a.error));
        QCOMPARE(a.messages, QList<QByteArray>({ "t0", "t1", "t2", "t3" }));
        QVERIFY2(r.firstBodyMs >= 0 && r.totalMs - r.firstBodyMs >= 600,
            qPrintable(QStringLiteral("first body bytes at %1 ms, done at %2 ms")
                           .arg(r.firstBodyMs)
                           .arg(r.totalMs)));
    }

    void hostileBodiesAreRefusedWithAGrpcStatus_data()
    {
        QTest::addColumn<bool>("http2");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("detail");
        QTest::newRow("bad base64") << false << QByteArray("application/grpc-web-text")
                                    << QByteArray("AAAAAAJo*Q==") << QStringLiteral("invalid base64");
        QTest::newRow("base64 cut short") << true << QByteArray("application/grpc-web-text")
                                          << frame("hi").toBase64().chopped(3) << QStringLiteral("quantum");
        QTest::newRow("frame longer than the body") << false << QByteArray("application/grpc-web")
                                                    << frame("hello").chopped(2) << QStringLiteral("short");
        QTest::newRow("unknown flags") << true << QByteArray("application/grpc-web")
                                       << QByteArray("\x40\0\0\0\x01x", 6) << QStringLiteral("flags");
    }

    // The gateway's own refusal of a gRPC-Web call is a gRPC-Web answer a client can read: HTTP
    // 200, trailers-only (grpc-status and grpc-message in the head, no body), of the request's
    // content type; a 400 is INTERNAL (13), as for native gRPC.
    void hostileBodiesAreRefusedWithAGrpcStatus()
    {
        QFETCH(bool, http2);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QString, detail);
        const CurlResult r = curl("Say", contentType, body, http2);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("content-type"), contentType);
        QCOMPARE(r.headers.value("grpc-status"), QByteArray("13"));
        const QByteArray message = QByteArray::fromPercentEncoding(r.headers.value("grpc-message"));
        QVERIFY2(message.contains(detail.toUtf8()), message.constData());
        QVERIFY2(r.body.isEmpty(), r.body.constData());
        // The gateway is fine afterwards.
        const CurlResult ok = curl("Say", "application/grpc-web", frame("again"), http2);
        QCOMPARE(ok.status, 200);
    }

    // Over HTTP/2 the refusal is decided on the head, before curl has sent its body: the
    // trailers-only HEADERS (with END_STREAM) wait for the client's END_STREAM, which Debian's
    // curl 7.88 needs (it missed the end about one time in two and waited out --max-time).
    void noRouteIsUnimplemented_data()
    {
        QTest::addColumn<bool>("http2");
        QTest::addColumn<QByteArray>("contentType");
        QTest::newRow("HTTP/1.1 binary") << false << QByteArray("application/grpc-web+proto");
        QTest::newRow("HTTP/1.1 text") << false << QByteArray("application/grpc-web-text");
        for (int i = 0; i < 6; ++i) {
            QTest::addRow("HTTP/2 binary %d", i) << true << QByteArray("application/grpc-web+proto");
            QTest::addRow("HTTP/2 text %d", i) << true << QByteArray("application/grpc-web-text");
        }
    }

    void noRouteIsUnimplemented()
    {
        QFETCH(bool, http2);
        QFETCH(QByteArray, contentType);
        const bool text = contentType.contains("-text");
        const CurlResult r
            = curl("/demo.Nowhere/Call", contentType, text ? frame("x").toBase64() : frame("x"), http2);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("content-type"), contentType);
        QCOMPARE(r.headers.value("grpc-status"), QByteArray("12")); // UNIMPLEMENTED, as a 404 is
        QVERIFY(!r.headers.value("grpc-message").isEmpty());
        QVERIFY2(r.body.isEmpty(), r.body.constData());
    }

    void captureRecordsTheExchangeAsTheClientSawIt()
    {
        const QByteArray sent = frame("captured").toBase64();
        const CurlResult r = curl("Say", "application/grpc-web-text", sent, true);
        QCOMPARE(r.status, 200);
        QList<capture::Exchange> all;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                all = capturedExchanges(*m_gw);
                return std::any_of(all.cbegin(), all.cend(),
                    [&](const capture::Exchange &x) { return x.requestBody == sent; });
            }(),
            5000);
        const capture::Exchange x = *std::find_if(
            all.cbegin(), all.cend(), [&](const capture::Exchange &e) { return e.requestBody == sent; });
        QCOMPARE(x.path, QStringLiteral("/demo.Echo/Say"));
        QCOMPARE(x.status, 200);
        QCOMPARE(x.protocol, QStringLiteral("HTTP/2"));
        QCOMPARE(
            capture::headerValue(x.requestHeaders, "content-type"), QByteArray("application/grpc-web-text"));
        QCOMPARE(
            capture::headerValue(x.responseHeaders, "content-type"), QByteArray("application/grpc-web-text"));
        QCOMPARE(x.responseBody, r.body); // base64, trailer frame included: what the client got
        CurlResult fromCapture;
        fromCapture.body = x.responseBody;
        const Answer a = decode(fromCapture, true);
        QCOMPARE(a.messages, QList<QByteArray>({ "echo:captured" }));
    }
};

QTEST_GUILESS_MAIN(TestGatewayGrpcWeb)
#include "tst_gateway_grpc_web.moc"
