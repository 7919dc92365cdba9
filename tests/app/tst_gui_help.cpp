// `portico --help` and `--version` answer in a terminal without a display (over SSH, in a
// packaging check) instead of aborting for want of a Qt platform plugin.
#include "ProcessRun.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTest>

class TstGuiHelp : public QObject
{
    Q_OBJECT

private:
    static QString guiBinary()
    {
        return QFileInfo(qEnvironmentVariable("PORTICO_CLI")).dir().filePath(QStringLiteral("portico"));
    }

    using Run = portico::test::ProcessRun;

    // Without a display, as on a server or in CI.
    static Run run(const QStringList &args)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        return portico::test::runProcess(guiBinary(), args, env, {}, 20'000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists(guiBinary()))
            QSKIP("the desktop application is not built in this tree");
    }

    void helpWithoutADisplay()
    {
        const Run r = run({ QStringLiteral("--help") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("--demo"), r.out.constData());
        QVERIFY(r.out.contains("workspace"));
    }

    void versionWithoutADisplay()
    {
        const Run r = run({ QStringLiteral("--version") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.startsWith("Portico " PORTICO_VERSION), r.out.constData());
    }
};

QTEST_GUILESS_MAIN(TstGuiHelp)
#include "tst_gui_help.moc"
