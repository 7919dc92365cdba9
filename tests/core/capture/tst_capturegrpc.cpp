// gRPC calls in the capture (schema version 6): service, method and grpc-status stored per
// exchange (trailers or trailers-only head), migrated into older files, filtered with grpc: and
// grpc_status:, and their messages shown decoded (with a schema) or as raw frames, in JSON and HAR;
// hostile frames (truncated, over-long, compressed, not protobuf) never decode wrongly.
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/ExchangeJson.h"
#include "core/capture/FilterExpression.h"
#include "core/capture/GrpcCall.h"
#include "core/capture/GrpcMessages.h"
#include "core/capture/Har.h"
#include "core/capture/Schema.h"
#include "core/grpc/GrpcFrames.h"
#include "core/grpc/Schema.h"
#include "tests/core/capture/CaptureTestUtil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace portico::capture;
using namespace portico::capture::test;

namespace {

QByteArray frame(const QByteArray &message, bool compressed = false, int declared = -1)
{
    const quint32 n = declared < 0 ? quint32(message.size()) : quint32(declared);
    QByteArray out;
    out.append(char(compressed ? 1 : 0));
    out.append(char(n >> 24)).append(char(n >> 16)).append(char(n >> 8)).append(char(n));
    return out + message;
}

// demo.users.v1.GetUserRequest {id: "42"} and demo.users.v1.User {name: "bob", id: 7}
const QByteArray kGetUser = QByteArray::fromHex("0a023432");
const QByteArray kUser = QByteArray::fromHex("0a03626f621007");

Exchange grpcExchange(
    const QString &path, int trailerStatus, const QByteArray &request, const QByteArray &response)
{
    Exchange e = makeExchange(QStringLiteral("POST"), path, 200);
    e.protocol = QStringLiteral("HTTP/2");
    e.requestHeaders = { { "content-type", "application/grpc" }, { "te", "trailers" } };
    e.responseHeaders = { { "content-type", "application/grpc" } };
    e.requestBody = request;
    e.requestBodySize = request.size();
    e.responseBody = response;
    e.responseBodySize = response.size();
    e.grpcStatus = trailerStatus;
    return e;
}

} // namespace

