// portico-cli grpc describe, run as a real process on the test schema (tests/data/grpc), on a
// descriptor set written by protoc, and on schemas that do not load (exit 2, FILE:LINE:COL).
#include "ProcessRun.h"
#include "core/capture/CaptureStore.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using portico::test::ProcessRun;
using portico::test::runCli;
using portico::test::runProcess;

class TestCliGrpc : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString data(const QString &rel) const
    {
        return qEnvironmentVariable("PORTICO_SOURCE_DIR") + QStringLiteral("/tests/data/grpc/") + rel;
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
    void describesServicesMethodsAndMappings()
    {
        const ProcessRun r = runCli({ "grpc", "describe", "-c", data("users.yaml") });
        QCOMPARE(r.err, QByteArray());
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out,
            QByteArray(
                "service demo.users.v1.Users (demo/users/v1/users.proto)\n"
                "  rpc GetUser(demo.users.v1.GetUserRequest) returns (demo.users.v1.User)  unary\n"
                "    GET /v1/users/{id}\n"
                "    GET /v1/users:byEmail  (additional binding)\n"
                "  rpc CreateUser(demo.users.v1.CreateUserRequest) returns (demo.users.v1.User)  unary\n"
                "    POST /v1/users  body: user\n"
                "  rpc Purge(demo.users.v1.GetUserRequest) returns (demo.users.v1.User)  unary\n"
                "    PURGE /v1/users/{id}\n"
                "  rpc ListUsers(demo.users.v1.ListUsersRequest) returns (stream demo.users.v1.User)  "
                "server streaming\n"
                "  rpc Import(stream demo.users.v1.User) returns (demo.users.v1.ImportSummary)  client "
                "streaming\n"
                "  rpc Chat(stream demo.users.v1.User) returns (stream demo.users.v1.User)  bidi "
                "streaming\n"));
    }

    void json()
    {
        const ProcessRun r = runCli({ "grpc", "describe", "--json", "--config", data("users.yaml") });
        QCOMPARE(r.exitCode, 0);
        const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
        const QJsonArray services = doc.value("services").toArray();
        QCOMPARE(services.size(), 1);
        const QJsonObject get = services[0].toObject().value("methods").toArray()[0].toObject();
        QCOMPARE(get.value("path").toString(), QStringLiteral("/demo.users.v1.Users/GetUser"));
        QCOMPARE(get.value("kind").toString(), QStringLiteral("unary"));
        QCOMPARE(get.value("http").toArray().size(), 2);
        QCOMPARE(get.value("http").toArray()[1].toObject().value("additional").toBool(), true);
    }

    void descriptorSetFromProtoc()
    {
        const QString protoc = QStandardPaths::findExecutable("protoc");
        if (protoc.isEmpty())
            QSKIP("protoc not installed (packaging/install-deps.sh installs protobuf-compiler)");
        // protoc needs google/api/annotations.proto on disk: Portico's built-in one is not a file,
        // so give it a minimal stand-in with the same extension.
        QDir(m_dir.path()).mkpath("api/google/api");
        write("api/google/api/annotations.proto",
            "syntax = \"proto3\"; package google.api; import \"google/protobuf/descriptor.proto\";\n"
            "message HttpRule { string selector = 1; oneof pattern { string get = 2; string put = 3; string "
            "post = 4;\n"
            "string delete = 5; string patch = 6; CustomHttpPattern custom = 8; } string body = 7;\n"
            "string response_body = 12; repeated HttpRule additional_bindings = 11; }\n"
            "message CustomHttpPattern { string kind = 1; string path = 2; }\n"
            "extend google.protobuf.MethodOptions { HttpRule http = 72295728; }\n");
        const QString pb = m_dir.filePath("users.pb");
        const ProcessRun p = runProcess(protoc,
            { "--include_imports", "--descriptor_set_out=" + pb, "-I", data("protos"), "-I",
                m_dir.filePath("api"), "-I", "/usr/include", data("protos/demo/users/v1/users.proto") });
        QVERIFY2(p.exitCode == 0, p.err.constData());
        const QString ws = write("pb.yaml", "version: 1\ngrpc:\n  protos: [users.pb]\n");
        const ProcessRun r = runCli({ "grpc", "describe", "-c", ws });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("    GET /v1/users:byEmail  (additional binding)\n"), r.out.constData());
        QVERIFY(r.out.contains("PURGE /v1/users/{id}"));
    }

    void schemaThatDoesNotLoad()
    {
        const QString ws
            = write("bad.yaml", "version: 1\ngrpc:\n  protos: [" + data("bad/syntax.proto").toUtf8() + "]\n");
        const ProcessRun r = runCli({ "grpc", "describe", "-c", ws });
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.out, QByteArray());
        QCOMPARE(r.err, data("bad/syntax.proto").toUtf8() + ":5:3: error: Expected \";\".\n");
        // check says the same
        const ProcessRun c = runCli({ "check", "-c", ws });
        QCOMPARE(c.exitCode, 2);
        QCOMPARE(c.err, r.err);
    }

    // traffic show --json -c FILE decodes a captured call's messages; without -c they are raw frames.
    void trafficShowDecodesWithTheSchema()
    {
        const QString db = m_dir.filePath("traffic.db");
        qint64 id = 0;
        {
            portico::capture::CaptureOptions o;
            o.databasePath = db;
            portico::capture::CaptureStore store(o);
            QVERIFY(store.open());
            portico::capture::Exchange e;
            e.startedAt = QDateTime::currentDateTimeUtc();
            e.method = "POST";
            e.path = "/demo.users.v1.Users/GetUser";
            e.url = "http://127.0.0.1:8080" + e.path;
            e.status = 200;
            e.requestHeaders = { { "content-type", "application/grpc" } };
            e.responseHeaders = { { "content-type", "application/grpc" } };
            e.requestBody = QByteArray::fromHex("00000000040a023432"); // {id: "42"}
            e.responseBody = QByteArray::fromHex("00000000070a03626f621007"); // {name: "bob", id: 7}
            e.grpcStatus = 0;
            id = store.submit(std::move(e));
            QVERIFY(store.flush());
        }
        const ProcessRun r = runCli(
            { "traffic", "show", QString::number(id), "--db", db, "--json", "-c", data("users.yaml") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value("grpc_service").toString(), QStringLiteral("demo.users.v1.Users"));
        QCOMPARE(o.value("grpc_method").toString(), QStringLiteral("GetUser"));
        QCOMPARE(o.value("grpc_status").toInt(), 0);
        QCOMPARE(o.value("request").toObject().value("messages").toArray(),
            (QJsonArray { QJsonObject { { "id", "42" } } }));
        QCOMPARE(o.value("response").toObject().value("messages").toArray(),
            (QJsonArray { QJsonObject { { "name", "bob" }, { "id", "7" } } }));

        const ProcessRun raw = runCli({ "traffic", "show", QString::number(id), "--db", db, "--json" });
        QCOMPARE(raw.exitCode, 0);
        const QJsonObject frame = QJsonDocument::fromJson(raw.out)
                                      .object()
                                      .value("request")
                                      .toObject()
                                      .value("messages")
                                      .toArray()[0]
                                      .toObject();
        QCOMPARE(frame.value("raw").toString(), QStringLiteral("CgI0Mg=="));
        QCOMPARE(frame.value("length").toInt(), 4);

        const QString har = m_dir.filePath("out.har");
        QCOMPARE(runCli({ "traffic", "har", "--db", db, "-c", data("users.yaml"), "-o", har }).exitCode, 0);
        QFile f(har);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains(R"(\"name\": \"bob\")"));

        // A schema that does not load: exit 2 before anything is read.
        const QString bad = write(
            "bad-show.yaml", "version: 1\ngrpc:\n  protos: [" + data("bad/syntax.proto").toUtf8() + "]\n");
        QCOMPARE(
            runCli({ "traffic", "show", QString::number(id), "--db", db, "--json", "-c", bad }).exitCode, 2);
    }

    void noSchemasAndBadUsage()
    {
        const QString ws = write("none.yaml", "version: 1\n");
        const ProcessRun r = runCli({ "grpc", "describe", "-c", ws });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, QByteArray());
        QVERIFY(r.err.contains("no gRPC schemas"));
        QCOMPARE(runCli({ "grpc", "describe" }).exitCode, 2);
        QCOMPARE(runCli({ "grpc", "frobnicate" }).exitCode, 2);
        QCOMPARE(runCli({ "grpc" }).exitCode, 2);
        QCOMPARE(runCli({ "grpc", "describe", "-c", ws, "--bogus" }).exitCode, 2);
        QCOMPARE(runCli({ "grpc", "describe", "-c", m_dir.filePath("missing.yaml") }).exitCode, 2);
        const ProcessRun help = runCli({ "grpc", "--help" });
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("Usage: portico-cli grpc describe -c FILE"));
        QCOMPARE(runCli({ "help", "grpc" }).out, help.out);
    }
};

QTEST_GUILESS_MAIN(TestCliGrpc)
#include "tst_cli_grpc.moc"
