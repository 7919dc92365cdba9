// The HTTP/2 codecs on arbitrary peer bytes: the first input byte picks the side.
//  - even: a client talking to Portico (Http2Connection, the downstream codec, on a worker whose
//    workspace has a mock route and no upstream): frames, HPACK, CONTINUATION, resets, windows;
//    the streams run through the real pipeline and answer from the mock or with a 404.
//  - odd: an upstream answering Portico (Http2UpstreamSession, the upstream codec): three streams
//    are open (a GET, a POST with a body, a HEAD), the rest of the input is what the "server"
//    says: response heads, informational heads, trailers, DATA past the window, RST_STREAM,
//    GOAWAY, garbage.
// The rest of the input is fed in pieces whose sizes come from the input too (a slow peer). What
// is checked beyond no crash and no ASan/UBSan report: each exchange hears at most one head and
// one end (complete or error), never a body before its head, and nothing after its end.
#include "FuzzSupport.h"

#include "core/config/WorkspaceLoader.h"
#include "core/gateway/GatewayState.h"
#include "core/gateway/UpstreamRequest.h"
#include "core/gateway/Worker.h"
#include "core/gateway/http2/Http2Connection.h"
#include "core/gateway/http2/Http2Upstream.h"

#include <QCoreApplication>

#include <deque>

using namespace portico;
using namespace portico::gateway;

namespace {

// Plays the peer: read() hands out the queued input, send() swallows what Portico writes.
class FeedTransport final : public http::Transport
{
public:
    std::deque<QByteArray> input;
    bool eof = false;
    qint64 written = 0;

