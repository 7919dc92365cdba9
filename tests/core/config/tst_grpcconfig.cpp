// The grpc section and routes[].grpc: read, written back losslessly, schemas compiled at load
// relative to the workspace file, schema errors located in the .proto, service names checked.
#include "core/config/WorkspaceLoader.h"
#include "core/config/WorkspaceWriter.h"

#include <google/protobuf/descriptor.h>

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace portico::config;

class TestGrpcConfig : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static QString dump(const QList<Diagnostic> &errors)
    {
        QStringList lines;
        for (const Diagnostic &d : errors)
            lines.append(d.toString());
        return lines.join(u'\n');
    }
    QString write(const QString &name, const QByteArray &text)
    {
        const QString path = m_dir.filePath(name);
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(text);
        return f.fileName();
    }
    static QByteArray workspace(const QByteArray &services)
    {
        return "version: 1\n"
               "grpc:\n"
               "  protos: [protos/demo/users/v1/users.proto]\n"
               "  proto_paths: [protos]\n"
               "upstreams:\n"
               "  g: {targets: [{url: \"http://127.0.0.1:50051\"}], protocol: h2c}\n"
               "routes:\n"
               "  - name: users\n"
               "    match: {path: /demo.users.v1.Users/}\n"
               "    upstream: g\n"
               "    grpc: {services: ["
            + services + "]}\n";
    }

private Q_SLOTS:
    void initTestCase()
    {
        // The test schema, copied beside a workspace in a folder of its own: paths are relative to it.
        const QString src
            = qEnvironmentVariable("PORTICO_SOURCE_DIR") + "/tests/data/grpc/protos/demo/users/v1/";
        for (const char *name : { "users.proto", "types.proto" }) {
            QFile f(src + QLatin1String(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY(
                !write(QStringLiteral("protos/demo/users/v1/") + QLatin1String(name), f.readAll()).isEmpty());
        }
    }

    void loadsAndWritesBack()
    {
        const QString file = write("ws.yaml", workspace("demo.users.v1.Users"));
        const LoadResult r = loadWorkspaceFile(file);
        QVERIFY2(r.ok(), qPrintable(dump(r.errors)));
        QCOMPARE(r.workspace->grpc.protos, QStringList { "protos/demo/users/v1/users.proto" });
        QCOMPARE(r.workspace->grpc.protoPaths, QStringList { "protos" });
        QVERIFY(r.workspace->routes[0].grpc);
        QCOMPARE(r.workspace->routes[0].grpc->services, QStringList { "demo.users.v1.Users" });
        QVERIFY(r.workspace->grpcSchema);
        QVERIFY(r.workspace->grpcSchema->findMethodByPath("/demo.users.v1.Users/GetUser"));

        const QByteArray yaml = writeWorkspaceYaml(*r.workspace);
        QVERIFY2(yaml.contains("grpc:\n  protos:"), yaml.constData());
        const LoadResult again = loadWorkspaceText(yaml, file);
        QVERIFY2(again.ok(), qPrintable(dump(again.errors)));
        QVERIFY(*again.workspace == *r.workspace);
        QVERIFY(again.workspace->grpcSchema);

        // A model built in memory compiles its schemas when validated.
        Workspace edited = *r.workspace;
        edited.grpcSchema.reset();
        edited.routes[0].grpc->services = { "demo.users.v1.Nope" };
        const QList<Diagnostic> problems = validateWorkspace(edited);
        QCOMPARE(problems.size(), 1);
        QCOMPARE(problems.first().path, QStringLiteral("routes[0].grpc.services[0]"));
    }

    void unknownServiceIsAnError()
    {
        const QString file = write("ws.yaml", workspace("Users, demo.users.v1.Nope"));
        const LoadResult r = loadWorkspaceFile(file);
        QVERIFY(!r.ok());
        QCOMPARE(dump(r.errors),
            file
                + ":11:23: error: route 'users' names gRPC service 'Users', which is not in the schemas "
                  "(did you mean 'demo.users.v1.Users'?)\n"
                + file
                + ":11:30: error: route 'users' names gRPC service 'demo.users.v1.Nope', which is not "
                  "in the schemas (services: demo.users.v1.Users)");
    }

    void schemaErrorsPointIntoTheProto()
    {
        const QString proto
            = write("broken/b.proto", "syntax = \"proto3\";\nmessage B {\n  int32 x = 1\n}\n");
        const QString file = write("broken.yaml", "version: 1\ngrpc:\n  protos: [broken/b.proto]\n");
        const LoadResult r = loadWorkspaceFile(file);
        QVERIFY(!r.ok());
        QVERIFY2(
            dump(r.errors).startsWith(QFileInfo(proto).absoluteFilePath() + ":4:1: error: Expected \";\"."),
            qPrintable(dump(r.errors)));
    }

    void hostileValues_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing file") << QByteArray("version: 1\ngrpc:\n  protos: [nope.proto]\n")
                                      << ":3:12: error: file 'nope.proto' not found";
        QTest::newRow("missing folder")
            << QByteArray("version: 1\ngrpc:\n  protos: []\n  proto_paths: [none]\n")
            << ":4:17: error: folder 'none' not found";
        QTest::newRow("not a list") << QByteArray("version: 1\ngrpc:\n  protos: {a: b}\n")
                                    << ":3:11: error: ";
        QTest::newRow("unknown key") << QByteArray("version: 1\ngrpc:\n  protoz: [a]\n")
                                     << ":3:3: error: unknown key 'protoz'";
        QTest::newRow("services without schema")
            << QByteArray("version: 1\nupstreams: {u: {targets: [{url: \"http://127.0.0.1:1\"}]}}\nroutes:\n"
                          "  - {name: r, match: {path: /}, upstream: u, grpc: {services: [a.B]}}\n")
            << ":4:63: error: route 'r' names gRPC services, but grpc.protos lists no schema";
        QTest::newRow("no services") << QByteArray(
            "version: 1\nupstreams: {u: {targets: [{url: \"http://127.0.0.1:1\"}]}}\nroutes:\n"
            "  - {name: r, match: {path: /}, upstream: u, grpc: {}}\n")
                                     << ":4:46: error: missing 'services' in route grpc";
        QTest::newRow("transcode not yet") << QByteArray(
            "version: 1\nupstreams: {u: {targets: [{url: \"http://127.0.0.1:1\"}]}}\nroutes:\n"
            "  - {name: r, match: {path: /}, upstream: u, grpc: {transcode: true, services: []}}\n")
                                           << "error: REST<->gRPC transcoding is not available";
        QTest::newRow("a directory as a proto") << QByteArray("version: 1\ngrpc:\n  protos: [protos]\n")
                                                << ":3:12: error: file 'protos' not found";
    }

    void hostileValues()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        const QString file = write("hostile.yaml", text);
        const LoadResult r = loadWorkspaceFile(file);
        QVERIFY(!r.ok());
        QVERIFY2(dump(r.errors).contains(expected), qPrintable(dump(r.errors)));
    }
};

QTEST_GUILESS_MAIN(TestGrpcConfig)
#include "tst_grpcconfig.moc"
