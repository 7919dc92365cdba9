// gRPC calls as the capture records them, with python3-grpcio on both sides of the gateway (not
// our code): service, method and grpc-status (from the trailers, and from a trailers-only error),
// and the messages decoded with the workspace's schema by the admin API's view of an exchange.
#include "FilterItKit.h"
#include "GatewayHarness.h"
#include "support/Python.h"
#include "core/capture/CaptureReader.h"
#include "core/capture/ExchangeJson.h"
#include "core/capture/FilterExpression.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QTest>

using namespace portico;
using namespace portico::test;

class TestGatewayGrpcCapture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordsCallsStatusesAndMessages()
    {
        QProcess server;
        QString error;
        const int port
            = startPeer(server, QStringLiteral("tests/core/gateway/grpc_peer.py"), { "server" }, &error);
        QVERIFY2(port > 0, qPrintable(error));

        GatewayHarness gw;
        const QString problems = gw.start(gatewayHeaderWithCapture(QStringLiteral("  http2: true\n"))
            + QStringLiteral("grpc:\n  protos: [%1]\n  proto_paths: [%2]\n")
                  .arg(sourceFile("tests/data/grpc/protos/demo/echo.proto"), sourceFile("tests/data/grpc/protos"))
            + QStringLiteral(
                "upstreams:\n  grpc:\n    targets: [{url: http://127.0.0.1:%1}]\n    protocol: h2c\n"
                "routes:\n  - {name: echo, match: {path: /demo.Echo/}, upstream: grpc, "
                "grpc: {services: [demo.Echo]}}\n")
                  .arg(port));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));

        QProcess client;
        client.start(python(),
            { sourceFile("tests/core/gateway/grpc_peer.py"), QStringLiteral("capture"),
                QStringLiteral("127.0.0.1:%1").arg(gw.port()) });
        QVERIFY(client.waitForFinished(60000));
        const QByteArray out = client.readAllStandardOutput();
        QVERIFY2(client.exitCode() == 0, (out + client.readAllStandardError()).constData());
        const QJsonObject r = QJsonDocument::fromJson(out).object();
        QCOMPARE(r.value("chat").toArray(), (QJsonArray { "0a03424f42", "0a03424f42" }));
        QCOMPARE(r.value("fail").toString(), QStringLiteral("NOT_FOUND"));

        QHash<QString, capture::Exchange> byMethod;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                byMethod.clear();
                for (const capture::Exchange &e : capturedExchanges(gw))
                    byMethod.insert(e.grpcMethod, e);
                return byMethod.size() == 3;
            }(),
            10000);
        for (const capture::Exchange &e : std::as_const(byMethod))
            QCOMPARE(e.grpcService, QStringLiteral("demo.Echo"));
        QCOMPARE(byMethod.value("Say").grpcStatus, 0); // from the trailers
        QCOMPARE(byMethod.value("Chat").grpcStatus, 0);
        QCOMPARE(byMethod.value("Fail").grpcStatus, 5); // NOT_FOUND

        const config::WorkspacePtr ws = gw.gateway().workspace();
        QVERIFY(ws && ws->grpcSchema);
        const QJsonObject chat = capture::exchangeToJson(byMethod.value("Chat"), ws->grpcSchema.get());
        QCOMPARE(chat.value("grpc_status").toInt(), 0);
        QCOMPARE(chat.value("request").toObject().value("messages").toArray(),
            (QJsonArray { QJsonObject { { "text", "bob" } }, QJsonObject { { "text", "bob" } } }));
        QCOMPARE(chat.value("response").toObject().value("messages").toArray(),
            (QJsonArray { QJsonObject { { "text", "BOB" } }, QJsonObject { { "text", "BOB" } } }));
        // "bob" alone is no demo.Msg: shown as its raw frame.
        const QJsonObject failRequest = capture::exchangeToJson(byMethod.value("Fail"), ws->grpcSchema.get())
                                            .value("request")
                                            .toObject()
                                            .value("messages")
                                            .toArray()
                                            .first()
                                            .toObject();
        QCOMPARE(failRequest.value("raw").toString(), QStringLiteral("Ym9i"));
        QCOMPARE(failRequest.value("error").toString(), QStringLiteral("not a valid demo.Msg"));

        capture::CaptureReader reader;
        QVERIFY(reader.open(gw.dir().path(QStringLiteral("traffic.db"))));
        QCOMPARE(
            reader.count(*capture::FilterExpression::parse(QStringLiteral("grpc:Echo/Fail grpc_status:5"))),
            1);
        QCOMPARE(
            reader.count(*capture::FilterExpression::parse(QStringLiteral("grpc:demo.Echo grpc_status:0"))),
            2);
        server.kill();
        server.waitForFinished(5000);
    }
};

QTEST_GUILESS_MAIN(TestGatewayGrpcCapture)
#include "tst_gateway_grpc_capture.moc"
