// REST <-> gRPC transcoding (core/grpc/Transcoder) on the test schema (tests/data/grpc): which
// method a REST request calls, the message its path, query and body make (checked by decoding it
// again), the JSON of an answer, and the errors hostile or mistaken input gets, each naming the
// field at fault.
#include "core/grpc/Transcoder.h"

#include <google/protobuf/descriptor.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace portico::grpc;

class TestTranscoder : public QObject
{
    Q_OBJECT

private:
    SchemaPtr m_schema;
    std::shared_ptr<const Transcoder> m_t;

    static QString data(const QString &rel)
    {
        return qEnvironmentVariable("PORTICO_SOURCE_DIR") + QStringLiteral("/tests/data/grpc/") + rel;
    }

    Transcoder::Call call(const QByteArray &method, const QString &path)
    {
        auto r = m_t->match(method, path);
        if (auto *e = std::get_if<Transcoder::Error>(&r))
            qFatal("%s", qPrintable(e->detail));
        return std::get<Transcoder::Call>(r);
    }

    // The request message `call` makes, back as JSON (through the schema's own decoder).
    QJsonObject requestJson(const Transcoder::Call &c, const QByteArray &body, const QByteArray &query, QString *error = nullptr)
    {
        const auto encoded = m_t->encodeRequest(c, body, query);
        if (auto *e = std::get_if<Transcoder::Error>(&encoded)) {
            if (error)
                *error = e->detail;
            return {};
        }
        const auto json = m_schema->toJson(c.method->input_type(), std::get<QByteArray>(encoded));
        return json ? QJsonDocument::fromJson(*json).object() : QJsonObject {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        const SchemaLoadResult r = loadSchema({ data("protos/demo/users/v1/users.proto") }, { data("protos") });
        QVERIFY(r.schema);
        m_schema = r.schema;
        QString error;
        m_t = Transcoder::build(m_schema, { QStringLiteral("demo.users.v1.Users") }, false, &error);
        QVERIFY2(m_t, qPrintable(error));
    }

    void rulesChooseTheMethod()
    {
        QCOMPARE(call("GET", "/v1/users/42").grpcPath(), QByteArray("/demo.users.v1.Users/GetUser"));
        QCOMPARE(call("GET", "/v1/users:byEmail").grpcPath(), QByteArray("/demo.users.v1.Users/GetUser"));
        QCOMPARE(call("POST", "/v1/users").grpcPath(), QByteArray("/demo.users.v1.Users/CreateUser"));
        QCOMPARE(call("PURGE", "/v1/users/9").grpcPath(), QByteArray("/demo.users.v1.Users/Purge"));
        // No rule: POST /pkg.Service/Method with the whole request as JSON.
        const Transcoder::Call list = call("POST", "/demo.users.v1.Users/ListUsers");
        QCOMPARE(list.body, QStringLiteral("*"));
        QVERIFY(list.serverStreaming());
    }

    void refusedCalls_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("status");
        QTest::newRow("no rule") << QByteArray("GET") << "/v2/users/1" << 404;
        QTest::newRow("wrong verb") << QByteArray("DELETE") << "/v1/users/1" << 404;
        QTest::newRow("fallback by GET") << QByteArray("GET") << "/demo.users.v1.Users/ListUsers" << 405;
        QTest::newRow("method with a rule has no fallback") << QByteArray("POST") << "/demo.users.v1.Users/GetUser" << 404;
        QTest::newRow("client streaming") << QByteArray("POST") << "/demo.users.v1.Users/Import" << 501;
        QTest::newRow("bidi") << QByteArray("POST") << "/demo.users.v1.Users/Chat" << 501;
        QTest::newRow("not a service") << QByteArray("POST") << "/demo.users.v1.Nope/GetUser" << 404;
    }

