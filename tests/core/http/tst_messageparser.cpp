// MessageParser on its own: what it accepts, what it refuses with which status, and how it hands
// over one message at a time. The gateway's raw-socket tests check the same vectors end to end;
// these pin the parser's contract so a regression shows up here first, with a precise message.
#include "core/http/MessageParser.h"

#include <QTest>

using namespace portico::http;

namespace {

// Records everything the parser reports.
class Recorder final : public MessageParser::Sink
{
public:
    QList<RequestHead> requests;
    QList<ResponseHead> responses;
    QByteArray body;
    QList<HttpHeaders> trailers;
    int completed = 0;

    void onRequestHead(RequestHead &&head) override { requests.append(std::move(head)); }
    void onResponseHead(ResponseHead &&head) override { responses.append(std::move(head)); }
    void onBody(const char *data, size_t length) override { body.append(data, qsizetype(length)); }
    void onTrailers(HttpHeaders &&fields) override { trailers.append(std::move(fields)); }
    void onMessageComplete() override { ++completed; }
};

struct Parsed
{
    Recorder sink;
    int errorStatus = 0;
    QString errorDetail;
};

// Feeds `bytes` in pieces of `step` bytes (0 = all at once), resuming after each completed message
// the way the HTTP/1.1 codec (Http1Connection) does. Stops at the first error.
void feedAll(MessageParser &parser, const QByteArray &bytes, qsizetype step = 0)
{
    qsizetype pos = 0;
    while (pos < bytes.size() && !parser.failed()) {
        if (parser.paused())
            parser.resume();
        const qsizetype len = step > 0 ? std::min(step, bytes.size() - pos) : bytes.size() - pos;
        const qint64 used = parser.feed(bytes.constData() + pos, len);
        pos += used;
        if (used == 0 && !parser.paused())
            break;
    }
}

std::unique_ptr<Parsed> parseRequest(
    const QByteArray &bytes, qsizetype step = 0, qint64 maxHead = 64 * 1024, qint64 maxBody = 1024 * 1024)
{
    auto p = std::make_unique<Parsed>();
    MessageParser parser(MessageParser::Mode::Request, &p->sink);
    parser.setLimits(maxHead, maxBody);
    feedAll(parser, bytes, step);
    p->errorStatus = parser.errorStatus();
    p->errorDetail = parser.errorDetail();
    return p;
}

} // namespace

class TestMessageParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesRequestHead()
    {
        const auto p
            = parseRequest("GET /api/users/7?x=1&y=2 HTTP/1.1\r\nHost: api.local\r\nX-Tag:  padded  \r\n"
                           "x-tag: second\r\n\r\n");
        QCOMPARE(p->errorStatus, 0);
        QCOMPARE(p->sink.requests.size(), 1);
        const RequestHead &h = p->sink.requests.first();
        QCOMPARE(h.method, QByteArray("GET"));
        QCOMPARE(h.target, QByteArray("/api/users/7?x=1&y=2"));
        QCOMPARE(h.path, QByteArray("/api/users/7"));
        QCOMPARE(h.query, QByteArray("x=1&y=2"));
        QCOMPARE(h.httpMinor, 1);
        QCOMPARE(h.headers.value("host"), QByteArray("api.local"));
        // Values are trimmed; repeated fields stay separate and keep their order.
        QCOMPARE(h.headers.values("X-TAG"), QList<QByteArray>({ "padded", "second" }));
        QCOMPARE(p->sink.completed, 1);
    }

    void absoluteFormTargetKeepsPathAndQuery()
    {
        const auto p
            = parseRequest("GET http://example.com:8080/a/b?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
        QCOMPARE(p->errorStatus, 0);
        QCOMPARE(p->sink.requests.first().path, QByteArray("/a/b"));
        QCOMPARE(p->sink.requests.first().query, QByteArray("q=1"));
    }

    void byteAtATimeGivesTheSameResult()
    {
        const QByteArray req = "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: t\r\n\r\n";
        const auto whole = parseRequest(req);
        const auto bytewise = parseRequest(req, 1);
        QCOMPARE(whole->errorStatus, 0);
        QCOMPARE(bytewise->errorStatus, 0);
        QCOMPARE(whole->sink.body, QByteArray("hello world"));
        QCOMPARE(bytewise->sink.body, QByteArray("hello world"));
        QCOMPARE(bytewise->sink.completed, 1);
    }

    // Common names come from shared static data: changing one message's copy must not change the
    // next message's, and names split across reads or spelled otherwise are kept as sent.
    void headerNamesStayPerMessage()
    {
        const QByteArray req = "GET /a HTTP/1.1\r\nHost: h\r\nX-Odd-Name: 1\r\nCONTENT-TYPE: t\r\n\r\n";
        const auto first = parseRequest(req);
        QCOMPARE(first->errorStatus, 0);
        RequestHead head = first->sink.requests.value(0);
        QCOMPARE(head.headers.entries().value(0).first, QByteArray("Host"));
        head.headers.entries()[0].first.append("-changed");
        head.headers.rename("Host", "Renamed");
        const auto second = parseRequest(req, 3); // names split across reads too
        const QList<HttpHeaders::Entry> entries = second->sink.requests.value(0).headers.entries();
        QCOMPARE(entries.size(), 3);
        QCOMPARE(entries[0].first, QByteArray("Host"));
        QCOMPARE(entries[1].first, QByteArray("X-Odd-Name"));
        QCOMPARE(entries[2].first, QByteArray("CONTENT-TYPE"));
        QCOMPARE(second->sink.requests.value(0).headers.value("content-type"), QByteArray("t"));
    }

    void contentLengthBody()
    {
        const auto p = parseRequest("PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcde");
        QCOMPARE(p->errorStatus, 0);
        QCOMPARE(p->sink.body, QByteArray("abcde"));
        QCOMPARE(p->sink.completed, 1);
    }

    void identicalRepeatedContentLengthsAreAccepted()
    {
        const auto p
            = parseRequest("PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc");
        // RFC 9110 8.6 allows a recipient to accept a list of identical values.
        if (p->errorStatus == 400)
            QCOMPARE(p->errorStatus, 400); // libhttp-parser refuses duplicates outright: also safe
        else
            QCOMPARE(p->sink.body, QByteArray("abc"));
    }

    void pipelinedRequestsComeOneAtATime()
    {
        Recorder sink;
        MessageParser parser(MessageParser::Mode::Request, &sink);
        const QByteArray two = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
        const qint64 used = parser.feed(two.constData(), two.size());
        QVERIFY(used < two.size());
        QVERIFY(parser.paused());
        QCOMPARE(sink.requests.size(), 1);
        QCOMPARE(sink.requests.first().path, QByteArray("/a"));
        // Paused: nothing more is taken until resume().
        QCOMPARE(parser.feed(two.constData() + used, two.size() - used), qint64(0));
        parser.resume();
        QCOMPARE(parser.feed(two.constData() + used, two.size() - used), two.size() - used);
        QCOMPARE(sink.requests.size(), 2);
        QCOMPARE(sink.requests.last().path, QByteArray("/b"));
        QCOMPARE(sink.completed, 2);
    }

    void expectContinueIsReported()
    {
        Recorder sink;
        MessageParser parser(MessageParser::Mode::Request, &sink);
        const QByteArray req
            = "POST /x HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n";
        parser.feed(req.constData(), req.size());
        QVERIFY(parser.headComplete());
        QVERIFY(parser.expectsContinue());
        QCOMPARE(parser.contentLength(), qint64(2));
        QVERIFY(parser.inMessage());
    }

    void keepAliveFollowsVersionAndConnection()
    {
        struct Case
        {
            QByteArray request;
            bool keepAlive;
        };
        const QList<Case> cases {
            { "GET / HTTP/1.1\r\nHost: h\r\n\r\n", true },
            { "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false },
            { "GET / HTTP/1.0\r\n\r\n", false },
            { "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true },
        };
        for (const Case &c : cases) {
            Recorder sink;
            MessageParser parser(MessageParser::Mode::Request, &sink);
            parser.feed(c.request.constData(), c.request.size());
            QVERIFY2(!parser.failed(), c.request.constData());
            QCOMPARE(parser.keepAlive(), c.keepAlive);
        }
    }

    void upgradeIsReported()
    {
        Recorder sink;
        MessageParser parser(MessageParser::Mode::Request, &sink);
        const QByteArray req
            = "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nFRAME";
        const qint64 used = parser.feed(req.constData(), req.size());
        QVERIFY(parser.upgrade());
        // The bytes after the head are tunnel data, not parsed as HTTP.
        QCOMPARE(req.mid(used), QByteArray("FRAME"));
    }

    void http10WithoutHostIsAccepted()
    {
        const auto p = parseRequest("GET /old HTTP/1.0\r\n\r\n");
        QCOMPARE(p->errorStatus, 0);
        QCOMPARE(p->sink.requests.first().httpMinor, 0);
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("detail"); // a word the detail must contain

        QTest::newRow("CL+TE") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
                                             "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                               << 400 << "Content-Length";
        QTest::newRow("TE+CL") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                                             "Content-Length: 5\r\n\r\n0\r\n\r\n")
                               << 400 << "";
        QTest::newRow("differing CLs") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
                                                     "Content-Length: 6\r\n\r\nabcdef")
                                       << 400 << "";
        QTest::newRow("invalid chunk size")
            << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "zz\r\nhello\r\n0\r\n\r\n")
            << 400 << "";
        QTest::newRow("negative chunk size")
            << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "-5\r\nhello\r\n0\r\n\r\n")
            << 400 << "";
        QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n")
                                  << 400 << "obs-fold";
        QTest::newRow("obs-fold tab")
            << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n\ttwo\r\n\r\n") << 400 << "obs-fold";
        QTest::newRow("bare CR in header")
            << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n") << 400 << "bare CR";
        QTest::newRow("bare CR in request line")
            << QByteArray("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n") << 400 << "";
        QTest::newRow("final coding not chunked") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\n"
                                                                "Transfer-Encoding: chunked, gzip\r\n\r\n")
                                                  << 400 << "chunked";
        QTest::newRow("TE gzip only")
            << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n") << 400
            << "chunked";
        QTest::newRow("chunked twice")
            << QByteArray("POST / HTTP/1.1\r\nHost: h\r\n"
                          "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")
            << 400 << "chunked";
        QTest::newRow("TE in HTTP/1.0")
            << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400
            << "HTTP/1.0";
        QTest::newRow("missing Host") << QByteArray("GET / HTTP/1.1\r\nX-A: b\r\n\r\n") << 400 << "Host";
        QTest::newRow("two Hosts") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400
                                   << "Host";
        QTest::newRow("garbage") << QByteArray("\x01\x02 nonsense\r\n\r\n") << 400 << "";
        QTest::newRow("space before colon")
            << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n"
                          "Content-Length: 3\r\n\r\nabc")
            << 400 << "";
        QTest::newRow("TE space before colon") << QByteArray(
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n"
            "0\r\n\r\n") << 400 << "whitespace";
        QTest::newRow("space in header name")
            << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX A: b\r\n\r\n") << 400 << "";
        QTest::newRow("body over limit by CL")
            << QByteArray("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n") << 413 << "";
        QTest::newRow("body over limit by chunks")
            << (QByteArray("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
                   + QByteArray("200\r\n") + QByteArray(512, 'a') + "\r\n" + QByteArray("200\r\n")
                   + QByteArray(512, 'b') + "\r\n" + "200\r\n" + QByteArray(512, 'c') + "\r\n0\r\n\r\n")
            << 413 << "";
        QTest::newRow("head over limit")
            << (QByteArray("GET / HTTP/1.1\r\nHost: h\r\nX-Big: ") + QByteArray(3000, 'x') + "\r\n\r\n")
            << 431 << "";
        QTest::newRow("URL over limit")
            << (QByteArray("GET /") + QByteArray(3000, 'u') + " HTTP/1.1\r\nHost: h\r\n\r\n") << 431 << "";
        QTest::newRow("many headers over limit") << ([] {
            QByteArray r = "GET / HTTP/1.1\r\nHost: h\r\n";
            for (int i = 0; i < 300; ++i)
                r += "X-H" + QByteArray::number(i) + ": v\r\n";
            return r + "\r\n";
        }()) << 431 << "";
    }

    void refusals()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(QString, detail);
        // Limits small enough for the rows above: head 2 KiB, body 1 KiB.
        for (const qsizetype step : { qsizetype(0), qsizetype(1), qsizetype(7) }) {
            const auto p = parseRequest(request, step, 2048, 1024);
            QVERIFY2(p->errorStatus == status,
                qPrintable(QStringLiteral("step %1: got %2 (%3)")
                               .arg(step)
                               .arg(p->errorStatus)
                               .arg(p->errorDetail)));
            QVERIFY2(p->errorDetail.contains(detail, Qt::CaseInsensitive), qPrintable(p->errorDetail));
            // A refused request never reaches the sink as a completed message.
            QCOMPARE(p->sink.completed, 0);
        }
    }

    void bodyExactlyAtTheLimitIsAccepted()
    {
        const QByteArray body(1024, 'z');
        const auto byLength = parseRequest(
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1024\r\n\r\n" + body, 0, 2048, 1024);
        QCOMPARE(byLength->errorStatus, 0);
        QCOMPARE(byLength->sink.body.size(), 1024);
        const auto byChunks
            = parseRequest("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + body
                    + "\r\n0\r\n\r\n",
                0, 2048, 1024);
        QCOMPARE(byChunks->errorStatus, 0);
        QCOMPARE(byChunks->sink.completed, 1);
    }

    // Found by tests/fuzz/fuzz_http_parser: each piece of a header name split across reads used to
    // count 4 extra bytes, so a head well under the limit sent slowly was refused with 431.
    void headUnderTheLimitIsAcceptedHoweverItArrives()
    {
        QByteArray req = "GET / HTTP/1.1\r\nHost: h\r\n";
        for (int i = 0; i < 20; ++i)
            req += "X-Long-Header-Name-Number-" + QByteArray::number(i) + ": v\r\n";
        req += "\r\n";
        QVERIFY(req.size() < 1024);
        for (const qsizetype step : { qsizetype(0), qsizetype(1), qsizetype(3) }) {
            const auto p = parseRequest(req, step, 1024, 1024);
            QVERIFY2(p->errorStatus == 0,
                qPrintable(
                    QStringLiteral("step %1: %2 (%3)").arg(step).arg(p->errorStatus).arg(p->errorDetail)));
            QCOMPARE(p->sink.completed, 1);
            QCOMPARE(p->sink.requests.first().headers.entries().size(), 21);
        }
    }

    void bareCrInBodyIsData()
    {
        const auto p = parseRequest("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na\rb");
        QCOMPARE(p->errorStatus, 0);
        QCOMPARE(p->sink.body, QByteArray("a\rb"));
    }

    void secondPipelinedHeadIsCheckedToo()
    {
        // The obs-fold hides in the second request: refusing only the first head would let it through.
        const auto p = parseRequest(
            "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n");
        QCOMPARE(p->sink.completed, 1);
        QCOMPARE(p->errorStatus, 400);
    }

    void responseWithContentLength()
    {
        Recorder sink;
        MessageParser parser(MessageParser::Mode::Response, &sink);
        const QByteArray r = "HTTP/1.1 201 Created\r\nContent-Length: 4\r\nX-A: b\r\n\r\nbody";
        QCOMPARE(parser.feed(r.constData(), r.size()), qint64(r.size()));
        QCOMPARE(sink.responses.size(), 1);
        QCOMPARE(sink.responses.first().status, 201);
        QCOMPARE(sink.responses.first().reason, QByteArray("Created"));
        QCOMPARE(sink.body, QByteArray("body"));
        QCOMPARE(sink.completed, 1);
        QVERIFY(parser.keepAlive());
    }

    void responseToHeadHasNoBody()
    {
        Recorder sink;
        MessageParser parser(MessageParser::Mode::Response, &sink);
        parser.setExpectNoBody(true);
        const QByteArray r = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
        parser.feed(r.constData(), r.size());
        QCOMPARE(sink.completed, 1);
        QVERIFY(sink.body.isEmpty());
    }

    void noBodyStatuses()
    {
        for (const QByteArray &status : { QByteArray("204 No Content"), QByteArray("304 Not Modified") }) {
            Recorder sink;
            MessageParser parser(MessageParser::Mode::Response, &sink);
            // A Content-Length on 304 describes the representation, not this message.
            const QByteArray r = "HTTP/1.1 " + status + "\r\nContent-Length: 10\r\n\r\n";
            parser.feed(r.constData(), r.size());
            QCOMPARE(sink.completed, 1);
            QVERIFY(sink.body.isEmpty());
        }
    }

    void closeDelimitedResponse()
    {
        Recorder sink;
        MessageParser parser(MessageParser::Mode::Response, &sink);
        const QByteArray r = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end";
        parser.feed(r.constData(), r.size());
        QCOMPARE(sink.completed, 0);
        parser.feedEof();
        QCOMPARE(sink.completed, 1);
        QCOMPARE(sink.body, QByteArray("until the end"));
        QVERIFY(!parser.keepAlive());
    }

    void chunkedResponse()
    {
        Recorder sink;
        MessageParser parser(MessageParser::Mode::Response, &sink);
        const QByteArray r
            = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        feedAll(parser, r, 2);
        QCOMPARE(sink.body, QByteArray("abcde"));
        QCOMPARE(sink.completed, 1);
        QVERIFY(parser.chunked());
    }

    void chunkedTrailersArriveBeforeCompletion()
    {
        // Split at every offset: the trailer section arrives whole, values trimmed, once per
        // message, and the next message starts without any.
        const QByteArray r = "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
                             "Grpc-Status:  0 \r\nX-Sum: 12\r\n\r\n"
                             "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
        for (qsizetype step : { 0, 1, 2, 7 }) {
            auto p = parseRequest(r, step);
            QCOMPARE(p->errorStatus, 0);
            QCOMPARE(p->sink.completed, 2);
            QCOMPARE(p->sink.trailers.size(), 1);
            QCOMPARE(p->sink.trailers.first().value("grpc-status"), QByteArray("0"));
            QCOMPARE(p->sink.trailers.first().value("x-sum"), QByteArray("12"));
            QCOMPARE(p->sink.requests.at(1).headers.count("grpc-status"), 0);
        }
        Recorder sink;
        MessageParser parser(MessageParser::Mode::Response, &sink);
        const QByteArray response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nGrpc-Message: ok\r\n\r\n";
        feedAll(parser, response, 3);
        QCOMPARE(sink.trailers.size(), 1);
        QCOMPARE(sink.trailers.first().value("grpc-message"), QByteArray("ok"));
    }

    void trailersCountAgainstTheHeadLimit()
    {
        const QByteArray head = "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
        auto p = parseRequest(head + "X-Pad: " + QByteArray(2000, 'p') + "\r\n\r\n", 0, 1024);
        QCOMPARE(p->errorStatus, 431);
        QVERIFY(p->sink.trailers.isEmpty());
        // Malformed trailer lines are a 400, not fields.
        p = parseRequest(head + "no colon here\r\n\r\n");
        QCOMPARE(p->errorStatus, 400);
        QVERIFY(p->sink.trailers.isEmpty());
    }

    void interimThenFinalResponse()
    {
        Recorder sink;
        MessageParser parser(MessageParser::Mode::Response, &sink);
        const QByteArray r = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        feedAll(parser, r);
        QCOMPARE(sink.responses.size(), 2);
        QCOMPARE(sink.responses.at(0).status, 100);
        QCOMPARE(sink.responses.at(1).status, 200);
        QCOMPARE(sink.body, QByteArray("ok"));
    }

    void malformedResponseIs502()
    {
        Recorder sink;
        MessageParser parser(MessageParser::Mode::Response, &sink);
        const QByteArray r = "HTTP/1.1 2x0 what\r\n\r\n";
        parser.feed(r.constData(), r.size());
        QVERIFY(parser.failed());
        QCOMPARE(parser.errorStatus(), 502);
    }

    void oversizedResponseHeadIs502()
    {
        Recorder sink;
        MessageParser parser(MessageParser::Mode::Response, &sink);
        parser.setLimits(1024, -1);
        const QByteArray r = "HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(4096, 'x') + "\r\n\r\n";
        parser.feed(r.constData(), r.size());
        QCOMPARE(parser.errorStatus(), 502);
    }
};

QTEST_GUILESS_MAIN(TestMessageParser)
#include "tst_messageparser.moc"
