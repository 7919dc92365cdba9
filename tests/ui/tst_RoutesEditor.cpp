// Drives the Routes section as a user would: add a route, set its fields, undo, redo; a bad field
// shows the same message as `portico-cli check`; and the file round trip through the writer.

#include "core/config/WorkspaceLoader.h"
#include "support/TempWorkspace.h"
#include "ui/document/WorkspaceDocument.h"
#include "ui/models/RoutesModel.h"
#include "ui/sections/ConsumerForm.h"
#include "ui/sections/RouteForm.h"
#include "ui/sections/RouteMatchEditor.h"
#include "ui/sections/SectionPage.h"
#include "ui/sections/VersionsEditor.h"
#include "ui/widgets/CheckList.h"
#include "ui/widgets/DurationEdit.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/RateLimitBox.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>

using namespace portico;
using namespace portico::ui;

namespace {

const char *kYaml = R"(
version: 1
upstreams:
  users: {targets: [{url: http://127.0.0.1:9001}]}
  orders: {targets: [{url: http://127.0.0.1:9003}]}
auth:
  keys: {type: api_key, header: X-API-Key}
routes:
  - {name: users, match: {path: /users}, upstream: users}
)";

void typeInto(QLineEdit *edit, const QString &text)
{
    edit->setFocus();
    edit->selectAll();
    QTest::keyClicks(edit, text);
    QTest::keyClick(edit, Qt::Key_Return);
}

} // namespace

class RoutesEditorTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The version table shows each deprecation's since and sunset dates and link, and gives
    // back exactly what it was given (a date left out of the table would be lost on the next edit).
    void versionTableKeepsEveryDeprecationField()
    {
        config::Versions v;
        v.map = { { QStringLiteral("v1"), QStringLiteral("users-v1") },
            { QStringLiteral("v2"), QStringLiteral("users-v2") } };
        v.defaultVersion = QStringLiteral("v2");
        config::Deprecation d;
        d.since = QDate(2026, 1, 15);
        d.sunset = QDate(2027, 6, 30);
        d.link = QStringLiteral("https://docs.example.com/migrate-v2");
        v.deprecated = { { QStringLiteral("v1"), d } };
        const QList<QStringList> rows = VersionsEditor::toRows(v);
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].value(VersionsEditor::SinceColumn), QStringLiteral("2026-01-15"));
        QCOMPARE(rows[0].value(VersionsEditor::SunsetColumn), QStringLiteral("2027-06-30"));
        QCOMPARE(rows[1].value(VersionsEditor::DeprecatedColumn), QStringLiteral("false"));
        QCOMPARE(VersionsEditor::fromRows(v, rows), v);
    }

    void addEditUndoRedo()
    {
        test::TempWorkspace tmp;
        WorkspaceDocument doc;
        config::Diagnostics errors;
        QVERIFY(doc.open(tmp.writeWorkspace(QString::fromUtf8(kYaml)), &errors));
        auto *form = new RouteForm(&doc);
        SectionPage page(QStringLiteral("Routes"), {}, new RoutesModel(&doc), form);
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));

        QTest::mouseClick(page.addButton(), Qt::LeftButton);
        QCOMPARE(doc.workspace().routes.size(), 2);
        QCOMPARE(page.currentRow(), 1);
        typeInto(form->nameEdit(), QStringLiteral("orders"));
        typeInto(form->matchEditor()->pathEdit(), QStringLiteral("/orders"));
        form->matchEditor()->methods()->box(QStringLiteral("POST"))->click();
        const int orders = form->upstreamCombo()->findData(QStringLiteral("orders"));
        QVERIFY(orders >= 0);
        form->upstreamCombo()->setCurrentIndex(orders);
        Q_EMIT form->upstreamCombo()->activated(orders);
        form->authChecks()->box(QStringLiteral("keys"))->click();

        const config::Route &r = doc.workspace().routes.at(1);
        QCOMPARE(r.name, QStringLiteral("orders"));
        QCOMPARE(r.match.path, QStringLiteral("/orders"));
        QCOMPARE(r.match.methods, QStringList { QStringLiteral("POST") });
        QCOMPARE(r.upstream, QStringLiteral("orders"));
        QCOMPARE(r.filters.value<config::AuthConfig>().schemes, QStringList { QStringLiteral("keys") });
        QCOMPARE(page.model()->index(1, 2).data().toString(), QStringLiteral("→ orders"));
        QVERIFY(doc.diagnostics().isEmpty());

        // Undo every step: the route is gone; redo brings it back with its fields.
        const int steps = doc.undoStack()->index();
        while (doc.undoStack()->canUndo())
            doc.undoStack()->undo();
        QCOMPARE(doc.workspace().routes.size(), 1);
        QVERIFY(!doc.isModified());
        while (doc.undoStack()->index() < steps)
            doc.undoStack()->redo();
        QCOMPARE(doc.workspace().routes.size(), 2);
        QCOMPARE(doc.workspace().routes.at(1).upstream, QStringLiteral("orders"));
        page.selectRow(1);
        QCOMPARE(form->nameEdit()->text(), QStringLiteral("orders"));
        QCOMPARE(form->upstreamCombo()->currentData().toString(), QStringLiteral("orders"));

        // Saved through the core writer, the file loads back to the same workspace.
        QString error;
        QVERIFY2(doc.save(&error), qPrintable(error));
        const auto reloaded = config::loadWorkspaceFile(doc.filePath());
        QVERIFY(reloaded.ok());
        QVERIFY(*reloaded.workspace == doc.workspace());
    }

