// Replaying a unary gRPC call with its request message edited as JSON (GrpcReplay.h): the JSON
// is encoded with the method's input type and framed as the call was; hostile JSON (wrong types,
// unknown fields, deep nesting, huge numbers, not an object, too big) and streaming calls are
// refused with the field or the reason named, and Replayer::prepare sends nothing for them.
#include "core/capture/GrpcReplay.h"
#include "core/capture/Replayer.h"
#include "core/grpc/Schema.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace portico;
using namespace portico::capture;

namespace {

Exchange call(const QString &method, const QByteArray &contentType = "application/grpc")
{
    Exchange e;
    e.id = 9;
    e.method = QStringLiteral("POST");
    e.path = QStringLiteral("/demo.users.v1.Users/") + method;
    e.url = QStringLiteral("http://127.0.0.1:50051") + e.path;
    e.upstreamTarget = QStringLiteral("http://127.0.0.1:50051");
    e.protocol = QStringLiteral("HTTP/2");
    e.grpcService = QStringLiteral("demo.users.v1.Users");
    e.grpcMethod = method;
    e.requestHeaders = { { "content-type", contentType }, { "te", "trailers" }, { "grpc-timeout", "5S" } };
    e.requestBody = QByteArray::fromHex("00000000040a023432"); // {id: "42"}
    e.requestBodySize = e.requestBody.size();
    return e;
}

} // namespace

class TstGrpcReplay : public QObject
{
    Q_OBJECT

    grpc::SchemaPtr m_schema;

private Q_SLOTS:
    void initTestCase()
    {
        const QString data
            = qEnvironmentVariable("PORTICO_SOURCE_DIR") + QStringLiteral("/tests/data/grpc/protos");
        const auto loaded = grpc::loadSchema({ data + "/demo/users/v1/users.proto" }, { data });
        QVERIFY(loaded.schema);
        m_schema = loaded.schema;
    }

    void encodesAndFrames()
    {
        const GrpcReplayBody b
            = grpcReplayBody(call("GetUser"), R"({"id": "7", "email": "a@b"})", m_schema.get());
        QVERIFY2(b.error.isEmpty(), qPrintable(b.error));
        QCOMPARE(b.type, QStringLiteral("demo.users.v1.GetUserRequest"));
        QCOMPARE(b.body, QByteArray::fromHex("00000000080a01371203614062"));
    }

    void editorShowsTheCapturedMessage()
    {
        const auto json = grpcRequestJson(call("GetUser"), m_schema.get());
        QVERIFY(json);
        QCOMPARE(QJsonDocument::fromJson(*json).object().value("id").toString(), QStringLiteral("42"));
        Exchange cut = call("GetUser");
        cut.requestBody.chop(1);
        QVERIFY(!grpcRequestJson(cut, m_schema.get()));
        QVERIFY(!grpcRequestJson(call("GetUser"), nullptr));
        QVERIFY(!grpcRequestJson(call("ListUsers"), m_schema.get()));
    }

    void grpcWebTextIsBase64()
    {
        const GrpcReplayBody b
            = grpcReplayBody(call("GetUser", "application/grpc-web-text"), R"({"id": "7"})", m_schema.get());
        QVERIFY2(b.error.isEmpty(), qPrintable(b.error));
        QCOMPARE(QByteArray::fromBase64(b.body), QByteArray::fromHex("00000000030a0137"));
        QVERIFY(!isNativeGrpc(call("GetUser", "application/grpc-web+proto").requestHeaders));
        QVERIFY(isNativeGrpc(call("GetUser", "application/grpc+proto").requestHeaders));
    }

