// HTTP/2 from clients (gateway.http2): prior-knowledge h2c on a cleartext listener and ALPN "h2" on
// a TLS one, driven by real HTTP/2 clients (curl, h2load from nghttp2-client), through the same
// pipeline as HTTP/1.1 to an HTTP/1.1 upstream; and what a hostile peer gets.
#include "GatewayHarness.h"
#include "support/CurlClient.h"
#include "support/SelfSignedCert.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace portico;
using namespace portico::test;

namespace {

// One HTTP/2 frame: 9-byte header (length, type, flags, stream id), then the payload.
QByteArray frame(quint8 type, quint8 flags, quint32 stream, const QByteArray &payload)
{
    QByteArray f;
    const quint32 n = quint32(payload.size());
    f.append(char(n >> 16)).append(char(n >> 8)).append(char(n));
    f.append(char(type)).append(char(flags));
    f.append(char(stream >> 24 & 0x7f))
        .append(char(stream >> 16))
        .append(char(stream >> 8))
        .append(char(stream));
    return f + payload;
}

// Whether `bytes` (what the server sent) holds a GOAWAY frame, walking the frames after the
// server's first SETTINGS.
bool hasGoaway(const QByteArray &bytes)
{
    qsizetype at = 0;
    while (at + 9 <= bytes.size()) {
        const quint32 length = quint32(quint8(bytes[at])) << 16 | quint32(quint8(bytes[at + 1])) << 8
            | quint32(quint8(bytes[at + 2]));
        if (quint8(bytes[at + 3]) == 0x7)
            return true;
        at += 9 + qsizetype(length);
    }
    return false;
}

struct FrameInfo
{
    quint8 type = 0;
    quint8 flags = 0;
    quint32 stream = 0;
};

// The frames in `bytes` (what the server sent, from its first SETTINGS on), whole ones only.
std::vector<FrameInfo> framesIn(const QByteArray &bytes)
{
    std::vector<FrameInfo> out;
    qsizetype at = 0;
    while (at + 9 <= bytes.size()) {
        const quint32 length = quint32(quint8(bytes[at])) << 16 | quint32(quint8(bytes[at + 1])) << 8
            | quint32(quint8(bytes[at + 2]));
        if (at + 9 + qsizetype(length) > bytes.size())
            break;
        const quint32 stream = (quint32(quint8(bytes[at + 5])) << 24 | quint32(quint8(bytes[at + 6])) << 16
                                   | quint32(quint8(bytes[at + 7])) << 8 | quint32(quint8(bytes[at + 8])))
            & 0x7fffffffu;
        out.push_back({ quint8(bytes[at + 3]), quint8(bytes[at + 4]), stream });
        at += 9 + qsizetype(length);
    }
    return out;
}

// Whether the server ended stream 1 (END_STREAM on HEADERS or DATA, or a RST_STREAM).
bool streamOneEnded(const QByteArray &bytes)
{
    for (const FrameInfo &f : framesIn(bytes)) {
        if (f.stream == 1 && (((f.type == 0x0 || f.type == 0x1) && (f.flags & 0x1)) || f.type == 0x3))
            return true;
    }
    return false;
}

int pingAcks(const QByteArray &bytes)
{
    int n = 0;
    for (const FrameInfo &f : framesIn(bytes))
        n += f.type == 0x6 && (f.flags & 0x1);
    return n;
}

QString routes(const QString &upstream)
{
    return QStringLiteral("routes:\n  - {name: all, match: {path: /api}, upstream: %1}\n").arg(upstream);
}

} // namespace