    qint64 read(char *buffer, qint64 max) override
    {
        if (input.empty())
            return eof ? -1 : 0;
        QByteArray &front = input.front();
        const qint64 n = std::min<qint64>(max, front.size());
        memcpy(buffer, front.constData(), size_t(n));
        front.remove(0, n);
        if (front.isEmpty())
            input.pop_front();
        return n;
    }
    void send(const QByteArray &data) override { written += data.size(); }
    void send(const QByteArray &head, const QByteArray &body) override
    {
        written += head.size() + body.size();
    }
    qint64 pending() const override { return 0; }
    void setReadEnabled(bool) override { }
    void close(bool) override { m_open = false; }
    bool isOpen() const override { return m_open; }
    void shutdownWrite() override { }

private:
    bool m_open = true;
};

// Splits the input into pieces of 1..64 bytes, sizes taken from the input's own bytes.
std::deque<QByteArray> pieces(const QByteArray &in)
{
    std::deque<QByteArray> out;
    qsizetype at = 0;
    while (at < in.size()) {
        const qsizetype n = std::min<qsizetype>(1 + (quint8(in[at]) % 64), in.size() - at);
        out.push_back(in.mid(at, n));
        at += n;
    }
    return out;
}

qsizetype remaining(const FeedTransport &feed)
{
    qsizetype n = 0;
    for (const QByteArray &piece : feed.input)
        n += piece.size();
    return n;
}

// Delivers the pieces while the codec takes them (a closed codec reads no more).
template <class Codec>
void feedAll(FeedTransport &feed, const QPointer<Codec> &alive)
{
    while (alive && !feed.input.empty()) {
        const qsizetype before = remaining(feed);
        feed.onReadable();
        if (remaining(feed) == before)
            break;
    }
}

void spin()
{
    for (int i = 0; i < 3; ++i)
        QCoreApplication::sendPostedEvents(nullptr, 0);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

// The downstream side: a worker on a workspace with a mock route.
struct Downstream
{
    GatewayState state;
    Worker *worker = nullptr;

    Downstream()
    {
        const QByteArray yaml
            = "version: 1\n"
              "gateway: {listen: 127.0.0.1:0, http2: true, limits: {max_body_bytes: 4KiB}}\n"
              "capture: {enabled: false}\n"
              "admin: {enabled: false}\n"
              "routes:\n"
              "  - {name: m, match: {path: /m}, mock: {status: 200, body: hello}}\n";
        const config::LoadResult loaded = config::loadWorkspaceText(yaml, QStringLiteral("fuzz.yaml"));
        FUZZ_CHECK(loaded.ok());
        QStringList errors;
        state.setConfig(RuntimeConfig::compile(loaded.workspace, nullptr, state.services, &errors));
        FUZZ_CHECK(state.config() != nullptr);
        worker = new Worker(&state, 0);
    }
};

void fuzzDownstream(const QByteArray &in)
{
    static Downstream d;
    auto transport = std::make_unique<FeedTransport>();
    FeedTransport *feed = transport.get();
    feed->input = pieces(in);
    feed->eof = true;
    DownstreamInfo info { QHostAddress::LocalHost, "127.0.0.1", "127.0.0.1:8080", false };
    auto *connection = new Http2Connection(d.worker, std::move(transport), info);
    QPointer<Http2Connection> alive(connection);
    connection->start(QByteArray(Http2Connection::kPreface.data(), Http2Connection::kPreface.size()));
    feedAll(*feed, alive);
    if (alive)
        feed->onReadable(); // EOF
    if (alive)
        connection->abort();
    spin();
}

// One exchange on the upstream side, recording what it heard.
struct Listener final : UpstreamLink::Client
{
    int heads = 0;
    int ends = 0;
    bool errored = false;
    qint64 bodyBytes = 0;

    void onUpstreamConnected() override { }
    void onUpstreamInformational(http::ResponseHead &&head) override
    {
        FUZZ_CHECK(heads == 0 && ends == 0 && head.status < 200);
    }
    void onUpstreamResponseHead(http::ResponseHead &&) override
    {
        FUZZ_CHECK(ends == 0);
        ++heads;
        FUZZ_CHECK(heads == 1);
    }
    void onUpstreamBody(const char *, size_t length) override
    {
        FUZZ_CHECK(heads == 1 && ends == 0);
        bodyBytes += qint64(length);
    }
    void onUpstreamTrailers(http::HttpHeaders &&) override { FUZZ_CHECK(heads == 1 && ends == 0); }
    void onUpstreamComplete() override
    {
        FUZZ_CHECK(heads == 1 && ends == 0);
        ++ends;
    }
    void onUpstreamReadBatchDone() override { }
    void onUpstreamError(const QString &reason) override
    {
        FUZZ_CHECK(ends == 0 && !reason.isEmpty());
        ++ends;
        errored = true;
    }
    void onUpstreamDrained() override { }
    void onTunnelData(const char *, size_t) override { FUZZ_CHECK(false); }
    void onTunnelEof() override { FUZZ_CHECK(false); }
};

void fuzzUpstream(const QByteArray &in)
{
    static TargetState *const targetState = [] {
        auto *t = new TargetState; // atomics: built in place, reachable for the process's life
        t->hostName = QStringLiteral("upstream.test");
        t->hostHeader = "upstream.test";
        t->port = 80;
        return t;
    }();
    TargetState &target = *targetState;
    auto transport = std::make_unique<FeedTransport>();
    FeedTransport *feed = transport.get();
    auto *session = new Http2UpstreamSession(std::move(transport), &target, false, 1000);
    QPointer<Http2UpstreamSession> alive(session);
    feed->onConnected();

    Listener listeners[3];
    UpstreamLink *links[3] {};
    http::RequestHead requests[3];
    requests[0].method = "GET";
    requests[0].path = "/a";
    requests[1].method = "POST";
    requests[1].path = "/b";
    requests[2].method = "HEAD";
    requests[2].path = "/c";
    ForwardInfo forward;
    forward.clientAddress = QHostAddress::LocalHost;
    forward.requestId = "fuzz";
    for (int i = 0; i < 3 && alive; ++i) {
        links[i] = session->openStream();
        FUZZ_CHECK(links[i]);
        links[i]->beginExchange(&listeners[i], i == 2);
        ForwardInfo f = forward;
        f.contentLength = i == 1 ? 4 : -1;
        links[i]->sendRequest(requests[i], target, f, {}, { QByteArray(i == 1 ? "body" : "") }, i != 1);
    }
    if (alive && !listeners[1].errored)
        links[1]->endRequest(http::HttpHeaders {});
    feed->input = pieces(in);
    feed->eof = true;
    feedAll(*feed, alive);
    if (alive)
        feed->onReadable(); // EOF: every exchange still waiting must hear of it
    for (int i = 0; i < 3; ++i) {
        if (alive && listeners[i].ends == 1 && !listeners[i].errored)
            links[i]->release(true); // an ended exchange gives its stream back
    }
    spin();
    // Once the connection ended, every exchange heard exactly one end.
    for (int i = 0; i < 3; ++i)
        FUZZ_CHECK(listeners[i].ends == 1);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray in = fuzz::bytes(data + 1, size - 1);
    if (data[0] % 2 == 0)
        fuzzDownstream(in);
    else
        fuzzUpstream(in);
    return 0;
}
