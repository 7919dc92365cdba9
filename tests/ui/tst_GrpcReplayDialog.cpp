// Edit & Resend of a unary gRPC call: with the running workspace's schema the dialog shows the
// request message as JSON (not the frame's bytes), refuses to send JSON that does not fit the
// method's input type (the field named, the dialog stays open), and hands the edit to the
// Replayer as ReplayOptions::grpcMessageJson. A streaming call or no schema: the bytes, and why.
#include "core/config/WorkspaceLoader.h"
#include "ui/traffic/ReplayDialog.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTest>

using namespace portico;
using namespace portico::ui;

namespace {

capture::Exchange grpcCall(const QString &method)
{
    capture::Exchange e;
    e.id = 3;
    e.method = QStringLiteral("POST");
    e.path = QStringLiteral("/demo.users.v1.Users/") + method;
    e.url = QStringLiteral("http://127.0.0.1:50051") + e.path;
    e.upstreamTarget = QStringLiteral("http://127.0.0.1:50051");
    e.protocol = QStringLiteral("HTTP/2");
    e.grpcService = QStringLiteral("demo.users.v1.Users");
    e.grpcMethod = method;
    e.requestHeaders = { { "content-type", "application/grpc" }, { "te", "trailers" } };
    e.requestBody = QByteArray::fromHex("00000000040a023432"); // {id: "42"}
    e.requestBodySize = e.requestBody.size();
    return e;
}

} // namespace

class GrpcReplayDialogTest : public QObject
{
    Q_OBJECT

    config::WorkspacePtr m_ws;

private Q_SLOTS:
    void initTestCase()
    {
        const auto loaded = config::loadWorkspaceFile(
            qEnvironmentVariable("PORTICO_SOURCE_DIR") + QStringLiteral("/tests/data/grpc/users.yaml"));
        QVERIFY(loaded.ok());
        m_ws = loaded.workspace;
        QVERIFY(m_ws->grpcSchema);
    }

    void editsTheMessageAsJson()
    {
        const capture::Exchange original = grpcCall(QStringLiteral("GetUser"));
        ReplayDialog dialog(original, ReplayWorkspace { m_ws, {} });
        QVERIFY(dialog.editsGrpcMessage());
        QCOMPARE(QJsonDocument::fromJson(dialog.bodyEdit()->toPlainText().toUtf8()).object(),
            (QJsonObject { { "id", "42" } }));
        QVERIFY(!dialog.grpcNote()->isHidden());
        QVERIFY2(dialog.grpcNote()->text().contains("demo.users.v1.GetUserRequest"),
            qPrintable(dialog.grpcNote()->text()));

        // JSON that does not fit: not sent, the field named, the dialog stays open.
        dialog.bodyEdit()->setPlainText(R"({"id": {"x": 1}})");
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY2(dialog.grpcNote()->text().startsWith("Not sent:"), qPrintable(dialog.grpcNote()->text()));
        QVERIFY2(dialog.grpcNote()->text().contains("id"), qPrintable(dialog.grpcNote()->text()));
        dialog.bodyEdit()->setPlainText(R"({"nick": "x"})");
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY2(dialog.grpcNote()->text().contains("nick"), qPrintable(dialog.grpcNote()->text()));

        dialog.bodyEdit()->setPlainText(R"({"id": "7"})");
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        const capture::ReplayOptions o = dialog.options();
        QCOMPARE(o.grpcMessageJson, QByteArray(R"({"id": "7"})"));
        QCOMPARE(o.grpcSchema, m_ws->grpcSchema);
        // The body stays the captured frame: the Replayer encodes the JSON.
        QCOMPARE(dialog.request().requestBody, original.requestBody);
        const capture::Exchange planned = capture::Replayer::prepare(dialog.request(), o);
        QVERIFY2(planned.error.isEmpty(), qPrintable(planned.error));
        QCOMPARE(planned.requestBody, QByteArray::fromHex("00000000030a0137"));
    }

    void streamingOrNoSchemaShowsTheBytes()
    {
        ReplayDialog streaming(grpcCall(QStringLiteral("ListUsers")), ReplayWorkspace { m_ws, {} });
        QVERIFY(!streaming.editsGrpcMessage());
        QVERIFY(streaming.grpcNote()->text().contains("server streaming"));
        QVERIFY(streaming.options().grpcMessageJson.isNull());

        ReplayDialog noSchema(grpcCall(QStringLiteral("GetUser")));
        QVERIFY(!noSchema.editsGrpcMessage());
        QVERIFY2(
            noSchema.grpcNote()->text().contains("no gRPC schema"), qPrintable(noSchema.grpcNote()->text()));
        QCOMPARE(noSchema.request().requestBody, grpcCall(QStringLiteral("GetUser")).requestBody);

        // Not gRPC at all: no note.
        capture::Exchange plain = grpcCall(QStringLiteral("GetUser"));
        plain.grpcService.clear();
        ReplayDialog plainDialog(plain, ReplayWorkspace { m_ws, {} });
        QVERIFY(plainDialog.grpcNote()->isHidden());
        QVERIFY(!plainDialog.editsGrpcMessage());
    }
};

QTEST_MAIN(GrpcReplayDialogTest)
#include "tst_GrpcReplayDialog.moc"
