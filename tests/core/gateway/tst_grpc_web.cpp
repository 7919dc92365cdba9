// gRPC-Web framing (core/gateway/grpc/GrpcWeb, GrpcWebBridge): content types, base64 decoded and
// encoded as it streams (split at every offset, padded pieces back to back), frames followed
// across pieces, trailer frames written and read back; hostile input: bad base64, misplaced
// padding, unknown flags, a frame longer than what remains, trailer lines that are not fields.
#include "core/gateway/grpc/GrpcWeb.h"
#include "core/gateway/grpc/GrpcWebBridge.h"
#include "core/gateway/pipeline/DownstreamStream.h"

#include <QRandomGenerator>
#include <QTest>
#include <QtEndian>

using namespace portico;
using namespace portico::gateway::grpc;

namespace {

QByteArray frame(unsigned char flags, const QByteArray &payload)
{
    QByteArray f(kFrameHeader, Qt::Uninitialized);
    f[0] = char(flags);
    qToBigEndian<quint32>(quint32(payload.size()), f.data() + 1);
    return f + payload;
}

QByteArray randomBytes(int n, quint32 seed)
{
    QRandomGenerator rng(seed);
    QByteArray b(n, Qt::Uninitialized);
    for (char &c : b)
        c = char(rng.bounded(256));
    return b;
}

QByteArray decodeInPieces(const QByteArray &text, QList<qsizetype> cuts, bool *ok)
{
    Base64Decoder d;
    QByteArray out;
    qsizetype from = 0;
    cuts << text.size();
    *ok = true;
    for (const qsizetype cut : cuts) {
        *ok = *ok && d.feed(QByteArrayView(text).sliced(from, cut - from), out);
        from = cut;
    }
    *ok = *ok && d.finish();
    return out;
}

} // namespace

