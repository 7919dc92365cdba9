// gRPC through the gateway: a python3-grpcio client talks HTTP/2 to Portico (gateway.http2), which
// proxies to a python3-grpcio server over h2c (upstreams.*.protocol). Both peers are grpcio's code,
// not ours: the four call kinds stream through, trailers (grpc-status, custom metadata) and a
// trailers-only error arrive, a 3 MB message passes, and the client's deadline holds.
#include "GatewayHarness.h"
#include "support/Python.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace portico;
using namespace portico::test;

namespace {

QString peerScript()
{
    return sourceFile(QStringLiteral("tests/core/gateway/grpc_peer.py"));
}

} // namespace

class TestGatewayGrpc : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!hasGrpcio())
            QFAIL("python3-grpcio is needed: bash packaging/install-deps.sh");
    }

    void grpcCallsPassThrough()
    {
        QProcess server;
        QString error;
        const int port
            = startPeer(server, QStringLiteral("tests/core/gateway/grpc_peer.py"), { "server" }, &error);
        QVERIFY2(port > 0, qPrintable(error));

        GatewayHarness gw;
        const QString problems = gw.start(gatewayHeader(QStringLiteral("  http2: true\n"))
            + QStringLiteral(
                "upstreams:\n  grpc:\n    targets: [{url: http://127.0.0.1:%1}]\n    protocol: h2c\n"
                "routes:\n  - {name: echo, match: {path: /demo.Echo/}, upstream: grpc}\n")
                  .arg(port));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));

        QProcess client;
        client.start(python(),
            { peerScript(), QStringLiteral("client"), QStringLiteral("127.0.0.1:%1").arg(gw.port()) });
        QVERIFY(client.waitForFinished(60000));
        const QByteArray out = client.readAllStandardOutput();
        QVERIFY2(client.exitCode() == 0, (out + client.readAllStandardError()).constData());
        const QJsonObject r = QJsonDocument::fromJson(out).object();
        QCOMPARE(r.value(QStringLiteral("say")).toString(), QStringLiteral("echo:hello"));
        QCOMPARE(r.value(QStringLiteral("say_trailer")).toString(), QStringLiteral("grpc-peer"));
        QCOMPARE(r.value(QStringLiteral("count")).toArray(),
            QJsonArray({ QStringLiteral("n0"), QStringLiteral("n1"), QStringLiteral("n2"),
                QStringLiteral("n3"), QStringLiteral("n4") }));
        QCOMPARE(r.value(QStringLiteral("sum")).toString(), QStringLiteral("a+b+c"));
        QCOMPARE(r.value(QStringLiteral("chat")).toArray(),
            QJsonArray({ QStringLiteral("X"), QStringLiteral("Y") }));
        QCOMPARE(r.value(QStringLiteral("big")).toInt(), 3 * 1024 * 1024 + 5);
        QCOMPARE(r.value(QStringLiteral("fail")).toArray(),
            QJsonArray({ QStringLiteral("NOT_FOUND"), QStringLiteral("no such user: bob") }));
        QCOMPARE(r.value(QStringLiteral("deadline")).toString(), QStringLiteral("DEADLINE_EXCEEDED"));
        server.kill();
        server.waitForFinished(5000);
    }
};

QTEST_GUILESS_MAIN(TestGatewayGrpc)
#include "tst_gateway_grpc.moc"