    void hostileJsonIsRefused_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("wrong type") << "GetUser" << QByteArray(R"({"id": {"x": 1}})") << "id";
        QTest::newRow("number for string") << "GetUser" << QByteArray(R"({"email": 12})") << "email";
        QTest::newRow("unknown field") << "GetUser" << QByteArray(R"({"nick": "x"})") << "nick";
        QTest::newRow("malformed") << "GetUser" << QByteArray(R"({"id": )") << "GetUserRequest";
        QTest::newRow("trailing junk")
            << "GetUser" << QByteArray(R"({"id": "1"} {"id": "2"})") << "GetUserRequest";
        QTest::newRow("not an object") << "GetUser" << QByteArray(R"(["id"])") << "JSON object";
        QTest::newRow("null") << "GetUser" << QByteArray("null") << "JSON object";
        QTest::newRow("empty") << "GetUser" << QByteArray("") << "JSON object";
        QTest::newRow("huge int64") << "CreateUser"
                                    << QByteArray(R"({"user": {"id": "99999999999999999999999"}})") << "id";
        QTest::newRow("float for int64")
            << "CreateUser" << QByteArray(R"({"user": {"id": 1e400}})") << "range of double";
        QTest::newRow("enum number overflow")
            << "CreateUser" << QByteArray(R"({"user": {"role": 4294967296}})") << "role";
        QTest::newRow("NaN for int64") << "CreateUser" << QByteArray(R"({"user": {"id": "NaN"}})") << "id";
        QTest::newRow("bad enum") << "CreateUser" << QByteArray(R"({"user": {"role": "ROLE_GOD"}})")
                                  << "role";
        QTest::newRow("bad timestamp")
            << "CreateUser" << QByteArray(R"({"user": {"created": "yesterday"}})") << "created";
        QTest::newRow("deep nesting")
            << "CreateUser"
            << QByteArray(R"({"user": {"name": )") + QByteArray(100000, '[') + QByteArray(100000, ']') + "}}"
            << "(user) name";
        QTest::newRow("deep nesting at the top") << "GetUser" << QByteArray(1000000, '[') << "JSON object";
        QTest::newRow("deep objects")
            << "GetUser" << QByteArray(R"({"id": )") + QByteArray(1000000, '{') << "GetUserRequest";
        QTest::newRow("nested unknown") << "CreateUser" << QByteArray(R"({"user": {"nick": 1}})") << "nick";
        QTest::newRow("too big") << "GetUser"
                                 << QByteArray(R"({"id": ")") + QByteArray(kMaxGrpcReplayJson, 'x') + "\"}"
                                 << "more than";
        QTest::newRow("server streaming") << "ListUsers" << QByteArray("{}") << "server streaming";
        QTest::newRow("client streaming") << "Import" << QByteArray("{}") << "client streaming";
        QTest::newRow("bidirectional") << "Chat" << QByteArray("{}") << "bidirectional streaming";
        QTest::newRow("unknown method")
            << "Nope" << QByteArray("{}") << "no method /demo.users.v1.Users/Nope";
    }

    void hostileJsonIsRefused()
    {
        QFETCH(QString, method);
        QFETCH(QByteArray, json);
        QFETCH(QString, mentions);
        const GrpcReplayBody b = grpcReplayBody(call(method), json, m_schema.get());
        QVERIFY2(!b.error.isEmpty(), "accepted");
        QVERIFY(b.body.isEmpty());
        bool found = false;
        for (const QString &m : mentions.split(u'|'))
            found = found || b.error.contains(m);
        QVERIFY2(found, qPrintable(b.error));

        ReplayOptions o;
        o.grpcMessageJson = json;
        o.grpcSchema = m_schema;
        const Exchange planned = Replayer::prepare(call(method), o);
        QVERIFY2(planned.error.contains(b.error), qPrintable(planned.error));
    }

    void notGrpcOrNoSchema()
    {
        Exchange plain = call("GetUser");
        plain.grpcService.clear();
        plain.requestHeaders = { { "content-type", "application/json" } };
        QVERIFY(grpcReplayBody(plain, "{}", m_schema.get()).error.contains("not a gRPC call"));
        QVERIFY(grpcReplayBody(call("GetUser"), "{}", nullptr).error.contains("no gRPC schema"));
    }

    void prepareSendsTheEditedMessageWithTheCapturedHeaders()
    {
        ReplayOptions o;
        o.grpcMessageJson = R"({"id": "7"})";
        o.grpcSchema = m_schema;
        const Exchange e = Replayer::prepare(call("GetUser"), o);
        QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
        QCOMPARE(e.requestBody, QByteArray::fromHex("00000000030a0137"));
        QCOMPARE(headerValue(e.requestHeaders, "content-type"), QByteArray("application/grpc"));
        QCOMPARE(headerValue(e.requestHeaders, "te"), QByteArray("trailers"));
        QCOMPARE(headerValue(e.requestHeaders, "grpc-timeout"), QByteArray("5S"));
        QVERIFY2(e.notes.contains("encoded as demo.users.v1.GetUserRequest"), qPrintable(e.notes));
        // No edit: the captured body as it was.
        QCOMPARE(Replayer::prepare(call("GetUser"), {}).requestBody, call("GetUser").requestBody);
        // An empty edit is an edit (and not an object).
        o.grpcMessageJson = QByteArray("");
        QVERIFY(!Replayer::prepare(call("GetUser"), o).error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstGrpcReplay)
#include "tst_grpcreplay.moc"
