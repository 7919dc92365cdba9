// The inspector's view of a captured gRPC call: its messages as a JSON tree (decoded with the
// running workspace's schema, raw frames without one) and a summary row with service, method and
// grpc-status.
#include "core/grpc/Schema.h"
#include "ui/traffic/BodyView.h"
#include "ui/traffic/ExchangeDetails.h"

#include <QLabel>
#include <QStandardItemModel>
#include <QTest>

using namespace portico;
using namespace portico::ui;

namespace {

capture::Exchange grpcCall()
{
    capture::Exchange e;
    e.id = 7;
    e.startedAt = QDateTime::currentDateTimeUtc();
    e.method = QStringLiteral("POST");
    e.path = QStringLiteral("/demo.users.v1.Users/GetUser");
    e.url = QStringLiteral("http://127.0.0.1:8080") + e.path;
    e.protocol = QStringLiteral("HTTP/2");
    e.status = 200;
    e.requestHeaders = { { "content-type", "application/grpc" } };
    e.responseHeaders = { { "content-type", "application/grpc" } };
    e.requestBody = QByteArray::fromHex("00000000040a023432"); // {id: "42"}
    e.responseBody = QByteArray::fromHex("00000000070a03626f621007"); // {name: "bob", id: 7}
    e.requestBodySize = e.requestBody.size();
    e.responseBodySize = e.responseBody.size();
    e.grpcService = QStringLiteral("demo.users.v1.Users");
    e.grpcMethod = QStringLiteral("GetUser");
    e.grpcStatus = 5;
    return e;
}

// "[0]" -> {key: value} of the first message in the tree.
QHash<QString, QString> firstMessage(QStandardItemModel *model)
{
    QHash<QString, QString> out;
    QStandardItem *first = model->item(0, 0);
    if (!first)
        return out;
    for (int r = 0; r < first->rowCount(); ++r)
        out.insert(first->child(r, 0)->text(), first->child(r, 1)->text());
    return out;
}

} // namespace

class GrpcInspectorTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void messagesAsAJsonTree()
    {
        const QString data = qEnvironmentVariable("PORTICO_SOURCE_DIR") + "/tests/data/grpc/protos";
        const grpc::SchemaLoadResult loaded
            = grpc::loadSchema({ data + "/demo/users/v1/users.proto" }, { data });
        QVERIFY(loaded.schema);

        ExchangeDetails details;
        grpc::SchemaPtr schema = loaded.schema;
        details.setGrpcSchemaProvider([&schema] { return schema; });
        details.setExchange(grpcCall());
        QCOMPARE(details.requestBody()->mode(), BodyView::Json);
        QCOMPARE(details.responseBody()->mode(), BodyView::Json);
        QCOMPARE(details.requestBody()->jsonModel()->item(0, 0)->text(), QStringLiteral("[0]"));
        QCOMPARE(firstMessage(details.requestBody()->jsonModel()).value("id"), QStringLiteral("\"42\""));
        const auto user = firstMessage(details.responseBody()->jsonModel());
        QCOMPARE(user.value("name"), QStringLiteral("\"bob\""));
        QCOMPARE(user.value("id"), QStringLiteral("\"7\""));
        auto *summary = details.findChild<QLabel *>(QStringLiteral("exchangeSummary"));
        QVERIFY(summary);
        QVERIFY2(summary->text().contains(QStringLiteral("demo.users.v1.Users/GetUser (grpc-status 5)")),
            qPrintable(summary->text()));

        // No schema (the gateway stopped): the raw frames, still as a tree.
        schema.reset();
        details.setExchange(grpcCall());
        const auto raw = firstMessage(details.responseBody()->jsonModel());
        QCOMPARE(raw.value("raw"), QStringLiteral("\"CgNib2IQBw==\""));
        QCOMPARE(raw.value("length"), QStringLiteral("7"));
        QCOMPARE(raw.value("compressed"), QStringLiteral("false"));

        // A message that is not protobuf for its type: raw, with the reason.
        schema = loaded.schema;
        capture::Exchange bad = grpcCall();
        bad.responseBody = QByteArray::fromHex("000000000568656c6c6f"); // "hello"
        details.setExchange(bad);
        QCOMPARE(firstMessage(details.responseBody()->jsonModel()).value("error"),
            QStringLiteral("\"not a valid demo.users.v1.User\""));
    }
};

QTEST_MAIN(GrpcInspectorTest)
#include "tst_GrpcInspector.moc"
