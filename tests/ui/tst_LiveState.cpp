// The tool bar always says whether the editor differs from what the running gateway serves
// ("3 unapplied changes", Apply highlighted; an opened file not applied), and its buttons stay
// where they are while the Undo text changes.

#include "ui/document/WorkspaceDocument.h"
#include "ui/gateway/GatewayController.h"
#include "ui/main/Application.h"
#include "ui/main/LiveState.h"
#include "ui/main/MainActions.h"
#include "ui/main/MainWindow.h"

#include <QFile>
#include <QLabel>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QUndoStack>

using namespace portico;
using namespace portico::ui;

namespace {

bool writeFile(const QString &path, const QByteArray &text)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
}

const QByteArray kWorkspace = R"(
version: 1
gateway: {listen: 127.0.0.1:0}
admin: {enabled: false}
capture: {enabled: false}
routes:
  - {name: health, match: {path_exact: /health}, mock: {status: 200, body: ok}}
)";

} // namespace

class LiveStateTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void saysWhatIsNotLive()
    {
        QTemporaryDir dir;
        const QString first = dir.filePath(QStringLiteral("portico.yaml"));
        const QString second = dir.filePath(QStringLiteral("other.yaml"));
        QVERIFY(writeFile(first, kWorkspace));
        QVERIFY(writeFile(
            second, kWorkspace + "  - {name: ping, match: {path_exact: /ping}, mock: {status: 204}}\n"));
        QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        Application app(&settings);
        app.start(first);
        MainActions *actions = app.window()->actions();
        QLabel *live = actions->liveLabel;
        QWidget *applyButton = actions->toolBar->widgetForAction(actions->apply);
        QVERIFY(applyButton);
        QCOMPARE(live->text(), QStringLiteral("Gateway stopped"));

        QVERIFY(app.startGateway());
        QCOMPARE(live->text(), QStringLiteral("Live: matches the editor"));
        QCOMPARE(applyButton->property("pending").toBool(), false);

        WorkspaceDocument *doc = app.document();
        QWidget *startButton = actions->toolBar->widgetForAction(actions->start);
        QTRY_VERIFY(startButton->isVisible());
        const QPoint startAt = startButton->pos();
        for (int i = 1; i <= 3; ++i) {
            QVERIFY(doc->edit(
                QStringLiteral("Change the capture body limit to %1 bytes, a long undo text").arg(i),
                [i](config::Workspace &ws) { ws.capture.maxBodyBytes = 1000 + i; }));
        }
        QCOMPARE(live->text(), QStringLiteral("3 unapplied changes"));
        QCOMPARE(app.liveState()->unappliedChanges(), 3);
        QCOMPARE(applyButton->property("pending").toBool(), true);
        QCOMPARE(actions->undoButton->text(), QStringLiteral("Undo"));
        QVERIFY(actions->undoButton->toolTip().contains(QStringLiteral("body limit to 3")));
        QApplication::processEvents();
        QCOMPARE(startButton->pos(), startAt); // the long Undo text did not push it

        doc->undoStack()->undo();
        QCOMPARE(live->text(), QStringLiteral("2 unapplied changes"));
        doc->undoStack()->undo();
        doc->undoStack()->undo();
        QCOMPARE(live->text(), QStringLiteral("Live: matches the editor"));
        QCOMPARE(applyButton->property("pending").toBool(), false);

        doc->undoStack()->redo();
        QVERIFY(app.applyToGateway());
        QCOMPARE(live->text(), QStringLiteral("Live: matches the editor"));

        // Opening another file while the gateway runs: it is not what the gateway serves.
        QVERIFY(app.window()->openWorkspace(second));
        QCOMPARE(live->text(), QStringLiteral("other.yaml opened, not applied"));
        QCOMPARE(applyButton->property("pending").toBool(), true);
        QVERIFY(app.applyToGateway());
        QCOMPARE(live->text(), QStringLiteral("Live: matches the editor"));

        app.gateway()->stop();
        QCOMPARE(live->text(), QStringLiteral("Gateway stopped"));
    }
};

QTEST_MAIN(LiveStateTest)
#include "tst_LiveState.moc"