    void refusedCalls()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(int, status);
        const auto r = m_t->match(method, path);
        const auto *e = std::get_if<Transcoder::Error>(&r);
        QVERIFY(e);
        QCOMPARE(e->status, status);
    }

    void pathQueryAndBodyMakeTheMessage()
    {
        // Path binding, query for the rest; the path wins over the query.
        QJsonObject m = requestJson(call("GET", "/v1/users/42"), {}, "email=a%40b.example&id=999");
        QCOMPARE(m.value("id").toString(), QStringLiteral("42"));
        QCOMPARE(m.value("email").toString(), QStringLiteral("a@b.example"));
        // body: "user" takes one JSON value for that field; int64 as a string or a number, enums by name.
        m = requestJson(call("POST", "/v1/users"), R"({"name":"Ada","id":"7","role":"ROLE_ADMIN","created":"2024-01-02T03:04:05Z"})", {});
        const QJsonObject user = m.value("user").toObject();
        QCOMPARE(user.value("name").toString(), QStringLiteral("Ada"));
        QCOMPARE(user.value("id").toString(), QStringLiteral("7")); // int64: a string in proto3 JSON
        QCOMPARE(user.value("role").toString(), QStringLiteral("ROLE_ADMIN"));
        QCOMPARE(user.value("created").toString(), QStringLiteral("2024-01-02T03:04:05Z"));
        // body "*": the whole request; the JSON name and the proto name both work.
        m = requestJson(call("POST", "/demo.users.v1.Users/ListUsers"), R"({"pageSize": 5})", {});
        QCOMPARE(m.value("pageSize").toInt(), 5);
        m = requestJson(call("POST", "/demo.users.v1.Users/ListUsers"), R"({"page_size": 6})", {});
        QCOMPARE(m.value("pageSize").toInt(), 6);
        // Query: form '+' is a space; a field given twice keeps the last (a singular field).
        m = requestJson(call("GET", "/v1/users:byEmail"), {}, "email=first&email=a+b");
        QCOMPARE(m.value("email").toString(), QStringLiteral("a b"));
    }

    void badInputNamesTheField_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("malformed JSON") << QByteArray("POST") << "/v1/users" << QByteArray(R"({"name": )") << QByteArray() << "user";
        QTest::newRow("wrong type") << QByteArray("POST") << "/v1/users" << QByteArray(R"({"id": "seven"})") << QByteArray() << "id";
        QTest::newRow("unknown field") << QByteArray("POST") << "/v1/users" << QByteArray(R"({"nick": "x"})") << QByteArray() << "nick";
        QTest::newRow("smuggled sibling") << QByteArray("POST") << "/v1/users" << QByteArray(R"({"name":"a"}, "other": 1)")
                                          << QByteArray() << "one JSON value";
        QTest::newRow("unknown query field") << QByteArray("GET") << "/v1/users/1" << QByteArray() << QByteArray("nick=x") << "nick";
        QTest::newRow("not a number") << QByteArray("POST") << "/demo.users.v1.Users/ListUsers" << QByteArray(R"({"pageSize": "many"})")
                                      << QByteArray() << "page_size";
        QTest::newRow("query into a message") << QByteArray("POST") << "/v1/users" << QByteArray()
                                              << QByteArray("user=x") << "user";
        QTest::newRow("int32 overflow") << QByteArray("POST") << "/demo.users.v1.Users/ListUsers"
                                        << QByteArray() << QByteArray("page_size=99999999999") << "page_size";
    }

    void badInputNamesTheField()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, query);
        QFETCH(QString, mentions);
        const auto r = m_t->encodeRequest(call(method, path), body, query);
        const auto *e = std::get_if<Transcoder::Error>(&r);
        QVERIFY2(e, "accepted");
        QCOMPARE(e->status, 400);
        QVERIFY2(e->detail.contains(mentions), qPrintable(e->detail));
    }

    void unknownFieldsCanBeIgnored()
    {
        QString error;
        const auto lenient = Transcoder::build(m_schema, {}, true, &error);
        QVERIFY2(lenient, qPrintable(error));
        auto c = lenient->match("POST", QStringLiteral("/v1/users"));
        const auto r = lenient->encodeRequest(std::get<Transcoder::Call>(c), R"({"name":"x","nick":"y"})", "unknown=1");
        QVERIFY(std::holds_alternative<QByteArray>(r));
    }

    void pathOnlyRequestsMatchTheBuiltMessage()
    {
        // A call whose fields all come from the path is written without building a message; a
        // query (here one that sets nothing) makes encodeRequest build it. Same bytes either way.
        for (const QString &path :
            { QStringLiteral("/v1/users/42"), QStringLiteral("/v1/users/%C3%A9t%C3%A9"),
                QStringLiteral("/v1/users/a%2Fb"), QStringLiteral("/v1/users/%00") }) {
            const Transcoder::Call c = call("GET", path);
            const auto direct = m_t->encodeRequest(c, {}, {});
            const auto built = m_t->encodeRequest(c, {}, "=");
            QVERIFY(std::holds_alternative<QByteArray>(direct));
            QCOMPARE(std::get<QByteArray>(direct), std::get<QByteArray>(built));
            QVERIFY2(!std::get<QByteArray>(direct).isEmpty(), qPrintable(path));
        }
    }

    void answersBecomeJson()
    {
        const Transcoder::Call get = call("GET", "/v1/users/1");
        // A User{name: "Ada", id: 7, role: ROLE_ADMIN} on the wire.
        const QByteArray wire = QByteArray("\x0a\x03" "Ada" "\x10\x07\x18\x01", 9);
        const auto json = m_t->decodeResponse(get, wire);
        QVERIFY(json);
        const QJsonObject o = QJsonDocument::fromJson(*json).object();
        QCOMPARE(o.value("name").toString(), QStringLiteral("Ada"));
        QCOMPARE(o.value("id").toString(), QStringLiteral("7"));
        QCOMPARE(o.value("role").toString(), QStringLiteral("ROLE_ADMIN"));
        // Not a User: nothing (the pipeline answers 502).
        QVERIFY(!m_t->decodeResponse(get, QByteArray("\xff\xff\xff", 3)));
    }

    void buildRefusesWhatCannotWork()
    {
        QString error;
        QVERIFY(!Transcoder::build(m_schema, { QStringLiteral("demo.users.v1.Missing") }, false, &error));
        QVERIFY2(error.contains(QStringLiteral("demo.users.v1.Missing")), qPrintable(error));
        QVERIFY(!Transcoder::build(nullptr, {}, false, &error));
        QVERIFY2(error.contains(QStringLiteral("grpc.protos")), qPrintable(error));
    }

    void grpcStatusesMapToHttp()
    {
        QCOMPARE(httpStatusForGrpc(0), 200);
        QCOMPARE(httpStatusForGrpc(5), 404);
        QCOMPARE(httpStatusForGrpc(3), 400);
        QCOMPARE(httpStatusForGrpc(16), 401);
        QCOMPARE(httpStatusForGrpc(7), 403);
        QCOMPARE(httpStatusForGrpc(8), 429);
        QCOMPARE(httpStatusForGrpc(14), 503);
        QCOMPARE(httpStatusForGrpc(4), 504);
        QCOMPARE(httpStatusForGrpc(12), 501);
        QCOMPARE(httpStatusForGrpc(99), 500);
    }
};

QTEST_GUILESS_MAIN(TestTranscoder)
#include "tst_transcoder.moc"
