// portico-cli check, run as a real process: exit status, stdout and the exact diagnostics on stderr.
#include "ProcessRun.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestCliCheck : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
    };

    static Run run(const QStringList &args)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // The example file's ${...} secrets must not be needed for it to be valid.
        for (const char *name : { "PORTICO_ADMIN_TOKEN", "JWT_SECRET", "INTROSPECTION_SECRET" })
            env.remove(QString::fromLatin1(name));
        const portico::test::ProcessRun r
            = portico::test::runProcess(qEnvironmentVariable("PORTICO_CLI"), args, env, {}, 30'000);
        return { r.exitCode, QString::fromUtf8(r.out), QString::fromUtf8(r.err) };
    }

    QString write(const QString &name, const QByteArray &text)
    {
        QFile f(m_dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(text);
        return f.fileName();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(QFileInfo::exists(qEnvironmentVariable("PORTICO_CLI")), "PORTICO_CLI not set"); }

    void exampleIsValid()
    {
        const QString example = qEnvironmentVariable("PORTICO_SOURCE_DIR") + "/docs/portico.example.yaml";
        const Run r = run({ "check", "-c", example });
        QCOMPARE(r.err, QString());
        QCOMPARE(r.out, example + ": ok\n");
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(run({ "check", "--config", example }).exitCode, 0);
    }

    void threeMistakes()
    {
        const QString file = write("bad.yaml", "version: 1\n"
                                               "upstreams:\n"
                                               "  users:\n"
                                               "    targets: [{url: http://127.0.0.1:9001}]\n"
                                               "routes:\n"
                                               "  - name: users\n"
                                               "    match: {path: /api/users, methds: [GET]}\n"
                                               "    upstream: userz\n"
                                               "    timeout: 5x\n");
        const Run r = run({ "check", "-c", file });
        QCOMPARE(r.err, file + ":7:31: error: unknown key 'methds' in route match (did you mean 'methods'?)\n" + file
                     + ":8:15: error: route 'users' names upstream 'userz', which does not exist\n" + file
                     + ":9:14: error: invalid duration '5x' (use e.g. 250ms, 5s, 1m, 2h, 30d)\n");
        QCOMPARE(r.out, QString());
        QCOMPARE(r.exitCode, 2);
    }

    void yamlSyntaxError()
    {
        const QString file = write("syntax.yaml", "version: 1\nroutes: [\n");
        const Run r = run({ "check", "-c", file });
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith(file + ":3:1: error: YAML syntax error: "), qPrintable(r.err));
    }

    void validJson()
    {
        const QString file = write("ws.json", R"({"version": 1, "routes": [{"name": "h", "match": {"path_exact": "/h"},
            "mock": {"status": 204}}]})");
        const Run r = run({ "check", "-c", file });
        QCOMPARE(r.err, QString());
        QCOMPARE(r.exitCode, 0);
    }

    void unreadableFile()
    {
        const QString missing = m_dir.filePath("missing.yaml");
        const Run r = run({ "check", "-c", missing });
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith(missing + ": error: cannot read the file"), qPrintable(r.err));
    }

    void usage()
    {
        Run r = run({ "check" });
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("Usage: portico-cli check -c FILE"), qPrintable(r.err));
        r = run({ "check", "-c" });
        QCOMPARE(r.exitCode, 2);
        r = run({ "check", "--bogus" });
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("unexpected argument '--bogus'"), qPrintable(r.err));
        r = run({ "check", "--help" });
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("Usage: portico-cli check -c FILE\n"));
    }
};

QTEST_GUILESS_MAIN(TestCliCheck)
#include "tst_cli_check.moc"
