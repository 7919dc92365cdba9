// MessageParser (requests and responses, chunked bodies, pipelining) on arbitrary bytes.
//
// Beyond "no crash, no ASan/UBSan report", it checks that the parser is incremental: the same
// bytes fed all at once and fed in small pieces (as a slow client sends them) give the same
// messages, body bytes and verdict. Chunk boundaries are where head scanning keeps state.
#include "FuzzSupport.h"

#include "core/http/MessageParser.h"

using namespace portico::http;

namespace {

struct Outcome : MessageParser::Sink
{
    int heads = 0;
    int completed = 0;
    QByteArray body;
    QByteArray firstPath;
    int firstStatus = 0;

    void onRequestHead(RequestHead &&head) override
    {
        if (heads++ == 0)
            firstPath = head.pathAndQuery();
        FUZZ_CHECK(!head.method.isEmpty());
    }
    void onResponseHead(ResponseHead &&head) override
    {
        if (heads++ == 0)
            firstStatus = head.status;
    }
    void onBody(const char *data, size_t length) override
    {
        if (body.size() < 1 << 20)
            body.append(data, qsizetype(length));
    }
    void onMessageComplete() override { ++completed; }
};

struct Result
{
    Outcome sink;
    int errorStatus = 0;
    QString detail;
    bool upgrade = false;
    qint64 consumed = 0;
};

// Feeds like the HTTP/1.1 codec (Http1Connection): resume after each complete message, stop on error or upgrade.
void run(Result &r, MessageParser::Mode mode, QByteArrayView in, qsizetype step, bool noBody, bool eof)
{
    MessageParser parser(mode, &r.sink);
    parser.setLimits(4096, 64 * 1024);
    parser.setExpectNoBody(noBody);
    qsizetype pos = 0;
    while (pos < in.size() && !parser.failed()) {
        if (parser.paused()) {
            if (parser.upgrade())
                break; // the rest is tunnel data
            parser.resume();
        }
        const qsizetype len = step > 0 ? std::min(step, in.size() - pos) : in.size() - pos;
        const qint64 used = parser.feed(in.data() + pos, len);
        FUZZ_CHECK(used >= 0 && used <= len);
        pos += used;
        // An upgrade request's own body (if it declares one) is still parsed; after it, tunnel data.
        if (parser.upgrade() && !parser.inMessage())
            break;
        if (used < len && !parser.paused())
            break;
    }
    if (eof && !parser.failed() && !parser.upgrade())
        parser.feedEof();
    r.errorStatus = parser.errorStatus();
    r.detail = parser.errorDetail();
    r.upgrade = parser.upgrade();
    r.consumed = pos;
    if (parser.failed())
        FUZZ_CHECK(r.errorStatus == 400 || r.errorStatus == 413 || r.errorStatus == 431
            || r.errorStatus == 501 || r.errorStatus == 502);
}

void compare(MessageParser::Mode mode, QByteArrayView in, qsizetype step, bool noBody)
{
    Result whole;
    Result pieces;
    run(whole, mode, in, 0, noBody, true);
    run(pieces, mode, in, step, noBody, true);
    if ((whole.errorStatus == 0) != (pieces.errorStatus == 0) || whole.sink.completed != pieces.sink.completed
        || whole.sink.heads != pieces.sink.heads) {
        std::fprintf(stderr,
            "%s, pieces of %d%s: whole: heads %d complete %d error %d (%s) used %lld; "
            "pieces: heads %d complete %d error %d (%s) used %lld\n",
            mode == MessageParser::Mode::Request ? "request" : "response", int(step), noBody ? ", HEAD" : "",
            whole.sink.heads, whole.sink.completed, whole.errorStatus, qPrintable(whole.detail),
            qlonglong(whole.consumed), pieces.sink.heads, pieces.sink.completed, pieces.errorStatus,
            qPrintable(pieces.detail), qlonglong(pieces.consumed));
    }
    FUZZ_CHECK(whole.sink.heads == pieces.sink.heads);
    FUZZ_CHECK(whole.sink.completed == pieces.sink.completed);
    FUZZ_CHECK(whole.sink.body == pieces.sink.body);
    FUZZ_CHECK(whole.sink.firstPath == pieces.sink.firstPath);
    FUZZ_CHECK(whole.sink.firstStatus == pieces.sink.firstStatus);
    // Refused either way; which refusal comes first may depend on arrival (a bare CR beyond the head
    // limit is 400 when the head arrives at once, 431 when the limit is reached before the CR).
    FUZZ_CHECK((whole.errorStatus == 0) == (pieces.errorStatus == 0));
    FUZZ_CHECK(whole.upgrade == pieces.upgrade);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const QByteArrayView in(reinterpret_cast<const char *>(data), qsizetype(size));
    // The piece size comes from the input's length so that one input always splits the same way.
    const qsizetype step = qsizetype(size % 7) + 1;
    compare(MessageParser::Mode::Request, in, step, false);
    compare(MessageParser::Mode::Response, in, step, false);
    compare(MessageParser::Mode::Response, in, step, true);
    return 0;
}
