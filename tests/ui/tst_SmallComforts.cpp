// Small but visible: Export saves where the user works and says it saved, the nginx header
// points at documentation that is installed, the View menu keeps "Consumers & Keys" and lists
// Problems once, and Help has the documentation, the shortcuts and the filter language. The
// Problems dock shows three rows at least, at 1100x700 too.

#include "core/capture/FilterExpression.h"
#include "core/config/WorkspaceLoader.h"
#include "core/export/Exporter.h"
#include "ui/document/WorkspaceDocument.h"
#include "ui/exporter/ExportPage.h"
#include "ui/main/Application.h"
#include "ui/main/HelpPages.h"
#include "ui/main/MainActions.h"
#include "ui/main/MainWindow.h"
#include "ui/main/ProblemsPanel.h"

#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace portico;
using namespace portico::ui;

namespace {

const QByteArray kWorkspace = R"(
version: 1
gateway: {listen: 127.0.0.1:0}
admin: {enabled: false}
capture: {enabled: false}
routes:
  - {name: health, match: {path_exact: /health}, mock: {status: 200, body: ok}}
)";

QString plain(QString text)
{
    text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
    text.remove(u'&');
    return text.replace(u'\x01', u'&');
}

} // namespace

class SmallComfortsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void exportSavesWhereTheUserWorksAndSaysSo()
    {
        QTemporaryDir dir;
        const auto loaded
            = config::loadWorkspaceText(kWorkspace, dir.filePath(QStringLiteral("portico.yaml")));
        QVERIFY(loaded.ok());
        WorkspaceDocument doc;
        doc.reset(*loaded.workspace);
        ExportPage page(&doc);
        page.targetCombo()->setCurrentText(QStringLiteral("nginx"));
        QVERIFY2(page.defaultSavePath().startsWith(QDir(dir.path()).absolutePath() + u'/'),
            qPrintable(page.defaultSavePath()));

        // The demo lives in the application's data folder: not a place to offer.
        config::Workspace demo = *loaded.workspace;
        demo.filePath = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
            + QStringLiteral("/demo/portico.yaml");
        QVERIFY(QDir().mkpath(QFileInfo(demo.filePath).path()));
        WorkspaceDocument demoDoc;
        demoDoc.reset(demo);
        ExportPage demoPage(&demoDoc);
        QVERIFY2(!demoPage.defaultSavePath().contains(QStringLiteral("/demo/")),
            qPrintable(demoPage.defaultSavePath()));

        const QString out = dir.filePath(QStringLiteral("out/nginx.conf"));
        QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("out"))));
        QVERIFY(page.savedLabel()->text().isEmpty());
        QVERIFY(page.saveTo(out));
        QVERIFY(QFile::exists(out));
        QVERIFY2(page.savedLabel()->text().startsWith(QStringLiteral("Saved nginx to ")),
            qPrintable(page.savedLabel()->text()));
        QVERIFY(page.savedLabel()->text().endsWith(QStringLiteral("out/nginx.conf")));
        // The next Save starts where this one went.
        QVERIFY2(demoPage.defaultSavePath().startsWith(QFileInfo(out).absolutePath() + u'/'),
            qPrintable(demoPage.defaultSavePath()));
    }

    void nginxHeaderPointsAtInstalledDocumentation()
    {
        const auto loaded = config::loadWorkspaceText(kWorkspace, QStringLiteral("/tmp/portico.yaml"));
        QVERIFY(loaded.ok());
        const QString text
            = QString::fromUtf8(exporter::exportWorkspace(*loaded.workspace, QStringLiteral("nginx")).text);
        QVERIFY(text.contains(QStringLiteral("/usr/share/doc/portico/nginx-mapping.md")));
        QVERIFY(!text.contains(QStringLiteral("core/export")));
        // ... which the packages install (packaging/CMakeLists.txt renames the source's MAPPING.md).
        const QByteArray source = qgetenv("PORTICO_SOURCE_DIR");
        QVERIFY(!source.isEmpty());
        QFile packaging(QString::fromLocal8Bit(source) + QStringLiteral("/packaging/CMakeLists.txt"));
        QVERIFY(packaging.open(QIODevice::ReadOnly));
        QVERIFY(packaging.readAll().contains(
            "core/export/nginx/MAPPING.md DESTINATION ${docdir} RENAME nginx-mapping.md"));
    }

    void menusSayWhatTheyMean()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("portico.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write(kWorkspace) == kWorkspace.size());
        f.close();
        QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        Application app(&settings);
        app.start(path);
        MainActions *actions = app.window()->actions();

        QStringList view;
        for (const QAction *a : actions->viewMenu->actions())
            view << plain(a->text());
        QVERIFY2(view.contains(QStringLiteral("Show Consumers & Keys")), qPrintable(view.join(u',')));
        QVERIFY2(view.contains(QStringLiteral("Show Tiers & Limits")), qPrintable(view.join(u',')));
        QCOMPARE(view.count(QStringLiteral("Problems")), 1);

        QStringList help;
        for (const QAction *a : actions->helpMenu->actions())
            help << plain(a->text());
        for (const QString &item : { QStringLiteral("Documentation"), QStringLiteral("Keyboard Shortcuts"),
                 QStringLiteral("Filter Language"), QStringLiteral("About Portico") })
            QVERIFY2(help.contains(item), qPrintable(item));

        QVERIFY(HelpPages::documentation().startsWith(QStringLiteral("# Getting started with Portico")));
        const QString keys = HelpPages::shortcuts(app.window());
        QVERIFY2(keys.contains(QStringLiteral("Apply to Gateway")), qPrintable(keys));
        QVERIFY(keys.contains(QStringLiteral("Show Consumers & Keys")));
        QVERIFY(keys.contains(QStringLiteral("Send the selected requests again (R)")));
        const QString filters = HelpPages::filterLanguage();
        for (const QString &field : capture::FilterExpression::fieldNames())
            QVERIFY2(filters.contains(QLatin1Char('`') + field), qPrintable(field));

        // Help > Documentation opens a window that shows the guide.
        for (QAction *a : actions->helpMenu->actions()) {
            if (plain(a->text()) == u"Documentation")
                a->trigger();
        }
        QDialog *shown = nullptr;
        for (QDialog *d : app.window()->findChildren<QDialog *>()) {
            if (d->isVisible())
                shown = d;
        }
        QVERIFY(shown);
        QVERIFY(
            shown->findChild<QTextBrowser *>()->toPlainText().contains(QStringLiteral("Getting started")));
    }

    // The dock was 60 px: its title and two lines, a problem half cut. Now three rows at least, on
    // a 1100x700 window as well.
    void problemsDockShowsRows()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("portico.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write(kWorkspace) == kWorkspace.size());
        f.close();
        QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        Application app(&settings);
        app.start(path);
        MainWindow *window = app.window();
        window->resize(1100, 700);
        QVERIFY(QTest::qWaitForWindowExposed(window));
        ProblemsPanel *problems = window->problems();
        auto *dock = window->findChild<QDockWidget *>(QStringLiteral("problemsDock"));
        QVERIFY(dock && dock->isVisible());
        const int row = problems->rowHeight();
        QVERIFY(row >= problems->list()->fontMetrics().height());
        QTRY_VERIFY2(problems->list()->viewport()->height() >= 3 * row,
            qPrintable(
                QStringLiteral("%1 px for rows of %2").arg(problems->list()->viewport()->height()).arg(row)));
        QVERIFY(problems->list()->minimumHeight() >= 3 * row);
        // Dragged smaller, it stops at three rows.
        window->resizeDocks({ dock }, { 10 }, Qt::Vertical);
        QTRY_VERIFY(problems->list()->viewport()->height() >= 3 * row - 2);
    }
};

QTEST_MAIN(SmallComfortsTest)
#include "tst_SmallComforts.moc"
