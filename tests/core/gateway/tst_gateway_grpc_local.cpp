// The gateway's own answers to native gRPC calls, seen by curl over HTTP/2: a refusal (no key, no
// route, rate limit) is a trailers-only gRPC status with the reason in grpc-message, not a
// problem+json body a gRPC stub cannot read; the call's grpc-timeout bounds the wait for the
// upstream (DEADLINE_EXCEEDED before the answer started, in the trailers after).
#include "GatewayHarness.h"
#include "support/CurlClient.h"

#include <QElapsedTimer>
#include <QTest>

using namespace portico;
using namespace portico::test;

namespace {

// A unary call's request body: one uncompressed message of 3 bytes.
const QByteArray kFrame = QByteArray("\x00\x00\x00\x00\x03", 5) + "abc";

struct Call
{
    int exitCode = -1;
    QByteArray fields; // every field received, head and trailers, as "name: value\r\n", lower case
    QByteArray output;
};

// One unary call with nghttp (nghttp2-client), which, unlike curl 7.88, takes an answer that
// arrives before its upload ended as a complete one.
Call grpcCall(GatewayHarness &gw, const QString &path, const QStringList &headers = {})
{
    const QString body = gw.dir().writeFile(QStringLiteral("frame.bin"), kFrame);
    QStringList args { QStringLiteral("-v"), QStringLiteral("-H"), QStringLiteral("content-type: application/grpc"),
        QStringLiteral("-H"), QStringLiteral("te: trailers"), QStringLiteral("-d"), body };
    for (const QString &h : headers)
        args << QStringLiteral("-H") << h;
    QProcess p;
    p.start(QStringLiteral("nghttp"), args << QStringLiteral("http://127.0.0.1:%1%2").arg(gw.port()).arg(path));
    Call r;
    if (!p.waitForFinished(15000)) {
        p.kill();
        return r;
    }
    r.exitCode = p.exitCode();
    r.output = p.readAllStandardOutput() + p.readAllStandardError();
    for (const QByteArray &line : r.output.split('\n')) {
        const qsizetype at = line.indexOf("recv (stream_id=");
        if (at >= 0)
            r.fields += line.mid(line.indexOf(") ", at) + 2).trimmed().toLower() + "\r\n";
    }
    return r;
}

} // namespace

class TestGatewayGrpcLocal : public QObject
{
    Q_OBJECT

private:
    LoopbackUpstream m_up;
    GatewayHarness m_gw;

private Q_SLOTS:
    void initTestCase()
    {
        const QString problems = m_gw.start(gatewayHeader(QStringLiteral("  http2: true\n"))
            + QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), m_up)
            + QStringLiteral("consumers:\n  - {name: alice, api_keys: [alice-key]}\n"
                             "auth:\n  keys: {type: api_key, header: X-API-Key}\n"
                             "routes:\n"
                             "  - {name: keyed, match: {path: /demo.Keyed/}, upstream: up, auth: [keys]}\n"
                             "  - {name: limited, match: {path: /demo.Limited/}, upstream: up, rate_limit: {requests: 1, per: 1m, by: ip}}\n"
                             "  - {name: open, match: {path: /demo.Open/}, upstream: up, timeout: 10s}\n"));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }

    void refusalsAreGrpcStatuses()
    {
        Call r = grpcCall(m_gw, QStringLiteral("/demo.Keyed/Get"));
        QVERIFY2(r.exitCode == 0, r.output.constData());
        QVERIFY2(r.fields.startsWith(":status: 200"), r.output.constData());
        QVERIFY2(r.fields.contains("content-type: application/grpc\r\n"), r.fields.constData());
        QVERIFY2(r.fields.contains("grpc-status: 16\r\n"), r.fields.constData());
        QVERIFY2(r.fields.contains("grpc-message: unauthorized"), r.fields.constData());
        QVERIFY2(r.fields.contains("www-authenticate:"), r.fields.constData());
        QVERIFY2(!r.fields.contains("problem+json"), r.fields.constData());

        r = grpcCall(m_gw, QStringLiteral("/demo.Nowhere/Get"));
        QVERIFY2(r.fields.contains("grpc-status: 12\r\n"), r.output.constData()); // UNIMPLEMENTED

        QVERIFY(grpcCall(m_gw, QStringLiteral("/demo.Limited/Get")).fields.startsWith(":status: 200"));
        r = grpcCall(m_gw, QStringLiteral("/demo.Limited/Get"));
        QVERIFY2(r.fields.contains("grpc-status: 8\r\n"), r.output.constData()); // RESOURCE_EXHAUSTED
        QVERIFY2(r.fields.contains("retry-after:"), r.fields.constData());

        // The same refusal to a client that is not gRPC stays problem+json.
        const CurlResult plain = curl({ QStringLiteral("--http2-prior-knowledge") },
            QStringLiteral("http://127.0.0.1:%1/demo.Keyed/Get").arg(m_gw.port()));
        QVERIFY2(plain.head.startsWith("HTTP/2 401"), plain.head.constData());
        QVERIFY2(plain.head.contains("application/problem+json"), plain.head.constData());
    }

    void grpcTimeoutBoundsTheWaitForTheAnswer()
    {
        // The upstream answers after 3 s; the call allows 300 ms, the route 10 s.
        QElapsedTimer clock;
        clock.start();
        const Call r
            = grpcCall(m_gw, QStringLiteral("/demo.Open/Get?delay=3s"), { QStringLiteral("grpc-timeout: 300m") });
        QVERIFY2(r.exitCode == 0, r.output.constData());
        QVERIFY2(r.fields.contains("grpc-status: 4\r\n"), r.fields.constData()); // DEADLINE_EXCEEDED
        QVERIFY2(clock.elapsed() < 2500, QByteArray::number(clock.elapsed()).constData());
    }

    void grpcTimeoutEndsAStreamInItsTrailers()
    {
        // The answer has started (chunks every 200 ms) when the deadline passes: the head stays
        // 200 and the trailers say DEADLINE_EXCEEDED.
        const Call r = grpcCall(m_gw, QStringLiteral("/demo.Open/Get?chunks=20&interval=200ms"),
            { QStringLiteral("grpc-timeout: 500m") });
        QVERIFY2(r.exitCode == 0, r.output.constData());
        QVERIFY2(r.fields.startsWith(":status: 200"), r.fields.constData());
        QVERIFY2(r.fields.contains("grpc-status: 4\r\n"), r.fields.constData());
        QVERIFY2(r.fields.contains("grpc-message: the call's grpc-timeout passed"), r.fields.constData());
    }

    void malformedTimeoutIsLeftToTheUpstream()
    {
        const Call r
            = grpcCall(m_gw, QStringLiteral("/demo.Open/Get"), { QStringLiteral("grpc-timeout: 1000000000S") });
        QVERIFY2(r.fields.startsWith(":status: 200"), r.fields.constData());
        QVERIFY2(!r.fields.contains("grpc-status"), r.fields.constData()); // the echo upstream is not gRPC
        QVERIFY2(m_up.lastRequest().header("grpc-timeout") == "1000000000S", "not forwarded");
    }
};

QTEST_MAIN(TestGatewayGrpcLocal)
#include "tst_gateway_grpc_local.moc"
