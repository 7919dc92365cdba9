#include "core/common/Clock.h"
#include "core/config/WorkspaceLoader.h"
#include "core/gateway/Gateway.h"
#include "support/LoopbackUpstream.h"
#include "ui/document/WorkspaceDocument.h"
#include "ui/gateway/GatewayController.h"
#include "ui/gateway/TargetHealth.h"
#include "ui/models/RowsModel.h"
#include "ui/models/UpstreamsModel.h"
#include "ui/sections/SectionPage.h"
#include "ui/sections/UpstreamForm.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/RowsEditor.h"
#include "ui/widgets/UserUrl.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>

using namespace portico;
using namespace portico::ui;

class UpstreamsSectionTest : public QObject
{
    Q_OBJECT

private:
    static config::Workspace sample()
    {
        const auto result = config::loadWorkspaceText(R"(
version: 1
upstreams:
  users: {targets: [{url: http://127.0.0.1:9001}]}
  orders: {targets: [{url: http://127.0.0.1:9003}]}
routes:
  - {name: users, match: {path: /users}, upstream: users}
)",
                                                      QStringLiteral("/tmp/sample.yaml"));
        if (!result.ok())
            qFatal("sample does not load: %s", qPrintable(result.errors.value(0).toString()));
        return *result.workspace;
    }

    // The Upstreams section (list and form) on the sample workspace, shown.
    struct Section
    {
        WorkspaceDocument doc;
        UpstreamForm *form;
        SectionPage page;
        Section()
            : form(new UpstreamForm(withSample(doc)))
            , page(QStringLiteral("Upstreams"), {}, new UpstreamsModel(&doc), form)
        {
            page.show();
        }
        static WorkspaceDocument *withSample(WorkspaceDocument &d)
        {
            d.reset(sample());
            return &d;
        }
    };

private Q_SLOTS:
    void modelFollowsDocument()
    {
        WorkspaceDocument doc;
        doc.reset(sample());
        UpstreamsModel model(&doc);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("orders"));
        doc.edit(QStringLiteral("add"), [&](config::Workspace &ws) { model.appendNew(ws); });
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(2, 0).data().toString(), QStringLiteral("upstream"));
        doc.undoStack()->undo();
        QCOMPARE(model.rowCount(), 2);
    }

    void renameFollowsReferencesAndUndoes()
    {
        Section s;
        QVERIFY(QTest::qWaitForWindowExposed(&s.page));
        QCOMPARE(s.page.currentRow(), 0);
        QLineEdit *name = s.form->nameEdit();
        name->setFocus();
        name->selectAll();
        QTest::keyClicks(name, QStringLiteral("people"));
        QTest::keyClick(name, Qt::Key_Return);
        QCOMPARE(s.doc.workspace().upstreams.at(0).name, QStringLiteral("people"));
        QCOMPARE(s.doc.workspace().routes.at(0).upstream, QStringLiteral("people"));
        QVERIFY(s.doc.isModified());
        QCOMPARE(s.page.model()->index(0, 0).data().toString(), QStringLiteral("people"));
        s.doc.undoStack()->undo();
        QCOMPARE(s.doc.workspace().routes.at(0).upstream, QStringLiteral("users"));
        QCOMPARE(name->text(), QStringLiteral("users"));
        QVERIFY(!s.doc.isModified());
    }

    void badTargetShowsCheckMessage()
    {
        Section s;
        RowsModel *targets = s.form->targetsEditor()->model();
        QAbstractItemModelTester tester(targets, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(targets->setData(targets->index(0, 0), QStringLiteral("ftp://127.0.0.1:21"), Qt::EditRole));
        QCOMPARE(s.doc.workspace().upstreams.at(0).targets.at(0).url.scheme(), QStringLiteral("ftp"));
        FieldBox *field = s.form->field(QStringLiteral("targets"));
        QVERIFY(field);
        QVERIFY2(field->message().contains(QStringLiteral("must use http or https")), qPrintable(field->message()));
        // The warning icon beside the name does not cut the name short.
        QTableView *table = s.page.table();
        QVERIFY(table->columnWidth(0) >= table->sizeHintForIndex(table->model()->index(0, 0)).width());
        s.doc.undoStack()->undo();
        QVERIFY(field->message().isEmpty());
    }

    // "127.0.0.1:9000" is what people type for a local service: it becomes an http URL instead
    // of vanishing (QUrl reads it as no URL at all) behind "target URL '' must use http".
    void targetWithoutSchemeIsTakenAsHttp()
    {
        Section s;
        RowsModel *targets = s.form->targetsEditor()->model();
        QVERIFY(targets->setData(targets->index(0, 0), QStringLiteral(" 127.0.0.1:9005 "), Qt::EditRole));
        QCOMPARE(s.doc.workspace().upstreams.at(0).targets.at(0).url,
            QUrl(QStringLiteral("http://127.0.0.1:9005")));
        QVERIFY(targets->setData(targets->index(0, 0), QStringLiteral("localhost:9006"), Qt::EditRole));
        QCOMPARE(s.doc.workspace().upstreams.at(0).targets.at(0).url,
            QUrl(QStringLiteral("http://localhost:9006")));
        QVERIFY2(s.form->field(QStringLiteral("targets"))->message().isEmpty(),
            qPrintable(s.form->field(QStringLiteral("targets"))->message()));
        QCOMPARE(targets->index(0, 0).data().toString(), QStringLiteral("http://localhost:9006"));
    }

    // The protocol per upstream: chosen from the keyboard, one undo step each; a target whose
    // scheme does not fit (h2 needs https, h2c http) gets the check's message under Targets.
    void protocolChoiceChecksTheScheme()
    {
        Section s;
        QVERIFY(QTest::qWaitForWindowExposed(&s.page));
        QComboBox *protocol = s.form->protocolCombo();
        QCOMPARE(protocol->count(), 3);
        QCOMPARE(protocol->currentData().toInt(), int(config::UpstreamProtocol::Http1));
        FieldBox *targets = s.form->field(QStringLiteral("targets"));
        QVERIFY(s.form->field(QStringLiteral("protocol")));
        protocol->setFocus();
        QTest::keyClick(protocol, Qt::Key_Down);
        QTest::keyClick(protocol, Qt::Key_Down);
        QCOMPARE(s.doc.workspace().upstreams.at(0).protocol, config::UpstreamProtocol::H2);
        QVERIFY2(targets->message().contains(QStringLiteral("must use https with protocol h2")),
            qPrintable(targets->message()));
        QTest::keyClick(protocol, Qt::Key_Up);
        QCOMPARE(s.doc.workspace().upstreams.at(0).protocol, config::UpstreamProtocol::H2c);
        QVERIFY2(targets->message().isEmpty(), qPrintable(targets->message()));
        QCOMPARE(s.doc.undoStack()->count(), 3);
        s.doc.undoStack()->undo();
        QCOMPARE(protocol->currentData().toInt(), int(config::UpstreamProtocol::H2));
        s.doc.undoStack()->undo();
        s.doc.undoStack()->undo();
        QCOMPARE(s.doc.workspace().upstreams.at(0).protocol, config::UpstreamProtocol::Http1);
        QCOMPARE(protocol->currentData().toInt(), int(config::UpstreamProtocol::Http1));
        QVERIFY(targets->message().isEmpty());
    }

    // Text that is no URL at all stays as typed (it used to blank the cell, and the message then
    // talked about ''): the cell shows it, tinted, with the check's message, which quotes it.
    void notAUrlIsKeptAsTyped()
    {
        Section s;
        RowsModel *targets = s.form->targetsEditor()->model();
        QVERIFY(targets->setData(targets->index(0, 0), QStringLiteral("not a url"), Qt::EditRole));
        QCOMPARE(s.doc.workspace().upstreams.at(0).targets.at(0).url.toString(), QStringLiteral("not a url"));
        QCOMPARE(targets->index(0, 0).data().toString(), QStringLiteral("not a url"));
        FieldBox *field = s.form->field(QStringLiteral("targets"));
        QVERIFY2(field->message().contains(QStringLiteral("'not a url'")), qPrintable(field->message()));
        QVERIFY2(
            targets->index(0, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("'not a url'")),
            qPrintable(targets->index(0, 0).data(Qt::ToolTipRole).toString()));
        QVERIFY(targets->index(0, 0).data(Qt::BackgroundRole).isValid());
        QVERIFY(!targets->index(0, 1).data(Qt::BackgroundRole).isValid());
        // Fixed: the mark goes.
        QVERIFY(
            targets->setData(targets->index(0, 0), QStringLiteral("http://127.0.0.1:9007"), Qt::EditRole));
        QVERIFY(targets->index(0, 0).data(Qt::ToolTipRole).toString().isEmpty());
        QVERIFY(!targets->index(0, 0).data(Qt::BackgroundRole).isValid());
        // Whatever is typed stays visible (never blank): exactly as typed, or percent-encoded where
        // QUrl needs it.
        QCOMPARE(userUrl(QStringLiteral("two words")).toString(), QStringLiteral("two words"));
        for (const char *typed : { "ht tp://x", "a b:c", "%zz", "::/x y" })
            QVERIFY2(!userUrl(QString::fromLatin1(typed)).toString().isEmpty(), typed);
    }

    // The running gateway's verdict on each target, under the targets: a dead one is down.
    void targetHealthIsShown()
    {
        portico::test::LoopbackUpstream live;
        QVERIFY(live.isRunning());
        const auto loaded
            = config::loadWorkspaceText(QStringLiteral(R"(
version: 1
gateway: {listen: 127.0.0.1:0}
admin: {enabled: false}
capture: {enabled: false}
upstreams:
  users:
    targets: ["%1", "%2"]
    health_check: {path: /healthz, interval: 100ms, timeout: 500ms, unhealthy_after: 1, healthy_after: 1}
routes:
  - {name: users, match: {path: /users}, upstream: users}
)")
                                            .arg(live.url().toString(), QStringLiteral("http://127.0.0.1:1"))
                                            .toUtf8(),
                QStringLiteral("/tmp/health.yaml"));
        QVERIFY2(loaded.ok(), qPrintable(loaded.errors.value(0).toString()));
        WorkspaceDocument doc;
        doc.reset(*loaded.workspace);
        UpstreamForm form(&doc);
        TargetHealth health;
        form.setHealth(&health);
        form.setRow(0);
        QVERIFY2(form.healthLabel()->text().contains(QStringLiteral("while the gateway runs")),
            qPrintable(form.healthLabel()->text()));
        GatewayController gateway(SystemClock::instance());
        connect(&gateway, &GatewayController::runningChanged, &health, &TargetHealth::setRunning);
        connect(gateway.gateway(), &gateway::Gateway::targetHealthChanged, &health, &TargetHealth::update);
        QCOMPARE(gateway.start(loaded.workspace), QStringList());
        QTRY_VERIFY2_WITH_TIMEOUT(
            form.healthLabel()->text().contains(QStringLiteral("http://127.0.0.1:1 down since")),
            qPrintable(form.healthLabel()->text()), 10000);
        QVERIFY2(form.healthLabel()->text().contains(live.url().toString() + QStringLiteral(" in rotation")),
            qPrintable(form.healthLabel()->text()));
        gateway.stop();
        QTRY_VERIFY(form.healthLabel()->text().contains(QStringLiteral("while the gateway runs")));
    }

    void typedUrls()
    {
        QCOMPARE(userUrl(QStringLiteral("localhost:9100/jwks")), QUrl(QStringLiteral("http://localhost:9100/jwks")));
        QCOMPARE(userUrl(QStringLiteral("https://idp.example/jwks")), QUrl(QStringLiteral("https://idp.example/jwks")));
        QCOMPARE(userUrl(QStringLiteral("ftp://h:21")).scheme(), QStringLiteral("ftp")); // kept, the check names it
        QVERIFY(userUrl(QStringLiteral("  ")).isEmpty());
    }

    void addAndRemoveThroughButtons()
    {
        WorkspaceDocument doc;
        doc.reset(sample());
        SectionPage page(QStringLiteral("Upstreams"), {}, new UpstreamsModel(&doc), new UpstreamForm(&doc));
        page.show();
        QTest::mouseClick(page.addButton(), Qt::LeftButton);
        QCOMPARE(doc.workspace().upstreams.size(), 3);
        QCOMPARE(page.currentRow(), 2);
        QTest::mouseClick(page.removeButton(), Qt::LeftButton);
        QCOMPARE(doc.workspace().upstreams.size(), 2);
        QCOMPARE(page.currentRow(), 1);
        QCOMPARE(doc.undoStack()->count(), 2);
    }
};

QTEST_MAIN(UpstreamsSectionTest)
#include "tst_UpstreamsSection.moc"
