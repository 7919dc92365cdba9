// portico-cli replay --grpc-json, run as a real process against a python3-grpcio upstream (not
// our code, tests/core/gateway/grpc_users_peer.py): a captured unary call replayed with an
// edited message reaches the upstream as that message (its answer says so), the new row has the
// grpc_status of the trailers; JSON that does not fit, a streaming call and no schema are
// refused before anything is sent (exit 2, nothing recorded).
#include "ProcessRun.h"
#include "core/capture/CaptureStore.h"
#include "support/Python.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using portico::test::ProcessRun;
using portico::test::runCli;

class TestCliGrpcReplay : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString data(const QString &rel) const
    {
        return qEnvironmentVariable("PORTICO_SOURCE_DIR") + QStringLiteral("/tests/data/grpc/") + rel;
    }

    // A GetUser {id: "42"} (or another method) as a gateway captured it from the upstream at `port`.
    qint64 capture(const QString &db, int port, const QString &method = QStringLiteral("GetUser"))
    {
        portico::capture::CaptureOptions o;
        o.databasePath = db;
        portico::capture::CaptureStore store(o);
        if (!store.open())
            return 0;
        portico::capture::Exchange e;
        e.startedAt = QDateTime::currentDateTimeUtc();
        e.method = "POST";
        e.path = "/demo.users.v1.Users/" + method;
        e.url = "http://127.0.0.1:8080" + e.path;
        e.upstreamTarget = QStringLiteral("http://127.0.0.1:%1").arg(port);
        e.upstream = "users-grpc";
        e.route = "users-grpc";
        e.protocol = "HTTP/2";
        e.status = 200;
        e.requestHeaders = { { "content-type", "application/grpc" }, { "te", "trailers" } };
        e.responseHeaders = { { "content-type", "application/grpc" } };
        e.requestBody = QByteArray::fromHex("00000000040a023432");
        e.requestBodySize = e.requestBody.size();
        e.grpcStatus = 0;
        const qint64 id = store.submit(std::move(e));
        return store.flush() ? id : 0;
    }

    int rows(const QString &db) const
    {
        const ProcessRun r = runCli({ "traffic", "list", "--db", db, "--json" }); // one object a line
        return int(r.out.trimmed().split('\n').size());
    }

private Q_SLOTS:
    void replaysAnEditedMessage()
    {
        QProcess server;
        QString error;
        const int port = portico::test::startPeer(
            server, QStringLiteral("tests/core/gateway/grpc_users_peer.py"), {}, &error);
        QVERIFY2(port > 0, qPrintable(error));

        const QString db = m_dir.filePath("replay.db");
        const qint64 id = capture(db, port);
        QVERIFY(id > 0);
        const QString ws = data("users.yaml");
        const ProcessRun r = runCli(
            { "replay", QString::number(id), "--db", db, "-c", ws, "--grpc-json", R"({"id": "7"})" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const qint64 again = r.out.trimmed().toLongLong();
        QVERIFY2(again > id, r.out.constData());

        const ProcessRun shown
            = runCli({ "traffic", "show", QString::number(again), "--db", db, "--json", "-c", ws });
        QVERIFY2(shown.exitCode == 0, shown.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(shown.out).object();
        QCOMPARE(o.value("grpc_status").toInt(), 0); // from the trailers
        QCOMPARE(o.value("grpc_method").toString(), QStringLiteral("GetUser"));
        QCOMPARE(o.value("request").toObject().value("messages").toArray(),
            (QJsonArray { QJsonObject { { "id", "7" } } }));
        // The upstream answers user-<id>: it got the edited message.
        QCOMPARE(o.value("response").toObject().value("messages").toArray(),
            (QJsonArray { QJsonObject { { "name", "user-7" }, { "id", "7" }, { "role", "ROLE_ADMIN" } } }));
        QVERIFY2(o.value("notes").toString().contains("encoded as demo.users.v1.GetUserRequest"),
            qPrintable(o.value("notes").toString()));

        // From a file, and a NOT_FOUND from the upstream (trailers-only): exit 0, status recorded.
        QFile json(m_dir.filePath("msg.json"));
        QVERIFY(json.open(QIODevice::WriteOnly));
        json.write(R"({"id": "404"})");
        json.close();
        const ProcessRun missing = runCli(
            { "replay", QString::number(id), "--db", db, "-c", ws, "--grpc-json-file", json.fileName() });
        QVERIFY2(missing.exitCode == 0, missing.err.constData());
        const QJsonObject m = QJsonDocument::fromJson(
            runCli({ "traffic", "show", QString(missing.out.trimmed()), "--db", db, "--json" }).out)
                                  .object();
        QCOMPARE(m.value("grpc_status").toInt(), 5);
        // And from standard input.
        const ProcessRun piped
            = runCli({ "replay", QString::number(id), "--db", db, "-c", ws, "--grpc-json-file", "-" },
                R"({"email": "x@y"})");
        QVERIFY2(piped.exitCode == 0, piped.err.constData());

        // Refused before anything is sent.
        const int before = rows(db);
        QCOMPARE(before, 4); // the capture and three replays
        const ProcessRun wrong = runCli({ "replay", QString::number(id), "--db", db, "-c", ws, "--grpc-json",
            R"({"id": {"nested": 1}})" });
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY2(wrong.err.contains("id"), wrong.err.constData());
        const ProcessRun unknown = runCli(
            { "replay", QString::number(id), "--db", db, "-c", ws, "--grpc-json", R"({"nick": "x"})" });
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(unknown.err.contains("nick"), unknown.err.constData());
        const ProcessRun noSchema
            = runCli({ "replay", QString::number(id), "--db", db, "--grpc-json", "{}" });
        QCOMPARE(noSchema.exitCode, 2);
        QVERIFY2(noSchema.err.contains("no gRPC schema"), noSchema.err.constData());
        const qint64 stream = capture(db, port, QStringLiteral("ListUsers"));
        const int withStream = rows(db);
        QCOMPARE(withStream, before + 1);
        const ProcessRun streaming
            = runCli({ "replay", QString::number(stream), "--db", db, "-c", ws, "--grpc-json", "{}" });
        QCOMPARE(streaming.exitCode, 2);
        QVERIFY2(streaming.err.contains("server streaming"), streaming.err.constData());
        const ProcessRun twice = runCli({ "replay", QString::number(id), "--db", db, "-c", ws, "--grpc-json",
            "{}", "--grpc-json-file", "-" });
        QCOMPARE(twice.exitCode, 2);
        QCOMPARE(runCli({ "replay", QString::number(id), "--db", db, "-c", ws, "--grpc-json-file",
                            m_dir.filePath("absent.json") })
                     .exitCode,
            2);
        QCOMPARE(rows(db), withStream);
        QVERIFY(runCli({ "replay", "--help" }).out.contains("--grpc-json JSON"));

        server.kill();
        server.waitForFinished(5000);
    }
};

QTEST_GUILESS_MAIN(TestCliGrpcReplay)
#include "tst_cli_grpc_replay.moc"
