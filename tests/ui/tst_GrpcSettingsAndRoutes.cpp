// The gRPC parts of the workspace editor, driven as a user would: the schemas in Settings (proto
// files and import paths, compiled with the edit, errors shown as FILE:LINE:COL under the field,
// the services listed), and a route's "gRPC (transcoded)" backend with its service picker and the
// REST mappings that result; undo, and the file round trip through the writer.

#include "core/config/WorkspaceLoader.h"
#include "support/TempWorkspace.h"
#include "ui/document/WorkspaceDocument.h"
#include "ui/exporter/ExportPage.h"
#include "ui/models/RoutesModel.h"
#include "ui/sections/GrpcBackendEditor.h"
#include "ui/sections/RouteForm.h"
#include "ui/sections/SectionPage.h"
#include "ui/sections/SettingsPage.h"
#include "ui/widgets/CheckList.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/ListEdit.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTest>
#include <QTreeWidget>
#include <QUndoStack>

using namespace portico;
using namespace portico::ui;

namespace {

const char *kYaml = R"(
version: 1
upstreams:
  users: {targets: [{url: http://127.0.0.1:9001}]}
  users-grpc: {targets: [{url: http://127.0.0.1:50051}], protocol: h2c}
routes:
  - {name: users, match: {path: /rest}, upstream: users, strip_prefix: true}
)";

QByteArray source(const QString &relative)
{
    QFile f(qEnvironmentVariable("PORTICO_SOURCE_DIR") + u'/' + relative);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void commit(ListEdit *edit, const QString &text)
{
    edit->setText(text);
    Q_EMIT edit->editingFinished();
}

// The schema files in the workspace's folder, as a user keeps them.
void writeProtos(test::TempWorkspace &tmp)
{
    for (const char *name : { "demo/users/v1/users.proto", "demo/users/v1/types.proto" })
        tmp.writeFile(QStringLiteral("protos/") + QLatin1String(name),
            source(QStringLiteral("tests/data/grpc/protos/") + QLatin1String(name)));
    tmp.writeFile(QStringLiteral("broken.proto"), source(QStringLiteral("tests/data/grpc/bad/syntax.proto")));
}

} // namespace

class GrpcSettingsAndRoutesTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void settingsCompileTheSchemasAndShowTheirErrors()
    {
        test::TempWorkspace tmp;
        writeProtos(tmp);
        WorkspaceDocument doc;
        config::Diagnostics errors;
        QVERIFY(doc.open(tmp.writeWorkspace(QString::fromUtf8(kYaml)), &errors));
        SettingsPage page(&doc);
        QCOMPARE(page.grpcServicesLabel()->text(), QStringLiteral("none: no schemas listed"));

        // Without the import path the import is not found: the error names the file and place.
        commit(page.protosEdit(), QStringLiteral("protos/demo/users/v1/users.proto"));
        QCOMPARE(
            doc.workspace().grpc.protos, QStringList { QStringLiteral("protos/demo/users/v1/users.proto") });
        QVERIFY(!doc.workspace().grpcSchema);
        FieldBox *protos = page.field(QStringLiteral("grpc.protos"));
        QVERIFY(protos);
        QVERIFY2(protos->message().contains(QStringLiteral("users.proto:")), qPrintable(protos->message()));
        QVERIFY(page.grpcServicesLabel()->text().contains(QStringLiteral("did not load")));

        commit(page.protoPathsEdit(), QStringLiteral("protos"));
        QVERIFY(doc.workspace().grpcSchema);
        QVERIFY2(protos->message().isEmpty(), qPrintable(protos->message()));
        QVERIFY2(page.grpcServicesLabel()->text().startsWith(QStringLiteral("demo.users.v1.Users (")),
            qPrintable(page.grpcServicesLabel()->text()));

        // A file with a syntax error: FILE:LINE:COL: error, and no schema.
        commit(page.protosEdit(), QStringLiteral("protos/demo/users/v1/users.proto, broken.proto"));
        QVERIFY(!doc.workspace().grpcSchema);
        QVERIFY2(protos->message().contains(QRegularExpression(QStringLiteral("broken\\.proto:\\d+:\\d+: "))),
            qPrintable(protos->message()));

        // Undo comes back to the compiled schemas.
        doc.undoStack()->undo();
        QVERIFY(doc.workspace().grpcSchema);
        QCOMPARE(
            page.protosEdit()->list(), QStringList { QStringLiteral("protos/demo/users/v1/users.proto") });
        QVERIFY(protos->message().isEmpty());
    }

    void routeBackendTranscodesToAPickedService()
    {
        test::TempWorkspace tmp;
        writeProtos(tmp);
        QString yaml = QString::fromUtf8(kYaml);
        yaml.replace(QStringLiteral("version: 1\n"),
            QStringLiteral(
                "version: 1\ngrpc: {protos: [protos/demo/users/v1/users.proto], proto_paths: [protos]}\n"));
        WorkspaceDocument doc;
        config::Diagnostics errors;
        QVERIFY(doc.open(tmp.writeWorkspace(yaml), &errors));
        QVERIFY(doc.workspace().grpcSchema);
        auto *form = new RouteForm(&doc);
        SectionPage page(QStringLiteral("Routes"), {}, new RoutesModel(&doc), form);
        page.resize(1000, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.selectRow(0);

        const int grpcIndex = form->backendCombo()->findData(int(RouteForm::Backend::GrpcTranscoded));
        QVERIFY(grpcIndex >= 0);
        QCOMPARE(form->backendCombo()->itemText(grpcIndex), QStringLiteral("gRPC (transcoded)"));
        form->backendCombo()->setCurrentIndex(grpcIndex);
        Q_EMIT form->backendCombo()->activated(grpcIndex);
        const config::Route &r = doc.workspace().routes.at(0);
        QVERIFY(r.grpc && r.grpc->transcode);
        QCOMPARE(r.upstream, QStringLiteral("users-grpc")); // the HTTP/2 upstream, not users
        QCOMPARE(r.grpc->services, QStringList { QStringLiteral("demo.users.v1.Users") });
        QVERIFY2(doc.diagnostics().isEmpty(), qPrintable(doc.diagnostics().value(0).message));

        QCOMPARE(page.model()->index(0, 2).data().toString(), QStringLiteral("gRPC → users-grpc"));
        GrpcBackendEditor *editor = form->grpcEditor();
        QVERIFY(editor->isVisible());
        QCOMPARE(editor->upstreamCombo()->currentData().toString(), QStringLiteral("users-grpc"));
        QVERIFY(editor->servicesList()->box(QStringLiteral("demo.users.v1.Users"))->isChecked());
        // The mappings as clients call them: strip_prefix puts /rest before the rules' paths.
        QTreeWidget *mappings = editor->mappingsView();
        QStringList rows;
        for (int i = 0; i < mappings->topLevelItemCount(); ++i) {
            const QTreeWidgetItem *item = mappings->topLevelItem(i);
            rows << item->text(0) + u' ' + item->text(1) + u' ' + item->text(2);
        }
        QVERIFY2(
            rows.contains(QStringLiteral("GetUser GET /rest/v1/users/{id}")), qPrintable(rows.join(u'|')));
        QVERIFY(rows.contains(QStringLiteral("GetUser GET /rest/v1/users:byEmail")));
        QVERIFY(rows.contains(QStringLiteral("Purge PURGE /rest/v1/users/{id}")));
        QVERIFY(rows.contains(QStringLiteral("ListUsers POST /rest/demo.users.v1.Users/ListUsers")));
        const auto chat = mappings->findItems(QStringLiteral("Chat"), Qt::MatchExactly);
        QCOMPARE(chat.size(), 1);
        QVERIFY(chat.first()->isDisabled()); // bidi streaming: REST cannot call it

        editor->ignoreUnknownBox()->click();
        QVERIFY(doc.workspace().routes.at(0).grpc->ignoreUnknownFields);
        editor->servicesList()->box(QStringLiteral("demo.users.v1.Users"))->click();
        QVERIFY(doc.workspace().routes.at(0).grpc->services.isEmpty());
        QCOMPARE(editor->mappingsView()->topLevelItemCount(), 0);
        QVERIFY(form->field(QStringLiteral("grpc"))->message().contains(QStringLiteral("services")));
        doc.undoStack()->undo();
        QCOMPARE(editor->mappingsView()->topLevelItemCount(), rows.size());

        // Saved and loaded back, the route keeps its gRPC backend.
        QString error;
        QVERIFY2(doc.save(&error), qPrintable(error));
        const auto reloaded = config::loadWorkspaceFile(doc.filePath());
        QVERIFY(reloaded.ok());
        QVERIFY(*reloaded.workspace == doc.workspace());

        // Another backend drops the transcoding.
        const int upstreamIndex = form->backendCombo()->findData(int(RouteForm::Backend::Upstream));
        form->backendCombo()->setCurrentIndex(upstreamIndex);
        Q_EMIT form->backendCombo()->activated(upstreamIndex);
        QVERIFY(!doc.workspace().routes.at(0).grpc);
        QCOMPARE(doc.workspace().routes.at(0).upstream, QStringLiteral("users-grpc"));
    }

    // Saving an Envoy export of a transcoding route writes the descriptor set beside it.
    void exportSavesTheDescriptorSetBeside()
    {
        test::TempWorkspace tmp;
        writeProtos(tmp);
        QString yaml = QString::fromUtf8(kYaml);
        yaml.replace(QStringLiteral("version: 1\n"),
            QStringLiteral(
                "version: 1\ngrpc: {protos: [protos/demo/users/v1/users.proto], proto_paths: [protos]}\n"));
        yaml.replace(QStringLiteral("upstream: users, strip_prefix: true}"),
            QStringLiteral(
                "upstream: users-grpc, grpc: {transcode: true, services: [demo.users.v1.Users]}}"));
        WorkspaceDocument doc;
        config::Diagnostics errors;
        QVERIFY(doc.open(tmp.writeWorkspace(yaml), &errors));
        ExportPage page(&doc);
        page.targetCombo()->setCurrentText(QStringLiteral("envoy"));
        QVERIFY(page.output()->toPlainText().contains(QStringLiteral("proto_descriptor: portico-grpc.pb")));
        const QString out = tmp.path(QStringLiteral("out/envoy.yaml"));
        QVERIFY(QDir().mkpath(tmp.path(QStringLiteral("out"))));
        QVERIFY(page.saveTo(out));
        QVERIFY(tmp.readFile(QStringLiteral("out/portico-grpc.pb")).contains("demo/users/v1/users.proto"));
        QVERIFY2(page.savedLabel()->text().contains(QStringLiteral("portico-grpc.pb")),
            qPrintable(page.savedLabel()->text()));
    }

    void routeBackendSaysWhenThereAreNoSchemas()
    {
        WorkspaceDocument doc;
        doc.reset(*config::loadWorkspaceText(kYaml, QStringLiteral("/tmp/x.yaml")).workspace);
        auto *form = new RouteForm(&doc);
        SectionPage page(QStringLiteral("Routes"), {}, new RoutesModel(&doc), form);
        page.show();
        page.selectRow(0);
        const int grpcIndex = form->backendCombo()->findData(int(RouteForm::Backend::GrpcTranscoded));
        form->backendCombo()->setCurrentIndex(grpcIndex);
        Q_EMIT form->backendCombo()->activated(grpcIndex);
        QVERIFY(doc.workspace().routes.at(0).grpc);
        QVERIFY(form->grpcEditor()->schemaNote()->text().contains(QStringLiteral("No gRPC schemas")));
        QVERIFY(!doc.diagnostics().isEmpty()); // transcoding without services or schemas is a problem
        QVERIFY(!form->field(QStringLiteral("grpc"))->message().isEmpty());
    }
};

QTEST_MAIN(GrpcSettingsAndRoutesTest)
#include "tst_GrpcSettingsAndRoutes.moc"
