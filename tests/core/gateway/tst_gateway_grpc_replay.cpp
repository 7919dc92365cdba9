// Replaying a captured unary gRPC call with its message edited as JSON, against python3-grpcio
// peers (not our code): the call is captured through the gateway, replayed edited through the
// gateway's listener (the gateway's row is the replay's) and straight to the upstream (the
// Replayer's own row, grpc-status from the trailers Qt hands over), and the upstream's answer
// shows it got the edited message. A trailers-only error keeps its status; a streaming call and
// JSON that does not fit are refused before anything is sent.
#include "FilterItKit.h"
#include "GatewayHarness.h"
#include "core/capture/GrpcMessages.h"
#include "core/capture/Replayer.h"
#include "core/grpc/GrpcFrames.h"
#include "support/Python.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using namespace portico;
using namespace portico::test;

namespace {

capture::Exchange replay(capture::CaptureStore *store, const capture::Exchange &e, capture::ReplayOptions o)
{
    capture::Replayer replayer(store);
    QSignalSpy done(&replayer, &capture::Replayer::finished);
    replayer.replay(e, o);
    if (!done.wait(20000))
        return {};
    return done.first().first().value<capture::Exchange>();
}

// The one message of a response body.
QByteArray onlyMessage(const QByteArray &body)
{
    const grpc::GrpcFrames split = grpc::splitFrames(body);
    return split.frames.size() == 1 ? split.frames.first().payload : QByteArray("(not one message)");
}

} // namespace

class TestGatewayGrpcReplay : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void replaysAnEditedUnaryCall()
    {
        QProcess server;
        QString error;
        const int port
            = startPeer(server, QStringLiteral("tests/core/gateway/grpc_peer.py"), { "server" }, &error);
        QVERIFY2(port > 0, qPrintable(error));

        GatewayHarness gw;
        const QString problems = gw.start(gatewayHeaderWithCapture(QStringLiteral("  http2: true\n"))
            + QStringLiteral("grpc:\n  protos: [%1]\n  proto_paths: [%2]\n")
                  .arg(sourceFile("tests/data/grpc/protos/demo/echo.proto"),
                      sourceFile("tests/data/grpc/protos"))
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
        QVERIFY2(client.exitCode() == 0, client.readAllStandardError().constData());

        QHash<QString, capture::Exchange> byMethod;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                byMethod.clear();
                for (const capture::Exchange &e : capturedExchanges(gw))
                    byMethod.insert(e.grpcMethod, e);
                return byMethod.size() == 3;
            }(),
            10000);
        const capture::Exchange say = byMethod.value("Say");
        QCOMPARE(say.grpcStatus, 0);
        const config::WorkspacePtr ws = gw.gateway().workspace();
        QVERIFY(ws && ws->grpcSchema);

        capture::ReplayOptions edited;
        edited.grpcMessageJson = R"({"text": "alice"})";
        edited.grpcSchema = ws->grpcSchema;

        // Through the listener: the gateway's row is the replay's.
        const capture::Exchange again = replay(gw.gateway().captureStore(), say, edited);
        QVERIFY2(again.error.isEmpty(), qPrintable(again.error));
        QCOMPARE(again.status, 200);
        QCOMPARE(again.protocol, QStringLiteral("HTTP/2"));
        QCOMPARE(again.grpcStatus, 0);
        // grpc_peer's Say answers "echo:" + the bytes it got: demo.Msg {text: "alice"}.
        QCOMPARE(onlyMessage(again.responseBody),
            QByteArray("echo:\x0a\x05"
                       "alice"));
        QVERIFY2(again.id > say.id, qPrintable(again.notes));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const capture::Exchange &e : capturedExchanges(gw)) {
                    if (e.id == again.id)
                        return e.grpcStatus == 0 && e.grpcMethod == u"Say"
                            && e.notes.contains(u"encoded as demo.Msg")
                            && e.requestBody
                            == QByteArray("\0\0\0\0\x07\x0a\x05"
                                          "alice",
                                12);
                }
                return false;
            }(),
            5000);
        const capture::Exchange stored = [&] {
            for (const capture::Exchange &e : capturedExchanges(gw)) {
                if (e.id == again.id)
                    return e;
            }
            return capture::Exchange {};
        }();
        QCOMPARE(capture::grpcMessages(stored, true, ws->grpcSchema.get()),
            (QJsonArray { QJsonObject { { "text", "alice" } } }));

        // Straight to the upstream: the Replayer's own row, grpc-status from the trailers.
        capture::ReplayOptions direct = edited;
        direct.grpcMessageJson = R"({"text": "bob2"})";
        direct.target = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
        const capture::Exchange upstream = replay(gw.gateway().captureStore(), say, direct);
        QVERIFY2(upstream.error.isEmpty(), qPrintable(upstream.error));
        QCOMPARE(upstream.protocol, QStringLiteral("HTTP/2"));
        QCOMPARE(upstream.grpcStatus, 0);
        QCOMPARE(capture::headerValue(upstream.responseHeaders, "x-served-by"), QByteArray("grpc-peer"));
        QCOMPARE(onlyMessage(upstream.responseBody),
            QByteArray("echo:\x0a\x04"
                       "bob2"));
        QVERIFY(upstream.id > again.id);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const capture::Exchange &e : capturedExchanges(gw)) {
                    if (e.id == upstream.id)
                        return e.grpcStatus == 0 && e.grpcService == u"demo.Echo";
                }
                return false;
            }(),
            5000);

        // A trailers-only error: its status recorded.
        capture::ReplayOptions failing = edited;
        failing.grpcMessageJson = R"({"text": "carol"})";
        const capture::Exchange failed = replay(gw.gateway().captureStore(), byMethod.value("Fail"), failing);
        QVERIFY2(failed.error.isEmpty(), qPrintable(failed.error));
        QCOMPARE(failed.grpcStatus, 5); // NOT_FOUND
        QVERIFY2(capture::headerValue(failed.responseHeaders, "grpc-message").contains("carol"),
            capture::headerValue(failed.responseHeaders, "grpc-message").constData());

        // Refused before anything is sent: nothing recorded.
        const qsizetype rows = capturedExchanges(gw).size();
        capture::ReplayOptions streaming = edited;
        const capture::Exchange chat = replay(gw.gateway().captureStore(), byMethod.value("Chat"), streaming);
        QVERIFY2(chat.error.contains(u"bidirectional streaming"), qPrintable(chat.error));
        QCOMPARE(chat.status, 0);
        capture::ReplayOptions wrong = edited;
        wrong.grpcMessageJson = R"({"text": ["not", "a", "string"]})";
        const capture::Exchange bad = replay(gw.gateway().captureStore(), say, wrong);
        QVERIFY2(bad.error.contains(u"text"), qPrintable(bad.error));
        QCOMPARE(bad.status, 0);
        capture::ReplayOptions noSchema = edited;
        noSchema.grpcSchema = nullptr;
        QVERIFY(replay(gw.gateway().captureStore(), say, noSchema).error.contains(u"no gRPC schema"));
        QCOMPARE(capturedExchanges(gw).size(), rows);

        server.kill();
        server.waitForFinished(5000);
    }
};

QTEST_GUILESS_MAIN(TestGatewayGrpcReplay)
#include "tst_gateway_grpc_replay.moc"