class TstCaptureGrpc : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString data = qEnvironmentVariable("PORTICO_SOURCE_DIR") + "/tests/data/grpc/protos";
        const auto loaded = portico::grpc::loadSchema({ data + "/demo/users/v1/users.proto" }, { data });
        QVERIFY(loaded.schema);
        m_schema = loaded.schema;
    }

    void identifiesCalls_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("responseHead");
        QTest::addColumn<int>("trailer");
        QTest::addColumn<QByteArray>("service");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<int>("status");
        const QByteArray users = "/demo.users.v1.Users/GetUser";
        QTest::newRow("trailers") << users << QByteArray("application/grpc") << QByteArray() << 0
                                  << QByteArray("demo.users.v1.Users") << QByteArray("GetUser") << 0;
        QTest::newRow("trailers-only")
            << users << QByteArray("application/grpc+proto")
            << QByteArray("\ncontent-type: application/grpc\ngrpc-status: 5\n") << -1
            << QByteArray("demo.users.v1.Users") << QByteArray("GetUser") << 5;
        QTest::newRow("no status") << users << QByteArray("application/grpc-web") << QByteArray() << -1
                                   << QByteArray("demo.users.v1.Users") << QByteArray("GetUser") << -1;
        QTest::newRow("not grpc") << users << QByteArray("application/json") << QByteArray() << 0
                                  << QByteArray() << QByteArray() << -1;
        QTest::newRow("grpcx") << users << QByteArray("application/grpcx") << QByteArray() << 0
                               << QByteArray() << QByteArray() << -1;
        QTest::newRow("three segments") << QByteArray("/a/b/c") << QByteArray("application/grpc")
                                        << QByteArray() << 0 << QByteArray() << QByteArray() << -1;
        QTest::newRow("no method") << QByteArray("/a.B/") << QByteArray("application/grpc") << QByteArray()
                                   << 0 << QByteArray() << QByteArray() << -1;
        QTest::newRow("quote") << QByteArray("/a'B/M") << QByteArray("application/grpc") << QByteArray() << 0
                               << QByteArray() << QByteArray() << -1;
        QTest::newRow("junk status") << users << QByteArray("application/grpc")
                                     << QByteArray("\ngrpc-status: -1\n") << -1
                                     << QByteArray("demo.users.v1.Users") << QByteArray("GetUser") << -1;
        QTest::newRow("overlong status")
            << users << QByteArray("application/grpc") << QByteArray("\ngrpc-status: 99999999999999999999\n")
            << -1 << QByteArray("demo.users.v1.Users") << QByteArray("GetUser") << -1;
    }

    void identifiesCalls()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, responseHead);
        QFETCH(int, trailer);
        QFETCH(QByteArray, service);
        QFETCH(QByteArray, method);
        QFETCH(int, status);
        const QByteArray requestHead = "\ncontent-type: " + contentType + "\n";
        const GrpcCall call = grpcCallOf(path, requestHead, responseHead, trailer);
        QCOMPARE(call.service.toByteArray(), service);
        QCOMPARE(call.method.toByteArray(), method);
        QCOMPARE(call.status, status);
    }

    void storesFiltersAndShows()
    {
        const QString path = m_dir.filePath("grpc.db");
        CaptureStore store(options(path));
        QVERIFY(store.open());
        const qint64 ok
            = store.submit(grpcExchange("/demo.users.v1.Users/GetUser", 0, frame(kGetUser), frame(kUser)));
        Exchange notFound = grpcExchange("/demo.users.v1.Users/GetUser", -1, frame(kGetUser), QByteArray());
        notFound.responseHeaders.append(Header { "grpc-status", "5" });
        const qint64 missing = store.submit(std::move(notFound));
        const qint64 other = store.submit(grpcExchange("/other.Users/List", 3, frame("x"), QByteArray()));
        const qint64 rest = store.submit(
            makeExchange(QStringLiteral("GET"), QStringLiteral("/demo.users.v1.Users/GetUser"), 200));
        QVERIFY(store.flush());

        CaptureReader reader;
        QVERIFY(reader.open(path));
        const auto e = reader.get(ok);
        QVERIFY(e);
        QCOMPARE(e->grpcService, QStringLiteral("demo.users.v1.Users"));
        QCOMPARE(e->grpcMethod, QStringLiteral("GetUser"));
        QCOMPARE(e->grpcStatus, 0);
        QCOMPARE(reader.get(missing)->grpcStatus, 5);
        QCOMPARE(reader.get(rest)->grpcService, QString());
        QCOMPARE(reader.get(rest)->grpcStatus, -1);

        const auto ids = [&reader](const char *filter) {
            FilterError error;
            const auto f = FilterExpression::parse(QString::fromLatin1(filter), &error);
            QList<qint64> out;
            if (!f)
                return QList<qint64> { -1 };
            for (const auto &s : reader.list(*f, 10))
                out.append(s.id);
            return out;
        };
        QCOMPARE(ids("grpc:Users/GetUser"), (QList<qint64> { missing, ok }));
        QCOMPARE(ids("grpc:demo.users.v1.Users/GetUser"), (QList<qint64> { missing, ok }));
        QCOMPARE(ids("grpc:Users"), (QList<qint64> { other, missing, ok }));
        QCOMPARE(ids("grpc:sers"), QList<qint64>()); // a short name is a whole dotted part
        QCOMPARE(ids("grpc:*.v1.*/Get*"), (QList<qint64> { missing, ok }));
        QCOMPARE(ids("grpc:Users/List"), QList<qint64> { other });
        QCOMPARE(ids("grpc_status:5"), QList<qint64> { missing });
        QCOMPARE(ids("grpc_status:>0"), (QList<qint64> { other, missing }));
        QCOMPARE(ids("grpc_status:<3"), QList<qint64> { ok }); // rows with no status (-1) never match
        QCOMPARE(ids("-grpc:Users"), QList<qint64> { rest });

        // Summary JSON: the three fields on gRPC calls only.
        const auto rows = reader.list({}, 10);
        QCOMPARE(summaryToJson(rows[0]).contains("grpc_service"), false);
        const QJsonObject s = summaryToJson(rows[1]);
        QCOMPARE(s.value("grpc_service").toString(), QStringLiteral("other.Users"));
        QCOMPARE(s.value("grpc_method").toString(), QStringLiteral("List"));
        QCOMPARE(s.value("grpc_status").toInt(), 3);

        // Messages: decoded with the schema, raw frames without.
        const QJsonObject decoded = exchangeToJson(*e, m_schema.get());
        QCOMPARE(decoded.value("request").toObject().value("messages").toArray(),
            (QJsonArray { QJsonObject { { "id", "42" } } }));
        QCOMPARE(decoded.value("response").toObject().value("messages").toArray(),
            (QJsonArray { QJsonObject { { "name", "bob" }, { "id", "7" } } }));
        const QJsonObject raw
            = exchangeToJson(*e).value("response").toObject().value("messages").toArray()[0].toObject();
        QCOMPARE(raw.value("raw").toString(), QString::fromLatin1(kUser.toBase64()));
        QCOMPARE(raw.value("length").toInt(), kUser.size());
        QCOMPARE(raw.value("compressed").toBool(), false);
        QVERIFY(!exchangeToJson(*reader.get(rest)).value("request").toObject().contains("messages"));

        // HAR: the messages as text beside the (base64) bodies.
        const QJsonObject har = harEntry(*e, m_schema.get());
        const QString text
            = har.value("response").toObject().value("content").toObject().value("_grpcMessages").toString();
        QCOMPARE(QJsonDocument::fromJson(text.toUtf8()).array(),
            (QJsonArray { QJsonObject { { "name", "bob" }, { "id", "7" } } }));
        QCOMPARE(har.value("_portico").toObject().value("grpcStatus").toInt(), 0);
    }

    void hostileFrames_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("truncated");
        QTest::addColumn<QString>("expected"); // compact JSON of the messages
        QTest::newRow("two messages")
            << frame(kUser) + frame(QByteArray()) << false << R"j([{"id":"7","name":"bob"},{}])j";
        QTest::newRow("truncated frame") << frame(kUser).left(
            8) << true << R"j([{"compressed":false,"length":7,"raw":"CgNi","truncated":true}])j";
        QTest::newRow("cut inside a prefix")
            << frame(kUser) + QByteArray("\0\0", 2) << true << R"j([{"id":"7","name":"bob"}])j";
        QTest::newRow("junk after")
            << frame(kUser) + QByteArray("\0\0", 2) << false
            << R"j([{"id":"7","name":"bob"},{"error":"2 bytes after the last message are no message prefix"}])j";
        QTest::newRow("length beyond the cap")
            << frame("abc", false, 0x7fffffff) << false
            << R"j([{"error":"a message declares 2147483647 bytes, more than the limit of 67108864"}])j";
        QTest::newRow("compressed") << frame(kUser, true) << false
                                    << R"j([{"compressed":true,"length":7,"raw":"CgNib2IQBw=="}])j";
        QTest::newRow("not protobuf")
            << frame("hello") << false
            << R"j([{"compressed":false,"error":"not a valid demo.users.v1.User","length":5,"raw":"aGVsbG8="}])j";
        QTest::newRow("bad flag") << QByteArray("\x07\0\0\0\0", 5) << false
                                  << R"j([{"error":"byte 0 is no message prefix (flag 7)"}])j";
        QTest::newRow("empty") << QByteArray() << false << "[]";
    }

    void hostileFrames()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, truncated);
        QFETCH(QString, expected);
        Exchange e = grpcExchange("/demo.users.v1.Users/GetUser", 0, QByteArray(), body);
        e.grpcService = QStringLiteral("demo.users.v1.Users");
        e.grpcMethod = QStringLiteral("GetUser");
        e.responseTruncated = truncated;
        const QJsonArray messages = grpcMessages(e, false, m_schema.get());
        QCOMPARE(QString::fromUtf8(QJsonDocument(messages).toJson(QJsonDocument::Compact)), expected);
    }

    void frameSplitterLimits()
    {
        // Many empty frames: bounded.
        QByteArray many;
        for (int i = 0; i < 20; ++i)
            many += frame(QByteArray());
        const auto split = portico::grpc::splitFrames(many, 1024, 10);
        QCOMPARE(split.frames.size(), 10);
        QVERIFY(split.error.contains("more than 10 messages"));
        const auto big = portico::grpc::splitFrames(frame("abcd"), 3);
        QVERIFY(big.frames.isEmpty());
        QVERIFY(big.error.contains("more than the limit of 3"));
    }

    // A version 5 file gains the three columns on open; its rows read as not gRPC.
    void migratesVersion5Files()
    {
        const QString path = m_dir.filePath("v5.db");
        qint64 old = 0;
        {
            CaptureStore store(options(path));
            QVERIFY(store.open());
            old = store.submit(
                grpcExchange("/demo.users.v1.Users/GetUser", 0, frame(kGetUser), frame(kUser)));
        }
        for (const char *column : { "grpc_service", "grpc_method", "grpc_status" })
            scalar(path, QStringLiteral("ALTER TABLE exchanges DROP COLUMN %1").arg(QLatin1String(column)));
        scalar(path, QStringLiteral("PRAGMA user_version = 5"));
        {
            CaptureReader reader;
            QVERIFY(reader.open(path));
            QCOMPARE(reader.get(old)->grpcService, QString()); // read before the migration
            QCOMPARE(reader.list({}, 10).first().grpcStatus, -1);
        }
        CaptureStore store(options(path));
        QVERIFY(store.open());
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), schema::kVersion);
        const qint64 fresh
            = store.submit(grpcExchange("/demo.users.v1.Users/GetUser", 0, frame(kGetUser), frame(kUser)));
        QVERIFY(store.flush());
        CaptureReader reader;
        QVERIFY(reader.open(path));
        QCOMPARE(reader.get(old)->grpcStatus, -1);
        QCOMPARE(reader.get(fresh)->grpcService, QStringLiteral("demo.users.v1.Users"));
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    }

    void filterHostileInput()
    {
        for (const char *bad : { "grpc:", "grpc:/M", "grpc:a/b/c" }) {
            FilterError error;
            QVERIFY2(!FilterExpression::parse(QString::fromLatin1(bad), &error), bad);
        }
        for (const char *bad : { "grpc_status:x", "grpc_status:", "grpc_status:>=", "grpc_status:5'--" }) {
            FilterError error;
            QVERIFY2(!FilterExpression::parse(QString::fromLatin1(bad), &error), bad);
        }
        // Quotes and LIKE characters are bound values, matching themselves.
        const auto f = FilterExpression::parse(QStringLiteral("grpc:\"a'%_\\\"/x\""));
        QVERIFY(f);
        QVERIFY(f->bindings().contains(QStringLiteral("a'%_\\")) || !f->bindings().isEmpty());
        QVERIFY(FilterExpression::fieldNames().contains(QStringLiteral("grpc_status")));
    }

private:
    static CaptureOptions options(const QString &path)
    {
        CaptureOptions o;
        o.databasePath = path;
        o.maxAge = std::chrono::milliseconds(0);
        return o;
    }

    QTemporaryDir m_dir;
    portico::grpc::SchemaPtr m_schema;
};

QTEST_GUILESS_MAIN(TstCaptureGrpc)
#include "tst_capturegrpc.moc"