class TestGatewayHttp2 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty()
            || QStandardPaths::findExecutable(QStringLiteral("h2load")).isEmpty())
            QFAIL("curl and h2load (nghttp2-client) are needed: bash packaging/install-deps.sh");
    }

    void priorKnowledgeCleartext()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        const QString problems
            = gw.start(gatewayHeader(QStringLiteral("  http2: true\n")) + QStringLiteral("upstreams:\n")
                + upstreamEntry(QStringLiteral("up"), upstream) + routes(QStringLiteral("up")));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(gw.port());

        const CurlResult get = curl(
            { "--http2-prior-knowledge", "-H", "X-Trace-Me: yes", "-H", "cookie: a=1", "-H", "cookie: b=2" },
            base + QStringLiteral("/api/users?page=2"));
        QVERIFY2(get.exitCode == 0, get.error.constData());
        QVERIFY2(get.head.startsWith("HTTP/2 200"), get.head.constData());
        QVERIFY(get.head.contains("x-request-id: "));
        const QJsonObject echo = QJsonDocument::fromJson(get.body).object();
        QCOMPARE(echo.value(QStringLiteral("path")).toString(), QStringLiteral("/api/users"));
        QCOMPARE(echo.value(QStringLiteral("query")).toString(), QStringLiteral("page=2"));
        const QJsonObject headers = echo.value(QStringLiteral("headers")).toObject();
        // The upstream speaks HTTP/1.1: Host from :authority, the split cookie fields joined.
        QCOMPARE(headers.value(QStringLiteral("host")).toString(), upstream.hostPort());
        QCOMPARE(headers.value(QStringLiteral("x-forwarded-host")).toString(),
            QStringLiteral("127.0.0.1:%1").arg(gw.port()));
        QCOMPARE(headers.value(QStringLiteral("x-trace-me")).toString(), QStringLiteral("yes"));
        QCOMPARE(headers.value(QStringLiteral("cookie")).toString(), QStringLiteral("a=1; b=2"));

        // A body, streamed to the upstream.
        QByteArray payload(200 * 1024, 'p');
        const QString payloadPath = gw.dir().writeFile(QStringLiteral("payload.bin"), payload);
        const CurlResult post = curl({ "--http2-prior-knowledge", "--data-binary", "@" + payloadPath },
            base + QStringLiteral("/api/upload"));
        QVERIFY2(post.head.startsWith("HTTP/2 200"), post.head.constData());
        QCOMPARE(QJsonDocument::fromJson(post.body).object().value(QStringLiteral("body")).toString().size(),
            payload.size());

        // The gateway's own answers are HTTP/2 too.
        const CurlResult missing = curl({ "--http2-prior-knowledge" }, base + QStringLiteral("/nowhere"));
        QVERIFY2(missing.head.startsWith("HTTP/2 404"), missing.head.constData());
        QVERIFY(missing.head.contains("content-type: application/problem+json"));

        // HTTP/1.1 still works on the same port.
        const CurlResult h1 = curl({ "--http1.1" }, base + QStringLiteral("/api/x"));
        QVERIFY2(h1.head.startsWith("HTTP/1.1 200"), h1.head.constData());
    }

    void manyStreamsOnOneConnection()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QVERIFY(gw.start(gatewayHeader(QStringLiteral("  http2: true\n")) + QStringLiteral("upstreams:\n")
                      + upstreamEntry(QStringLiteral("up"), upstream) + routes(QStringLiteral("up")))
                    .isEmpty());
        QProcess h2load;
        h2load.start(QStringLiteral("h2load"),
            { "-n", "300", "-c", "2", "-m", "50",
                QStringLiteral("http://127.0.0.1:%1/api/load").arg(gw.port()) });
        QVERIFY(h2load.waitForFinished(30000));
        const QByteArray out = h2load.readAllStandardOutput();
        QVERIFY2(out.contains("300 succeeded, 0 failed, 0 errored"), out.constData());
        QVERIFY2(out.contains("status codes: 300 2xx"), out.constData());
        QVERIFY2(out.contains("Application protocol: h2c"), out.constData());
    }

    void localRepliesEndTheirStreams()
    {
        // The gateway's own answers (404 here) end with END_STREAM: h2load counts a request only
        // when its stream closes, and 300 on one connection of 128 slots need every one freed.
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QVERIFY(gw.start(gatewayHeader(QStringLiteral("  http2: true\n")) + QStringLiteral("upstreams:\n")
                      + upstreamEntry(QStringLiteral("up"), upstream) + routes(QStringLiteral("up")))
                    .isEmpty());
        QProcess h2load;
        h2load.start(QStringLiteral("h2load"),
            { "-n", "300", "-c", "1", "-m", "10",
                QStringLiteral("http://127.0.0.1:%1/none").arg(gw.port()) });
        QVERIFY(h2load.waitForFinished(30000));
        const QByteArray out = h2load.readAllStandardOutput();
        // h2load counts a 4xx as "failed"; "done" is a stream that closed.
        QVERIFY2(out.contains("300 done, 0 succeeded, 300 failed, 0 errored, 0 timeout"), out.constData());
        QVERIFY2(out.contains("status codes: 0 2xx, 0 3xx, 300 4xx"), out.constData());
    }

    // An answer decided on the head (a 404 here, an auth refusal, a gRPC trailers-only error)
    // while the client is still sending a small body it announced: Debian 12's curl 7.88 misses
    // an END_STREAM that arrives before its upload is done and waits out its --max-time (about
    // one try in two). The answer's end waits for the client's, bounded for clients that stop.
    void earlyAnswersWaitForASmallUpload()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QVERIFY(gw.start(gatewayHeader(QStringLiteral("  http2: true\n")) + QStringLiteral("upstreams:\n")
                      + upstreamEntry(QStringLiteral("up"), upstream) + routes(QStringLiteral("up")))
                    .isEmpty());
        const QString url = QStringLiteral("http://127.0.0.1:%1/nowhere").arg(gw.port());
        const QString small = gw.dir().writeFile(QStringLiteral("small.json"), QByteArray("{\"a\":1}"));
        for (int i = 0; i < 12; ++i) {
            const CurlResult r
                = curl({ "--http2-prior-knowledge", "-H", "expect:", "--data-binary", "@" + small }, url);
            QVERIFY2(r.exitCode == 0,
                qPrintable(QStringLiteral("try %1: %2").arg(i).arg(QString::fromUtf8(r.error))));
            QVERIFY2(r.head.startsWith("HTTP/2 404"), r.head.constData());
        }

        // Frame by frame: HEADERS announcing 5 bytes, a PING answered twice over (so whatever the
        // gateway had decided is out), and no end of stream 1 until the body's END_STREAM.
        const QByteArray preface = QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + frame(0x4, 0, 0, {});
        // HPACK: :method POST, :scheme http, :path /nowhere, :authority a, content-length 5.
        const QByteArray head = QByteArray("\x83\x86", 2) + QByteArray("\x44\x08/nowhere", 10)
            + QByteArray("\x41\x01"
                         "a",
                3)
            + QByteArray("\x5c\x01"
                         "5",
                3);
        const QByteArray ping = frame(0x6, 0, 0, QByteArray(8, 'p'));
        // Everything the server sent so far (reads what has arrived, waits for nothing more).
        const auto received = [](RawClient &c) {
            c.isClosed(0);
            return c.pending();
        };
        RawClient client;
        QVERIFY(client.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QVERIFY(client.send(preface + frame(0x1, 0x4, 1, head) + frame(0x0, 0, 1, "ab") + ping));
        QTRY_VERIFY_WITH_TIMEOUT(pingAcks(received(client)) >= 1, 5000);
        QVERIFY(client.send(ping));
        QTRY_VERIFY_WITH_TIMEOUT(pingAcks(received(client)) >= 2, 5000);
        QVERIFY2(!streamOneEnded(client.pending()), "the answer ended before the client's body did");
        QVERIFY(client.send(frame(0x0, 0x1, 1, "cde"))); // the rest, END_STREAM
        QTRY_VERIFY_WITH_TIMEOUT(streamOneEnded(received(client)), 5000);

        // A client that stops short of what it announced still gets the answer (after the hold).
        RawClient stalled;
        QVERIFY(stalled.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QVERIFY(stalled.send(preface + frame(0x1, 0x4, 1, head) + frame(0x0, 0, 1, "ab")));
        QTRY_VERIFY_WITH_TIMEOUT(streamOneEnded(received(stalled)), 5000);
        QCOMPARE(upstream.requestCount(), 0);
    }

    void alpnOnTls()
    {
        LoopbackUpstream upstream;
        for (const bool on : { true, false }) {
            GatewayHarness gw;
            SelfSignedCert::Files files;
            QString error;
            QVERIFY2(SelfSignedCert::write(gw.dir().dir(), &files, &error,
                         { QStringLiteral("gateway.test"), QStringLiteral("127.0.0.1") }),
                qPrintable(error));
            const QString http2 = on ? QStringLiteral("  http2: true\n") : QString();
            const QString problems
                = gw.start(gatewayHeader(QStringLiteral("  tls: {cert: cert.pem, key: key.pem}\n") + http2)
                    + QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), upstream)
                    + routes(QStringLiteral("up")));
            QVERIFY2(problems.isEmpty(), qPrintable(problems));
            const CurlResult r = curl({ "--http2", "--cacert", files.certPath },
                QStringLiteral("https://127.0.0.1:%1/api/tls").arg(gw.port()));
            QVERIFY2(r.exitCode == 0, r.error.constData());
            QVERIFY2(r.head.startsWith(on ? "HTTP/2 200" : "HTTP/1.1 200"), r.head.constData());
            QCOMPARE(QJsonDocument::fromJson(r.body)
                         .object()
                         .value(QStringLiteral("headers"))
                         .toObject()
                         .value(QStringLiteral("x-forwarded-proto"))
                         .toString(),
                QStringLiteral("https"));
        }
    }

    void offByDefault()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QVERIFY(gw.start(gatewayHeader() + QStringLiteral("upstreams:\n")
                      + upstreamEntry(QStringLiteral("up"), upstream) + routes(QStringLiteral("up")))
                    .isEmpty());
        const CurlResult r
            = curl({ "--http2-prior-knowledge" }, QStringLiteral("http://127.0.0.1:%1/api/x").arg(gw.port()));
        QVERIFY2(!r.head.startsWith("HTTP/2"), r.head.constData());
        QCOMPARE(upstream.requestCount(), 0);
    }

    void hostilePeers()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QVERIFY(gw.start(gatewayHeader(QStringLiteral(
                             "  http2: true\n  limits: {max_header_bytes: 2KiB, header_timeout: 1s}\n"))
                      + QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), upstream)
                      + routes(QStringLiteral("up")))
                    .isEmpty());
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(gw.port());

        // A header list over gateway.limits.max_header_bytes: 431, the connection lives on.
        const CurlResult big = curl({ "--http2-prior-knowledge", "-H", "X-Big: " + QString(4000, u'b') },
            base + QStringLiteral("/api/x"));
        QVERIFY2(big.head.startsWith("HTTP/2 431"), big.head.constData());
        QCOMPARE(upstream.requestCount(), 0);

        // The preface, then bytes that are no HTTP/2 frame: the connection is closed.
        RawClient garbage;
        QVERIFY(garbage.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QVERIFY(garbage.send(QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + QByteArray(64, '\xff')));
        QVERIFY2(garbage.isClosed(5000), "a connection that broke the framing was kept open");

        // A preface cut short, then silence: the header timeout closes it like any slow head.
        RawClient partial;
        QVERIFY(partial.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QVERIFY(partial.send("PRI * HTTP/2.0\r\n"));
        QVERIFY(partial.isClosed(5000));

        // Rapid reset (CVE-2023-44487): streams opened and cancelled at once, far faster than any
        // client needs. The gateway answers with GOAWAY and closes the connection instead of
        // starting an upstream exchange per stream for ever.
        RawClient rapid;
        QVERIFY(rapid.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QByteArray burst = QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + frame(0x4, 0, 0, {});
        // HPACK: :method GET, :scheme http (static table), :path /api/r and :authority a (literals).
        const QByteArray headers = QByteArray("\x82\x86", 2) + QByteArray("\x44\x06/api/r", 8)
            + QByteArray("\x41\x01"
                         "a",
                3);
        for (quint32 id = 1; id < 2 * 1000; id += 2) {
            burst += frame(0x1, 0x4, id, headers); // HEADERS, END_HEADERS (a body would follow)
            burst += frame(0x3, 0, id, QByteArray("\x00\x00\x00\x08", 4)); // RST_STREAM CANCEL
        }
        rapid.send(burst, 10000);
        QVERIFY2(rapid.isClosed(10000), "a rapid-reset client was kept connected");
        QVERIFY2(hasGoaway(rapid.pending()), "no GOAWAY before the close");
        QVERIFY2(upstream.requestCount() < 1000, qPrintable(QString::number(upstream.requestCount())));

        // The gateway still serves.
        const CurlResult ok = curl({ "--http2-prior-knowledge" }, base + QStringLiteral("/api/after"));
        QVERIFY2(ok.head.startsWith("HTTP/2 200"), ok.head.constData());
    }

    void continuationFloodAndHpackBomb()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QVERIFY(gw.start(gatewayHeader(QStringLiteral("  http2: true\n  limits: {max_header_bytes: 8KiB}\n"))
                      + QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), upstream)
                      + routes(QStringLiteral("up")))
                    .isEmpty());
        const QByteArray preface = QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + frame(0x4, 0, 0, {});

        // CONTINUATION flood (CVE-2024-27316 and kin): a header block that never ends, in many
        // small frames. nghttp2 stops after 8 CONTINUATION frames (a fatal error for the session)
        // and the connection closes, instead of the gateway collecting them for ever.
        RawClient flood;
        QVERIFY(flood.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QByteArray frames = preface + frame(0x1, 0, 1, QByteArray("\x82", 1)); // HEADERS, no END_HEADERS
        for (int i = 0; i < 5000; ++i)
            frames += frame(0x9, 0, 1, QByteArray("\x86", 1)); // CONTINUATION, no END_HEADERS
        flood.send(frames, 10000);
        QVERIFY2(flood.isClosed(10000), "a CONTINUATION flood was kept connected");

        // HPACK bomb: one 4,000-byte field put into the dynamic table, then named 1,000 times
        // with one byte each: 4 MB of fields from 5 KB on the wire. The decoded size counts
        // against max_header_bytes (the stream gets a 431, nothing is kept past the limit),
        // nothing reaches the upstream, and the connection lives on.
        RawClient bomb;
        QVERIFY(bomb.connectTo(QStringLiteral("127.0.0.1"), gw.port()));
        QByteArray block = QByteArray("\x82\x86", 2) + QByteArray("\x44\x06/api/b", 8)
            + QByteArray("\x41\x01"
                         "a",
                3);
        // Literal with incremental indexing, new name "x-b", value of 4000 bytes (length 4000 as
        // an HPACK integer with a 7-bit prefix: 127, then 3873 in 7-bit groups).
        block += QByteArray("\x40\x03x-b", 5) + QByteArray("\x7f\xa1\x1e", 3) + QByteArray(4000, 'B');
        block += QByteArray(1000, '\xbe'); // indexed field 62: the newest dynamic entry
        bomb.send(preface + frame(0x1, 0x5, 1, block), 10000); // HEADERS, END_STREAM | END_HEADERS
        QVERIFY2(!bomb.isClosed(300), "the connection was closed over one oversized header list");
        QCOMPARE(upstream.requestCount(), 0);
        const CurlResult ok = curl(
            { "--http2-prior-knowledge" }, QStringLiteral("http://127.0.0.1:%1/api/after").arg(gw.port()));
        QVERIFY2(ok.head.startsWith("HTTP/2 200"), ok.head.constData());
    }
};

QTEST_GUILESS_MAIN(TestGatewayHttp2)
#include "tst_gateway_http2.moc"
