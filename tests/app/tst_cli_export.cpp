#include "ProcessRun.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

// portico-cli export and import, run as a user would: the contract's example workspace goes out to
// every target, and Kong/OpenAPI files come back in as workspaces that `check` accepts.
class TstCliExport : public QObject
{
    Q_OBJECT

private:
    using Run = portico::test::ProcessRun;

    QTemporaryDir m_dir;
    QString m_example;

    static Run cli(const QStringList &args, const QByteArray &stdinData = {})
    {
        return portico::test::runCli(args, stdinData);
    }

    static QByteArray readFile(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(!qEnvironmentVariableIsEmpty("PORTICO_CLI"));
        const QString example = qEnvironmentVariable("PORTICO_SOURCE_DIR") + "/docs/portico.example.yaml";
        m_example = m_dir.filePath(QStringLiteral("portico.yaml"));
        QVERIFY2(QFile::copy(example, m_example), qPrintable(example));
        QFile::setPermissions(m_example, QFile::ReadOwner | QFile::WriteOwner);
    }

    void exportsEveryTarget_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QByteArray>("marker");
        QTest::newRow("kong") << "kong" << QByteArray("_format_version: \"3.0\"");
        QTest::newRow("traefik") << "traefik" << QByteArray("routers:");
        QTest::newRow("envoy") << "envoy" << QByteArray("static_resources:");
        QTest::newRow("nginx") << "nginx" << QByteArray("upstream users-v1 {");
        QTest::newRow("krakend") << "krakend" << QByteArray("\"version\": 3");
        QTest::newRow("openapi") << "openapi" << QByteArray("openapi: 3.0.3");
    }

    void exportsEveryTarget()
    {
        QFETCH(QString, target);
        QFETCH(QByteArray, marker);
        const Run r = cli(
            { QStringLiteral("export"), QStringLiteral("-c"), m_example, QStringLiteral("--to"), target });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains(marker), r.out.left(400).constData());
        // warnings go to stderr, one per line, and never into the config itself
        const QList<QByteArray> lines = r.err.trimmed().split('\n');
        QVERIFY(!lines.isEmpty());
        for (const QByteArray &line : lines)
            QVERIFY2(line.startsWith("warning: "), line.constData());
        QVERIFY(!r.out.contains("warning:"));
        QCOMPARE(
            cli({ QStringLiteral("export"), QStringLiteral("-c"), m_example, QStringLiteral("--to"), target })
                .out,
            r.out);
    }

    void writesToOutputFile()
    {
        const QString out = m_dir.filePath(QStringLiteral("openapi.json"));
        const Run r = cli({ QStringLiteral("export"), QStringLiteral("-c"), m_example, QStringLiteral("--to"),
            QStringLiteral("openapi"), QStringLiteral("-o"), out });
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.isEmpty());
        QJsonParseError err;
        QJsonDocument::fromJson(readFile(out), &err);
        QCOMPARE(err.error, QJsonParseError::NoError);
    }

    // Envoy's descriptor set goes beside -o OUT; without -o a warning says it was not written.
    void envoyWritesDescriptorSetBesideOutput()
    {
        const QString protos = qEnvironmentVariable("PORTICO_SOURCE_DIR") + "/tests/data/grpc/protos";
        const QString ws = m_dir.filePath(QStringLiteral("grpc.yaml"));
        QFile f(ws);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("version: 1\ncapture: {enabled: false}\ngrpc:\n  protos: [\"" + protos.toUtf8()
            + "/demo/users/v1/users.proto\"]\n  proto_paths: [\"" + protos.toUtf8()
            + "\"]\nupstreams:\n  g: {targets: [{url: \"http://127.0.0.1:50051\"}], protocol: h2c}\n"
              "routes:\n  - {name: rest, match: {path: /v1}, upstream: g, grpc: {transcode: true, services: "
              "[demo.users.v1.Users]}}\n");
        f.close();
        const QDir outDir(m_dir.filePath(QStringLiteral("envoy-out")));
        QVERIFY(QDir().mkpath(outDir.path()));
        const Run r = cli({ QStringLiteral("export"), QStringLiteral("-c"), ws, QStringLiteral("--to"),
            QStringLiteral("envoy"), QStringLiteral("-o"), outDir.filePath(QStringLiteral("envoy.yaml")) });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(readFile(outDir.filePath(QStringLiteral("envoy.yaml")))
                    .contains("proto_descriptor: portico-grpc.pb"));
        const QByteArray set = readFile(outDir.filePath(QStringLiteral("portico-grpc.pb")));
        QVERIFY(set.contains("demo/users/v1/users.proto"));
        QVERIFY2(r.err.contains("wrote "), r.err.constData());
        const Run toStdout = cli({ QStringLiteral("export"), QStringLiteral("-c"), ws, QStringLiteral("--to"),
            QStringLiteral("envoy") });
        QCOMPARE(toStdout.exitCode, 0);
        QVERIFY2(toStdout.err.contains("warning: portico-grpc.pb not written: give -o OUT"),
            toStdout.err.constData());
    }

    void rejectsBadInput()
    {
        const QString bad = m_dir.filePath(QStringLiteral("bad.yaml"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("version: 1\nroutes:\n  - name: x\n    match: {path: /x}\n    upstream: nowhere\n");
        f.close();
        Run r = cli({ QStringLiteral("export"), QStringLiteral("-c"), bad, QStringLiteral("--to"),
            QStringLiteral("kong") });
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QRegularExpression(QStringLiteral("bad\\.yaml:\\d+:\\d+: error: "))
                     .match(QString::fromUtf8(r.err))
                     .hasMatch(),
            r.err.constData());
        QVERIFY(r.out.isEmpty());
        r = cli({ QStringLiteral("export"), QStringLiteral("-c"), m_example, QStringLiteral("--to"),
            QStringLiteral("haproxy") });
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("unknown target 'haproxy'"));
        r = cli({ QStringLiteral("import"), QStringLiteral("--from"), QStringLiteral("kong"), m_example });
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("error: not a Kong declarative file"));
    }

    void kongRoundTripThroughFiles()
    {
        const QString kong = m_dir.filePath(QStringLiteral("kong.yaml"));
        const QString ws = m_dir.filePath(QStringLiteral("from-kong.yaml"));
        QCOMPARE(cli({ QStringLiteral("export"), QStringLiteral("-c"), m_example, QStringLiteral("--to"),
                         QStringLiteral("kong"), QStringLiteral("-o"), kong })
                     .exitCode,
            0);
        const Run imp = cli({ QStringLiteral("import"), QStringLiteral("--from"), QStringLiteral("kong"),
            kong, QStringLiteral("-o"), ws });
        QVERIFY2(imp.exitCode == 0, imp.err.constData());
        QVERIFY2(!imp.err.contains("imported workspace"), imp.err.constData());
        const Run check = cli({ QStringLiteral("check"), QStringLiteral("-c"), ws });
        QVERIFY2(check.exitCode == 0, (check.err + readFile(ws)).constData());
        const Run again = cli({ QStringLiteral("export"), QStringLiteral("-c"), ws, QStringLiteral("--to"),
            QStringLiteral("kong") });
        QCOMPARE(again.exitCode, 0);
        QCOMPARE(QString::fromUtf8(again.out), QString::fromUtf8(readFile(kong)));
    }

    void importsOpenApiFromStdin()
    {
        const Run exported = cli({ QStringLiteral("export"), QStringLiteral("-c"), m_example,
            QStringLiteral("--to"), QStringLiteral("openapi") });
        QCOMPARE(exported.exitCode, 0);
        const QString ws = m_dir.filePath(QStringLiteral("from-openapi.yaml"));
        const Run imp = cli({ QStringLiteral("import"), QStringLiteral("--from"), QStringLiteral("openapi"),
                                QStringLiteral("-"), QStringLiteral("-o"), ws },
            exported.out);
        QVERIFY2(imp.exitCode == 0, imp.err.constData());
        const Run check = cli({ QStringLiteral("check"), QStringLiteral("-c"), ws });
        QVERIFY2(check.exitCode == 0, (check.err + readFile(ws)).constData());
        QVERIFY(readFile(ws).contains("/api/orders"));
    }
};

QTEST_GUILESS_MAIN(TstCliExport)
#include "tst_cli_export.moc"
