// REST <-> gRPC transcoding through the real gateway: HTTP/1.1 and HTTP/2 clients call a route
// with grpc.transcode, Portico calls demo.users.v1.Users on a python3-grpcio server over h2c
// (grpc_users_peer.py, which reads and writes the messages without Portico's code), and the
// answers come back as JSON, newline-delimited JSON for a stream, problem+json with the gRPC
// status for failures. Bad input is refused before the upstream sees it.
#include "GatewayHarness.h"
#include "support/Python.h"
#include "support/CurlClient.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QTest>

using namespace portico;
using namespace portico::test;

class TestGatewayTranscode : public QObject
{
    Q_OBJECT

private:
    QProcess m_server;
    GatewayHarness m_gw;

    RawResponse call(const QByteArray &method, const QByteArray &target, const QByteArray &body = {},
                     const wire::Headers &headers = {})
    {
        wire::Headers h = headers;
        if (!body.isEmpty())
            h.append({ QByteArray("Content-Type"), QByteArray("application/json") });
        return m_gw.request(method, target, body, h);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!hasGrpcio())
            QFAIL("python3-grpcio is needed: bash packaging/install-deps.sh");
        QString error;
        const int port
            = startPeer(m_server, QStringLiteral("tests/core/gateway/grpc_users_peer.py"), {}, &error);
        QVERIFY2(port > 0, qPrintable(error));
        const QString problems = m_gw.start(gatewayHeader(QStringLiteral("  http2: true\n"))
            + QStringLiteral(
                "grpc:\n  protos: [%1]\n  proto_paths: [%2]\n"
                "upstreams:\n  users:\n    targets: [{url: http://127.0.0.1:%3}]\n    protocol: h2c\n"
                "routes:\n  - name: rest\n    match: {path: /rest}\n    upstream: users\n"
                "    strip_prefix: true\n"
                "    grpc: {transcode: true, services: [demo.users.v1.Users]}\n")
                  .arg(sourceFile(QStringLiteral("tests/data/grpc/protos/demo/users/v1/users.proto")),
                      sourceFile(QStringLiteral("tests/data/grpc/protos")))
                  .arg(port));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }

    void cleanupTestCase()
    {
        m_server.kill();
        m_server.waitForFinished(5000);
    }

    void unaryCallsAnswerJson()
    {
        RawResponse r = call("GET", "/rest/v1/users/42", {}, { { "Authorization", "Bearer t0k" } });
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), QByteArray("application/json"));
        QJsonObject o = jsonOf(r);
        QCOMPARE(o.value("name").toString(), QStringLiteral("user-42"));
        QCOMPARE(o.value("id").toString(), QStringLiteral("42")); // int64 as a string
        QCOMPARE(o.value("role").toString(), QStringLiteral("ROLE_ADMIN"));
        // The query fills the other fields; additional_bindings and custom verbs route too.
        r = call("GET", "/rest/v1/users:byEmail?email=ada%40example.org");
        QCOMPARE(jsonOf(r).value("name").toString(), QStringLiteral("by-email:ada@example.org"));
        r = call("PURGE", "/rest/v1/users/3");
        QCOMPARE(jsonOf(r).value("name").toString(), QStringLiteral("purged"));
        // body: "user"
        r = call("POST", "/rest/v1/users", R"({"name":"Ada","id":"7","role":"ROLE_ADMIN"})");
        QCOMPARE(r.status, 200);
        o = jsonOf(r);
        QCOMPARE(o.value("name").toString(), QStringLiteral("Ada"));
        QCOMPARE(o.value("id").toString(), QStringLiteral("7"));
    }

    void http2ClientsToo()
    {
        const CurlResult r = curl({ QStringLiteral("--http2-prior-knowledge") },
            QStringLiteral("http://127.0.0.1:%1/rest/v1/users/5").arg(m_gw.port()));
        QVERIFY2(r.exitCode == 0, r.error.constData());
        QVERIFY2(r.head.startsWith("HTTP/2 200"), r.head.constData());
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value("name").toString(), QStringLiteral("user-5"));
    }

    void grpcErrorsBecomeHttpStatuses()
    {
        const RawResponse r = call("GET", "/rest/v1/users/404");
        QCOMPARE(r.status, 404);
        QCOMPARE(r.header("content-type"), QByteArray("application/problem+json"));
        const QJsonObject o = jsonOf(r);
        QCOMPARE(o.value("grpc_status").toInt(), 5);
        QCOMPARE(o.value("grpc_code").toString(), QStringLiteral("NOT_FOUND"));
        QCOMPARE(o.value("detail").toString(), QStringLiteral("no user 404"));
    }

    void serverStreamingIsNewlineDelimitedJson()
    {
        RawResponse r = call("POST", "/rest/demo.users.v1.Users/ListUsers", R"({"pageSize": 3})");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), QByteArray("application/x-ndjson"));
        QList<QByteArray> lines = r.body.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QCOMPARE(QJsonDocument::fromJson(lines[2]).object().value("name").toString(), QStringLiteral("u2"));
        // A stream that fails after it started: its last line says so.
        r = call("POST", "/rest/demo.users.v1.Users/ListUsers", R"({"pageSize": 99})");
        QCOMPARE(r.status, 200);
        lines = r.body.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        const QJsonObject error = QJsonDocument::fromJson(lines.last()).object().value("error").toObject();
        QCOMPARE(error.value("grpc_code").toString(), QStringLiteral("UNAVAILABLE"));
        QCOMPARE(error.value("message").toString(), QStringLiteral("backend went away"));
    }

    void badInputNeverReachesTheUpstream_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("wrong type") << QByteArray("POST") << QByteArray("/rest/v1/users") << QByteArray(R"({"id":"seven"})") << 400
                                    << "id";
        QTest::newRow("malformed json") << QByteArray("POST") << QByteArray("/rest/v1/users") << QByteArray("{\"name\":") << 400
                                        << "user";
        QTest::newRow("unknown field") << QByteArray("POST") << QByteArray("/rest/v1/users") << QByteArray(R"({"nick":"x"})")
                                       << 400 << "nick";
        QTest::newRow("unknown query field") << QByteArray("GET") << QByteArray("/rest/v1/users/1?admin=true") << QByteArray()
                                             << 400 << "admin";
        QTest::newRow("no such method") << QByteArray("GET") << QByteArray("/rest/v9/things") << QByteArray() << 404 << "v9";
        QTest::newRow("client streaming") << QByteArray("POST") << QByteArray("/rest/demo.users.v1.Users/Import")
                                          << QByteArray("{}") << 501 << "Import";
    }

    void badInputNeverReachesTheUpstream()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, mentions);
        const RawResponse r = call(method, target, body);
        QCOMPARE(r.status, status);
        QVERIFY2(jsonOf(r).value("detail").toString().contains(mentions), r.body.constData());
    }

    void checkRefusesTranscodingToHttp1()
    {
        GatewayHarness gw;
        const QString problems = gw.start(gatewayHeader()
            + QStringLiteral("grpc:\n  protos: [%1]\n  proto_paths: [%2]\n"
                             "upstreams:\n  users: {targets: [{url: http://127.0.0.1:1}]}\n"
                             "routes:\n  - {name: rest, match: {path: /rest}, upstream: users, "
                             "grpc: {transcode: true, services: [demo.users.v1.Users]}}\n")
                  .arg(sourceFile(QStringLiteral("tests/data/grpc/protos/demo/users/v1/users.proto")),
                      sourceFile(QStringLiteral("tests/data/grpc/protos"))));
        QVERIFY2(problems.contains(QStringLiteral("needs an HTTP/2 upstream")), qPrintable(problems));
    }
};

QTEST_MAIN(TestGatewayTranscode)
#include "tst_gateway_transcode.moc"