    void badFieldShowsCheckMessage()
    {
        WorkspaceDocument doc;
        doc.reset(*config::loadWorkspaceText(kYaml, QStringLiteral("/tmp/x.yaml")).workspace);
        auto *form = new RouteForm(&doc);
        SectionPage page(QStringLiteral("Routes"), {}, new RoutesModel(&doc), form);
        page.show();
        typeInto(form->matchEditor()->pathEdit(), QStringLiteral("users"));
        FieldBox *path = form->field(QStringLiteral("match.path"));
        QVERIFY(path);
        QCOMPARE(path->message(), QStringLiteral("path 'users' must start with '/'"));
        // The same text as validateWorkspace(), i.e. as `check`.
        QCOMPARE(doc.diagnostics().first().message, path->message());
        QCOMPARE(page.model()->index(0, 0).data(Qt::DecorationRole).isNull(), false);
        typeInto(form->matchEditor()->pathEdit(), QStringLiteral("/users"));
        QVERIFY(path->message().isEmpty());
    }

    void durationFieldRejectsBadText()
    {
        WorkspaceDocument doc;
        doc.reset(*config::loadWorkspaceText(kYaml, QStringLiteral("/tmp/x.yaml")).workspace);
        auto *form = new RouteForm(&doc);
        SectionPage page(QStringLiteral("Routes"), {}, new RoutesModel(&doc), form);
        page.show();
        RateLimitBox *limit = form->rateLimitBox();
        limit->setChecked(true);
        QVERIFY(doc.workspace().routes.at(0).filters.value<config::RateLimitConfig>().limit.has_value());
        typeInto(limit->perEdit(), QStringLiteral("5 minutes"));
        QVERIFY(limit->perField()->message().contains(QStringLiteral("not a duration")));
        QCOMPARE(doc.workspace().routes.at(0).filters.value<config::RateLimitConfig>().limit->per,
            std::chrono::milliseconds(60'000));
        typeInto(limit->perEdit(), QStringLiteral("5m"));
        QVERIFY(limit->perField()->message().isEmpty());
        QCOMPARE(doc.workspace().routes.at(0).filters.value<config::RateLimitConfig>().limit->per,
            std::chrono::milliseconds(300'000));
    }

    void generatedKeysAreRandomBase64Url()
    {
        const QString a = ConsumerForm::generateApiKey();
        const QString b = ConsumerForm::generateApiKey();
        QCOMPARE(a.size(), 43);
        QVERIFY(a != b);
        QVERIFY(QRegularExpression(QStringLiteral("^[A-Za-z0-9_-]+$")).match(a).hasMatch());
    }

    void outsideEditIsReloaded()
    {
        test::TempWorkspace tmp;
        const QString path = tmp.writeWorkspace(QString::fromUtf8(kYaml));
        WorkspaceDocument doc;
        QVERIFY(doc.open(path, nullptr));
        QSignalSpy reloaded(&doc, &WorkspaceDocument::reloaded);
        QString changed = QString::fromUtf8(kYaml);
        changed.replace(QStringLiteral("path: /users"), QStringLiteral("path: /people"));
        tmp.writeWorkspace(changed);
        QTRY_COMPARE(reloaded.size(), 1);
        QCOMPARE(doc.workspace().routes.at(0).match.path, QStringLiteral("/people"));
        QVERIFY(!doc.isModified());
        doc.undoStack()->undo(); // the reload is one undoable step
        QCOMPARE(doc.workspace().routes.at(0).match.path, QStringLiteral("/users"));
    }

    // At 1100 px the list pane is narrow: the route's name is read whole ("public-catalog") and
    // every column stays in view, the long ones (match, backend) elided instead.
    void namesStayWholeInANarrowList()
    {
        const QString yaml = QString::fromUtf8(kYaml)
            + QStringLiteral(
                "  - {name: public-catalog, match: {path: /catalog/very/long/prefix/of/the/public/api, "
                "methods: [GET, POST, PUT, PATCH, DELETE]}, upstream: orders, auth: [keys]}\n");
        test::TempWorkspace tmp;
        WorkspaceDocument doc;
        config::Diagnostics errors;
        QVERIFY(doc.open(tmp.writeWorkspace(yaml), &errors));
        SectionPage page(QStringLiteral("Routes"), {}, new RoutesModel(&doc), new RouteForm(&doc));
        page.resize(1100 - 190, 500);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTableView *table = page.table();
        const int names = table->fontMetrics().horizontalAdvance(QStringLiteral("public-catalog"));
        const int last = page.model()->columnCount() - 1;
        QTRY_VERIFY2(table->columnViewportPosition(last)
                    + static_cast<QAbstractItemView *>(table)->sizeHintForColumn(last)
                <= table->viewport()->width() + 2,
            qPrintable(QStringLiteral("the last column starts at %1 of %2")
                           .arg(table->columnViewportPosition(last))
                           .arg(table->viewport()->width())));
        QVERIFY(table->columnWidth(0) > names);
        for (int c = 0; c < last; ++c)
            QVERIFY(table->columnWidth(c) >= 60);
        // The last column reaches the table's right edge (it stretches).
        QCOMPARE(table->columnViewportPosition(last) + table->columnWidth(last), table->viewport()->width());
        // Wider again: the columns get their room back.
        const int match = table->columnWidth(1);
        page.resize(1800, 500);
        QTRY_VERIFY(table->columnWidth(1) > match);
        QTRY_COMPARE(
            table->columnViewportPosition(last) + table->columnWidth(last), table->viewport()->width());
    }
};

QTEST_MAIN(RoutesEditorTest)
#include "tst_RoutesEditor.moc"
