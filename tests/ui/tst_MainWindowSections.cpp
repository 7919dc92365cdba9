// `portico --section NAME` and the tour find a section the way a user writes it: any case, or
// the start of its name ("consumers" for "Consumers & Keys"); an unknown name changes nothing.

#include "ui/document/WorkspaceDocument.h"
#include "ui/main/MainWindow.h"
#include "ui/main/RecentFiles.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace portico::ui;

class MainWindowSectionsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsSectionsAsUsersWriteThem()
    {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        WorkspaceDocument doc;
        RecentFiles recent(&settings);
        MainWindow window(&doc, &recent, &settings);
        for (const QString &name : { QStringLiteral("Routes"), QStringLiteral("Consumers & Keys"),
                 QStringLiteral("Traffic"), QStringLiteral("Tiers & Limits") })
            window.addSection(name, QStringLiteral("*"), new QWidget);

        QVERIFY(window.showSection(QStringLiteral("Traffic")));
        QCOMPARE(window.currentSection(), QStringLiteral("Traffic"));
        QVERIFY(window.showSection(QStringLiteral("consumers")));
        QCOMPARE(window.currentSection(), QStringLiteral("Consumers & Keys"));
        QVERIFY(window.showSection(QStringLiteral("ROUTES")));
        QCOMPARE(window.currentSection(), QStringLiteral("Routes"));

        // "T" fits Traffic and Tiers: ambiguous, like a name that fits nothing.
        QVERIFY(!window.showSection(QStringLiteral("t")));
        QVERIFY(!window.showSection(QStringLiteral("nope")));
        QCOMPARE(window.currentSection(), QStringLiteral("Routes"));
        QCOMPARE(window.sectionNames().size(), 4);
    }
};

QTEST_MAIN(MainWindowSectionsTest)
#include "tst_MainWindowSections.moc"