class TestGrpcWeb : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void contentTypes()
    {
        QCOMPARE(webModeOf("application/grpc-web"), WebMode::Binary);
        QCOMPARE(webModeOf("application/grpc-web+proto"), WebMode::Binary);
        QCOMPARE(webModeOf("Application/GRPC-Web+proto; charset=utf-8"), WebMode::Binary);
        QCOMPARE(webModeOf("application/grpc-web-text"), WebMode::Text);
        QCOMPARE(webModeOf("application/grpc-web-text+proto"), WebMode::Text);
        QCOMPARE(webModeOf("application/grpc"), WebMode::None);
        QCOMPARE(webModeOf("application/grpc-webx"), WebMode::None);
        QCOMPARE(webModeOf("application/grpc-web+"), WebMode::None);
        QCOMPARE(webModeOf(""), WebMode::None);
        QCOMPARE(nativeContentType("application/grpc-web-text+proto"), QByteArray("application/grpc+proto"));
        QCOMPARE(nativeContentType("application/grpc-web"), QByteArray("application/grpc"));
        QVERIFY(isNativeGrpc("application/grpc"));
        QVERIFY(isNativeGrpc("application/grpc+proto; x=y"));
        QVERIFY(!isNativeGrpc("application/grpc-web"));
        QVERIFY(!isNativeGrpc("text/html"));
        QCOMPARE(webContentType("application/grpc+proto", WebMode::Text),
            QByteArray("application/grpc-web-text+proto"));
        QCOMPARE(webContentType("application/grpc", WebMode::Binary), QByteArray("application/grpc-web"));
    }

    void base64DecodesSplitAtEveryOffset()
    {
        for (const int n : { 0, 1, 2, 3, 4, 5, 31, 32, 33, 100 }) {
            const QByteArray data = randomBytes(n, quint32(n) + 7);
            const QByteArray text = data.toBase64();
            bool ok = false;
            QCOMPARE(decodeInPieces(text, {}, &ok), data);
            QVERIFY(ok);
            for (qsizetype a = 0; a <= text.size(); ++a) {
                QCOMPARE(decodeInPieces(text, { a }, &ok), data);
                QVERIFY2(ok, qPrintable(QStringLiteral("n=%1 cut at %2").arg(n).arg(a)));
                for (qsizetype b = a; b <= text.size() && n <= 33; ++b) {
                    QCOMPARE(decodeInPieces(text, { a, b }, &ok), data);
                    QVERIFY(ok);
                }
            }
            // One character at a time.
            QList<qsizetype> every;
            for (qsizetype i = 1; i < text.size(); ++i)
                every << i;
            QCOMPARE(decodeInPieces(text, every, &ok), data);
            QVERIFY(ok);
        }
    }

    void base64PaddedPiecesFollowEachOther()
    {
        // A client that encodes each message on its own sends padding in the middle.
        const QByteArray text
            = QByteArray("a").toBase64() + QByteArray("bc").toBase64() + QByteArray("def").toBase64();
        QCOMPARE(text, QByteArray("YQ==YmM=ZGVm"));
        for (qsizetype cut = 0; cut <= text.size(); ++cut) {
            bool ok = false;
            QCOMPARE(decodeInPieces(text, { cut }, &ok), QByteArray("abcdef"));
            QVERIFY(ok);
        }
    }

    void base64HostileInput_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("not the alphabet") << QByteArray("AB*D");
        QTest::newRow("url-safe alphabet") << QByteArray("AB-_");
        QTest::newRow("space") << QByteArray("AB D");
        QTest::newRow("newline") << QByteArray("ABCD\nABCD");
        QTest::newRow("NUL") << QByteArray("AB\0D", 4);
        QTest::newRow("padding first") << QByteArray("=AAA");
        QTest::newRow("padding second") << QByteArray("A===");
        QTest::newRow("char after padding") << QByteArray("YQ=a");
        QTest::newRow("incomplete") << QByteArray("YWJj"
                                                  "YW");
        QTest::newRow("high bytes") << QByteArray("\xff\xfe\xfd\xfc");
    }

    void base64HostileInput()
    {
        QFETCH(QByteArray, text);
        Base64Decoder d;
        QByteArray out;
        const bool fed = d.feed(text, out);
        const bool finished = fed && d.finish();
        QVERIFY(!finished);
        QVERIFY(!d.error().isEmpty());
        // Once failed, it stays failed.
        QVERIFY(!d.feed("AAAA", out));
        QVERIFY(!d.finish());
    }

    void base64EncodesSplitAtEveryOffset()
    {
        for (const int n : { 0, 1, 2, 3, 4, 7, 64, 65 }) {
            const QByteArray data = randomBytes(n, quint32(n));
            for (qsizetype a = 0; a <= n; ++a) {
                for (qsizetype b = a; b <= n; ++b) {
                    Base64Encoder e;
                    QByteArray out;
                    e.feed(QByteArrayView(data).first(a), out);
                    e.feed(QByteArrayView(data).sliced(a, b - a), out);
                    e.feed(QByteArrayView(data).sliced(b), out);
                    e.finish(out);
                    QCOMPARE(out, data.toBase64());
                }
            }
        }
    }

    void framesAreFollowedAcrossPieces()
    {
        const QByteArray body
            = frame(0, "hello") + frame(kCompressedFlag, randomBytes(300, 1)) + frame(0, {});
        for (qsizetype cut = 0; cut <= body.size(); ++cut) {
            FrameTracker t(false, 1 << 20);
            QVERIFY(t.feed(QByteArrayView(body).first(cut)));
            QVERIFY(t.feed(QByteArrayView(body).sliced(cut)));
            QVERIFY2(t.finish(), qPrintable(t.error()));
            QCOMPARE(t.frames(), 3);
        }
    }

    void hostileFrames()
    {
        {
            FrameTracker t(false, 1 << 20);
            QVERIFY(t.feed(frame(0, "abc").chopped(1))); // the body ends one byte short
            QVERIFY(!t.finish());
            QVERIFY(t.error().contains(QStringLiteral("short")));
        }
        {
            FrameTracker t(false, 1 << 20);
            QVERIFY(t.feed(QByteArray("\0\0\0", 3))); // inside a frame header
            QVERIFY(!t.finish());
        }
        {
            FrameTracker t(false, 1 << 20);
            QVERIFY(!t.feed(frame(0x02, "x")));
            QVERIFY(t.error().contains(QStringLiteral("flags 0x02")));
        }
        {
            FrameTracker t(false, 1 << 20); // a request carries no trailers
            QVERIFY(!t.feed(frame(kTrailerFlag, "grpc-status: 0\r\n")));
        }
        {
            FrameTracker t(true, 1 << 20);
            QVERIFY(t.feed(frame(kTrailerFlag, "grpc-status: 0\r\n")));
            QVERIFY(!t.feed(frame(0, "late")));
        }
        {
            FrameTracker t(false, 16);
            QByteArray head("\0\xff\xff\xff\xff", 5); // 4 GiB announced
            QVERIFY(!t.feed(head));
            QVERIFY(t.error().contains(QStringLiteral("over the limit")));
        }
        std::vector<Frame> frames;
        QString error;
        QVERIFY(!parseFrames(QByteArray("\0\0\0\0\x09"
                                        "abc",
                                 8),
            &frames, &error));
        QVERIFY(error.contains(QStringLiteral("9 bytes with 3 left")));
        QVERIFY(!parseFrames(QByteArray("\0\0", 2), &frames, &error));
    }

    void trailerFrameRoundTrip()
    {
        http::HttpHeaders t;
        t.add("Grpc-Status", "5");
        t.add("grpc-message", "no such user: bob");
        t.add(":status", "200"); // pseudo-fields are not trailers
        t.add("x-split", "a\r\nx-evil: 1"); // would add a field: left out
        t.add("x-bin-bin", "AAEC");
        const QByteArray f = trailerFrame(t);
        std::vector<Frame> frames;
        QString error;
        QVERIFY(parseFrames(f, &frames, &error));
        QCOMPARE(frames.size(), size_t(1));
        QCOMPARE(frames[0].flags, kTrailerFlag);
        QCOMPARE(frames[0].payload,
            QByteArray("grpc-status: 5\r\ngrpc-message: no such user: bob\r\nx-bin-bin: AAEC\r\n"));
        http::HttpHeaders back;
        QVERIFY(parseTrailers(frames[0].payload, &back, &error));
        QCOMPARE(back.value("grpc-status"), QByteArray("5"));
        QCOMPARE(back.size(), 3);
    }

    void hostileTrailerLines_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::newRow("no colon") << QByteArray("grpc-status 0\r\n");
        QTest::newRow("no CRLF") << QByteArray("grpc-status: 0");
        QTest::newRow("bare LF") << QByteArray("grpc-status: 0\n");
        QTest::newRow("empty name") << QByteArray(": 0\r\n");
        QTest::newRow("space in name") << QByteArray("grpc status: 0\r\n");
        QTest::newRow("NUL in value") << QByteArray("grpc-message: a\0b\r\n", 19);
        QTest::newRow("empty line") << QByteArray("\r\n");
    }

    void hostileTrailerLines()
    {
        QFETCH(QByteArray, payload);
        http::HttpHeaders out;
        QString error;
        QVERIFY(!parseTrailers(payload, &out, &error));
        QVERIFY(!error.isEmpty());
    }

    void bridgeTranslatesTextRequestsAndAnswers()
    {
        http::RequestHead request;
        request.method = "POST";
        request.headers.add("Content-Type", "application/grpc-web-text+proto");
        request.headers.add("Content-Length", "24");
        std::unique_ptr<GrpcWebBridge> b = GrpcWebBridge::create(request);
        QVERIFY(b);
        QVERIFY(b->text());
        const QByteArray native = frame(0, "hello") + frame(0, "world!");
        const QByteArray text = native.toBase64();
        // Part of the body arrives before the backend is chosen: it waits, then is decoded.
        QByteArray out;
        QVERIFY(b->requestBody(text.constData(), 5, out));
        QVERIFY(out.isEmpty());
        QCOMPARE(b->waiting(), 5);
        gateway::RequestFraming framing;
        framing.contentLength = text.size();
        QVERIFY(b->decide(true, request, framing, out));
        QCOMPARE(request.headers.value("content-type"), QByteArray("application/grpc+proto"));
        QCOMPARE(request.headers.value("te"), QByteArray("trailers"));
        QVERIFY(!request.headers.contains("content-length"));
        QVERIFY(framing.chunked);
        QCOMPARE(framing.contentLength, -1);
        QVERIFY(b->requestBody(text.constData() + 5, size_t(text.size() - 5), out));
        QVERIFY(b->requestEnd());
        QCOMPARE(out, native);

        http::ResponseHead head;
        head.headers.add("content-type", "application/grpc+proto");
        head.headers.add("content-length", "10");
        b->responseHead(head);
        QVERIFY(b->translatingResponse());
        QCOMPARE(head.headers.value("content-type"), QByteArray("application/grpc-web-text+proto"));
        QVERIFY(!head.headers.contains("content-length"));
        const QByteArray message = frame(0, "reply");
        QByteArray sent = b->responseBody(message.constData(), 4);
        sent += b->responseBody(message.constData() + 4, 6);
        http::HttpHeaders trailers;
        trailers.add("grpc-status", "0");
        sent += b->responseEnd(trailers);
        QCOMPARE(QByteArray::fromBase64(sent), message + trailerFrame(trailers));
        QCOMPARE(sent, (message + trailerFrame(trailers)).toBase64());
    }

    void bridgeRefusesBadBodies()
    {
        http::RequestHead request;
        request.headers.add("content-type", "application/grpc-web-text");
        gateway::RequestFraming framing;
        QByteArray out;
        auto b = GrpcWebBridge::create(request);
        QVERIFY(b->decide(true, request, framing, out));
        QVERIFY(!b->requestBody("AA*A", 4, out));
        QVERIFY(b->requestError().contains(QStringLiteral("invalid base64")));

        request.headers.set("content-type", "application/grpc-web+proto");
        b = GrpcWebBridge::create(request);
        QVERIFY(b->decide(true, request, framing, out));
        const QByteArray truncated = frame(0, "hello").chopped(2);
        QVERIFY(b->requestBody(truncated.constData(), size_t(truncated.size()), out));
        QVERIFY(!b->requestEnd()); // the frame's length is larger than what came
        QVERIFY(!b->requestError().isEmpty());
    }

    void bridgeTrailersOnlyAndMissingStatus()
    {
        gateway::RequestFraming framing;
        QByteArray out;
        const auto translating = [&] {
            http::RequestHead request;
            request.headers.add("content-type", "application/grpc-web");
            auto bridge = GrpcWebBridge::create(request);
            if (bridge)
                bridge->decide(true, request, framing, out);
            return bridge;
        };
        auto b = translating();
        QVERIFY(b);
        http::ResponseHead head;
        head.endsMessage = true;
        head.headers.add("content-type", "application/grpc");
        head.headers.add("grpc-status", "5");
        head.headers.add("grpc-message", "not found");
        head.headers.add("x-meta", "kept in the head");
        b->responseHead(head);
        QVERIFY(!head.endsMessage);
        QVERIFY(!head.headers.contains("grpc-status"));
        QCOMPARE(head.headers.value("x-meta"), QByteArray("kept in the head"));
        const QByteArray end = b->responseEnd({});
        std::vector<Frame> frames;
        QString error;
        QVERIFY(parseFrames(end, &frames, &error));
        QCOMPARE(frames.back().payload, QByteArray("grpc-status: 5\r\ngrpc-message: not found\r\n"));

        // An answer that ends without any status: INTERNAL, as a native client would see it.
        b = translating();
        http::ResponseHead plain;
        plain.headers.add("content-type", "application/grpc");
        b->responseHead(plain);
        QVERIFY(b->responseEnd({}).contains("grpc-status: 13\r\n"));

        // Not gRPC: passes as it is; nor to an HTTP/1.1 upstream.
        b = translating();
        http::ResponseHead html;
        html.headers.add("content-type", "text/html");
        b->responseHead(html);
        QVERIFY(!b->translatingResponse());
        http::RequestHead untouched;
        untouched.headers.add("content-type", "application/grpc-web-text");
        b = GrpcWebBridge::create(untouched);
        QVERIFY(b->requestBody("QUFB", 4, out));
        out.clear();
        QVERIFY(b->decide(false, untouched, framing, out));
        QCOMPARE(out, QByteArray("QUFB"));
        QCOMPARE(untouched.headers.value("content-type"), QByteArray("application/grpc-web-text"));
        QVERIFY(!GrpcWebBridge::create(http::RequestHead {}));
    }
};

QTEST_GUILESS_MAIN(TestGrpcWeb)
#include "tst_grpc_web.moc"
