// The gRPC side of the gateway's own answers (core/gateway/grpc/GrpcStatus): grpc-timeout values
// as a client could send them, well-formed or hostile, grpc-message encoding, the HTTP -> gRPC
// status mapping and the trailers-only head of a local reply.
#include "core/gateway/grpc/GrpcStatus.h"

#include <QTest>

using namespace portico;
using namespace portico::gateway;

class TestGrpcStatus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void timeouts_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<qint64>("ms"); // -1: refused
        QTest::newRow("seconds") << QByteArray("5S") << qint64(5000);
        QTest::newRow("millis") << QByteArray("250m") << qint64(250);
        QTest::newRow("hours") << QByteArray("2H") << qint64(7'200'000);
        QTest::newRow("minutes") << QByteArray("3M") << qint64(180'000);
        QTest::newRow("micros round up") << QByteArray("1500u") << qint64(2);
        QTest::newRow("one nanosecond is not none") << QByteArray("1n") << qint64(1);
        QTest::newRow("zero") << QByteArray("0S") << qint64(0);
        QTest::newRow("eight digits of hours") << QByteArray("99999999H") << qint64(99999999) * 3'600'000;
        QTest::newRow("nine digits") << QByteArray("123456789S") << qint64(-1);
        QTest::newRow("empty") << QByteArray() << qint64(-1);
        QTest::newRow("unit only") << QByteArray("S") << qint64(-1);
        QTest::newRow("unknown unit") << QByteArray("10s") << qint64(-1);
        QTest::newRow("negative") << QByteArray("-1S") << qint64(-1);
        QTest::newRow("space") << QByteArray("1 S") << qint64(-1);
        QTest::newRow("plus sign") << QByteArray("+5S") << qint64(-1);
        QTest::newRow("nul") << QByteArray("5\0S", 3) << qint64(-1);
    }

    void timeouts()
    {
        QFETCH(QByteArray, value);
        QFETCH(qint64, ms);
        const std::optional<qint64> parsed = grpc::parseTimeout(value);
        if (ms < 0)
            QVERIFY(!parsed);
        else
            QCOMPARE(parsed.value_or(-2), ms);
    }

    void messagesArePercentEncoded()
    {
        QCOMPARE(grpc::percentEncodeMessage("plain text: ok"), QByteArray("plain text: ok"));
        QCOMPARE(grpc::percentEncodeMessage("100% sure"), QByteArray("100%25 sure"));
        // CR/LF could split a header; non-ASCII goes as its UTF-8 bytes.
        QCOMPARE(grpc::percentEncodeMessage("a\r\nb"), QByteArray("a%0D%0Ab"));
        QCOMPARE(grpc::percentEncodeMessage(QStringLiteral("caf\u00e9").toUtf8()), QByteArray("caf%C3%A9"));
    }

    void httpStatusesMapToGrpcCodes()
    {
        QCOMPARE(grpc::statusForHttp(401), grpc::Status::Unauthenticated);
        QCOMPARE(grpc::statusForHttp(403), grpc::Status::PermissionDenied);
        QCOMPARE(grpc::statusForHttp(404), grpc::Status::Unimplemented);
        QCOMPARE(grpc::statusForHttp(429), grpc::Status::ResourceExhausted);
        QCOMPARE(grpc::statusForHttp(413), grpc::Status::ResourceExhausted);
        QCOMPARE(grpc::statusForHttp(502), grpc::Status::Unavailable);
        QCOMPARE(grpc::statusForHttp(503), grpc::Status::Unavailable);
        QCOMPARE(grpc::statusForHttp(504), grpc::Status::DeadlineExceeded);
        QCOMPARE(grpc::statusForHttp(418), grpc::Status::Unknown);
        QCOMPARE(grpc::statusName(16), QByteArrayView("UNAUTHENTICATED"));
        QVERIFY(grpc::statusName(17).isEmpty());
        QVERIFY(grpc::statusName(-1).isEmpty());
    }

    void contentTypes()
    {
        QVERIFY(grpc::isGrpcContentType("application/grpc"));
        QVERIFY(grpc::isGrpcContentType("Application/GRPC+proto; charset=x"));
        QVERIFY(!grpc::isGrpcContentType("application/grpc+"));
        QVERIFY(!grpc::isGrpcContentType("application/grpc-web"));
        QVERIFY(!grpc::isGrpcContentType("application/grpcx"));
        QVERIFY(!grpc::isGrpcContentType("application/json"));
        QVERIFY(!grpc::isGrpcContentType(""));
    }

    void localReplyBecomesTrailersOnly()
    {
        filters::LocalReply reply { 401, QStringLiteral("Unauthorized"), QStringLiteral("no API key\r\nX-Evil: 1"), {}, {} };
        reply.headers.set("WWW-Authenticate", "ApiKey realm=\"portico\"");
        const http::ResponseHead head = grpc::trailersOnly(reply);
        QCOMPARE(head.status, 200);
        QVERIFY(head.endsMessage);
        QCOMPARE(head.headers.value("content-type"), QByteArray("application/grpc"));
        QCOMPARE(head.headers.value("grpc-status"), QByteArray("16"));
        QCOMPARE(head.headers.value("grpc-message"), QByteArray("Unauthorized: no API key%0D%0AX-Evil: 1"));
        QCOMPARE(head.headers.value("www-authenticate"), QByteArray("ApiKey realm=\"portico\""));
    }
};

QTEST_GUILESS_MAIN(TestGrpcStatus)
#include "tst_grpc_status.moc"
