// `portico-cli help [COMMAND|TOPIC]`: the help topics the man page is generated from
// (packaging/HelpToMan.cmake) answer, and say everything their subject has.
#include "ProcessRun.h"
#include "core/capture/FilterExpression.h"

#include <QFileInfo>
#include <QTest>

class TstCliHelp : public QObject
{
    Q_OBJECT

private:
    using Run = portico::test::ProcessRun;
    static Run cli(const QStringList &args) { return portico::test::runCli(args); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(qEnvironmentVariable("PORTICO_CLI")), "PORTICO_CLI not set");
    }

    void topLevelHelpNamesTopicsAndExitStatus()
    {
        const Run r = cli({ QStringLiteral("--help") });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("\n  filter "), r.out.constData());
        QVERIFY(r.out.contains("\n  files "));
        QVERIFY(r.out.contains("\nExit status: 0 success"));
        QCOMPARE(cli({ QStringLiteral("help") }).out, r.out);
        QCOMPARE(cli({ QStringLiteral("help"), QStringLiteral("--help") }).out, r.out);
    }

    // Every field the parser knows is described, so the man page's FILTER LANGUAGE is complete.
    void filterTopicDescribesEveryField()
    {
        const Run r = cli({ QStringLiteral("help"), QStringLiteral("filter") });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.err, QByteArray());
        const QStringList fields = portico::capture::FilterExpression::fieldNames();
        QVERIFY(fields.size() >= 20);
        for (const QString &f : fields)
            QVERIFY2(r.out.contains("\n  " + f.toUtf8() + ':'), qPrintable(f));
    }

    // The examples in the topic are filters the parser accepts.
    void filterTopicExamplesParse()
    {
        const Run r = cli({ QStringLiteral("help"), QStringLiteral("filter") });
        for (const QByteArray &line : r.out.split('\n')) {
            if (!line.startsWith("  "))
                continue;
            const QString example = QString::fromUtf8(line.trimmed().split(' ').first());
            portico::capture::FilterError error;
            QVERIFY2(portico::capture::FilterExpression::parse(example, &error),
                qPrintable(example + ": " + error.toString()));
        }
    }

    void filesTopic()
    {
        const Run r = cli({ QStringLiteral("help"), QStringLiteral("files") });
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("/usr/share/doc/portico/portico.example.yaml"));
        QVERIFY(r.out.contains("/etc/portico/portico.yaml"));
    }

    void helpCommandIsCommandHelp()
    {
        for (const char *command : { "serve", "check", "export", "import", "traffic", "replay" }) {
            const Run viaHelp = cli({ QStringLiteral("help"), QString::fromLatin1(command) });
            const Run direct = cli({ QString::fromLatin1(command), QStringLiteral("--help") });
            QCOMPARE(viaHelp.exitCode, 0);
            QVERIFY(viaHelp.out.startsWith("Usage: portico-cli " + QByteArray(command)));
            QCOMPARE(viaHelp.out, direct.out);
        }
    }

    void unknownTopic_data()
    {
        QTest::addColumn<QString>("topic");
        QTest::newRow("unknown") << QStringLiteral("nosuch");
        QTest::newRow("empty") << QString();
        QTest::newRow("path") << QStringLiteral("../../etc/passwd");
        QTest::newRow("case") << QStringLiteral("FILTER");
        QTest::newRow("control") << QStringLiteral("filter\n\x1b[2J");
    }

    void unknownTopic()
    {
        QFETCH(QString, topic);
        const Run r = cli({ QStringLiteral("help"), topic });
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.out, QByteArray());
        QVERIFY2(r.err.contains("no command or topic") && r.err.contains("filter, files"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TstCliHelp)
#include "tst_cli_help.moc"
