// WebSocket over HTTP/2 (RFC 8441): an HTTP/2 client's extended CONNECT (:protocol websocket)
// reaches an HTTP/1.1 WebSocket upstream as an Upgrade handshake, the upstream's 101 comes back as
// a 200, and the stream's DATA frames carry the WebSocket frames both ways. The client here is
// nghttp2's client API over a plain socket (curl and nghttp do not speak RFC 8441).
#include "GatewayHarness.h"
#include "support/WebSocketFrame.h"

#include <QTcpSocket>
#include <QTest>

#include <nghttp2/nghttp2.h>

using namespace portico;
using namespace portico::test;

namespace {

// A minimal HTTP/2 client for one stream, pumped by hand from the test thread.
class H2Client
{
public:
    explicit H2Client(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        m_connected = m_socket.waitForConnected(5000);
        nghttp2_session_callbacks *cb = nullptr;
        nghttp2_session_callbacks_new(&cb);
        nghttp2_session_callbacks_set_send_callback(
            cb, [](nghttp2_session *, const uint8_t *data, size_t length, int, void *user) -> ssize_t {
                static_cast<H2Client *>(user)->m_socket.write(
                    reinterpret_cast<const char *>(data), qint64(length));
                return ssize_t(length);
            });
        nghttp2_session_callbacks_set_on_header_callback(cb,
            [](nghttp2_session *, const nghttp2_frame *, const uint8_t *name, size_t nameLength,
                const uint8_t *value, size_t valueLength, uint8_t, void *user) -> int {
                auto *self = static_cast<H2Client *>(user);
                const QByteArray n(reinterpret_cast<const char *>(name), qsizetype(nameLength));
                const QByteArray v(reinterpret_cast<const char *>(value), qsizetype(valueLength));
                if (n == ":status")
                    self->status = v.toInt();
                else
                    self->headers.append({ n, v });
                return 0;
            });
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb,
            [](nghttp2_session *, uint8_t, int32_t, const uint8_t *data, size_t length, void *user) -> int {
                static_cast<H2Client *>(user)->received.append(
                    reinterpret_cast<const char *>(data), qsizetype(length));
                return 0;
            });
        nghttp2_session_callbacks_set_on_stream_close_callback(
            cb, [](nghttp2_session *, int32_t, uint32_t code, void *user) -> int {
                auto *self = static_cast<H2Client *>(user);
                self->closed = true;
                self->closeCode = code;
                return 0;
            });
        nghttp2_session_client_new(&m_session, cb, this);
        nghttp2_session_callbacks_del(cb);
        nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, nullptr, 0);
        flush();
    }
    ~H2Client() { nghttp2_session_del(m_session); }
    H2Client(const H2Client &) = delete;
    H2Client &operator=(const H2Client &) = delete;

    bool connected() const { return m_connected; }

    // Reads and answers until `done` holds or 5 s pass.
    bool pumpUntil(const std::function<bool()> &done)
    {
        QDeadlineTimer deadline(5000);
        while (!done()) {
            if (deadline.hasExpired() || m_socket.state() != QAbstractSocket::ConnectedState)
                return done();
            m_socket.waitForReadyRead(50);
            const QByteArray in = m_socket.readAll();
            if (!in.isEmpty()
                && nghttp2_session_mem_recv(
                       m_session, reinterpret_cast<const uint8_t *>(in.constData()), size_t(in.size()))
                    < 0)
                return false;
            flush();
        }
        return true;
    }

    bool serverAllowsExtendedConnect() const
    {
        return nghttp2_session_get_remote_settings(m_session, NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL) == 1;
    }

    // Opens the stream: CONNECT with :protocol `protocol`; the body is what send() queues.
    void open(const QByteArray &protocol, const QByteArray &path, const QByteArray &authority)
    {
        const QByteArray fields[][2]
            = { { ":method", "CONNECT" }, { ":protocol", protocol }, { ":scheme", "http" }, { ":path", path },
                  { ":authority", authority }, { "sec-websocket-version", "13" } };
        std::vector<nghttp2_nv> nva;
        for (const auto &f : fields) {
            nva.push_back({ reinterpret_cast<uint8_t *>(const_cast<char *>(f[0].constData())),
                reinterpret_cast<uint8_t *>(const_cast<char *>(f[1].constData())), size_t(f[0].size()),
                size_t(f[1].size()), NGHTTP2_NV_FLAG_NONE });
        }
        nghttp2_data_provider provider;
        provider.source.ptr = this;
        provider.read_callback = [](nghttp2_session *, int32_t, uint8_t *buf, size_t length, uint32_t *flags,
                                     nghttp2_data_source *source, void *) -> ssize_t {
            auto *self = static_cast<H2Client *>(source->ptr);
            const size_t n = std::min(length, size_t(self->m_out.size()));
            memcpy(buf, self->m_out.constData(), n);
            self->m_out.remove(0, qsizetype(n));
            if (self->m_out.isEmpty() && self->m_end) {
                *flags |= NGHTTP2_DATA_FLAG_EOF;
                return ssize_t(n);
            }
            if (n == 0) {
                self->m_deferred = true;
                return NGHTTP2_ERR_DEFERRED;
            }
            return ssize_t(n);
        };
        m_stream = nghttp2_submit_request(m_session, nullptr, nva.data(), nva.size(), &provider, this);
        flush();
    }
    void send(const QByteArray &bytes, bool end = false)
    {
        m_out += bytes;
        m_end = m_end || end;
        if (m_deferred) {
            m_deferred = false;
            nghttp2_session_resume_data(m_session, m_stream);
        }
        flush();
    }

    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray received;
    bool closed = false;
    uint32_t closeCode = 0;

private:
    void flush()
    {
        nghttp2_session_send(m_session);
        m_socket.flush();
    }

    QTcpSocket m_socket;
    nghttp2_session *m_session = nullptr;
    int32_t m_stream = -1;
    QByteArray m_out;
    bool m_end = false;
    bool m_deferred = false;
    bool m_connected = false;
};

QString workspace(const LoopbackUpstream &upstream)
{
    return gatewayHeader(QStringLiteral("  http2: true\n")) + QStringLiteral("upstreams:\n")
        + upstreamEntry(QStringLiteral("ws"), upstream)
        + QStringLiteral("routes:\n  - {name: ws, match: {path: /ws}, upstream: ws}\n");
}

} // namespace

class TestGatewayH2WebSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void webSocketOverHttp2()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QVERIFY(gw.start(workspace(upstream)).isEmpty());
        H2Client client(gw.port());
        QVERIFY(client.connected());
        QVERIFY(client.pumpUntil([&] { return client.serverAllowsExtendedConnect(); }));

        client.open("websocket", "/ws/chat", "127.0.0.1");
        QVERIFY(client.pumpUntil([&] { return client.status != 0; }));
        QCOMPARE(client.status, 200);
        for (const auto &[name, value] : client.headers)
            QVERIFY2(name != "sec-websocket-accept" && name != "upgrade" && name != "connection",
                name.constData());

        // The upstream saw an HTTP/1.1 handshake with a key the gateway made.
        const RecordedRequest handshake = upstream.lastRequest();
        QCOMPARE(handshake.method, QByteArray("GET"));
        QCOMPARE(handshake.path, QStringLiteral("/ws/chat"));
        QCOMPARE(handshake.header("upgrade"), QByteArray("websocket"));
        QCOMPARE(QByteArray::fromBase64(handshake.header("sec-websocket-key")).size(), 16);

        // Frames both ways through DATA: the upstream echoes.
        for (const QByteArray &text : { QByteArray("hello over h2"), QByteArray(70000, 'w') }) {
            client.received.clear();
            client.send(WebSocketFrame { true, WebSocketFrame::Text, text, false }.encode(true));
            WebSocketFrame echoed;
            QVERIFY(client.pumpUntil([&] { return WebSocketFrame::decode(client.received, &echoed) > 0; }));
            QCOMPARE(echoed.opcode, quint8(WebSocketFrame::Text));
            QCOMPARE(echoed.payload, text);
        }

        // Close: the upstream answers the close frame and hangs up; the stream ends cleanly.
        client.received.clear();
        client.send(
            WebSocketFrame { true, WebSocketFrame::Close, WebSocketFrame::closePayload(1000), false }.encode(
                true),
            true);
        QVERIFY(client.pumpUntil([&] { return client.closed; }));
        WebSocketFrame closing;
        QVERIFY(WebSocketFrame::decode(client.received, &closing) > 0);
        QCOMPARE(closing.opcode, quint8(WebSocketFrame::Close));
        QCOMPARE(client.closeCode, uint32_t(NGHTTP2_NO_ERROR));
    }

    void otherExtendedConnectProtocolsAre501()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QVERIFY(gw.start(workspace(upstream)).isEmpty());
        H2Client client(gw.port());
        QVERIFY(client.pumpUntil([&] { return client.serverAllowsExtendedConnect(); }));
        client.open("connect-udp", "/ws/x", "127.0.0.1");
        QVERIFY(client.pumpUntil([&] { return client.status != 0; }));
        QCOMPARE(client.status, 501);
        QCOMPARE(upstream.lastRequest().method, QByteArray());
    }

    void rejectedHandshakeIsAnOrdinaryAnswer()
    {
        // No route for it: the gateway's 404 is the stream's answer, and no tunnel opens.
        LoopbackUpstream upstream;
        GatewayHarness gw;
        QVERIFY(gw.start(workspace(upstream)).isEmpty());
        H2Client client(gw.port());
        QVERIFY(client.pumpUntil([&] { return client.serverAllowsExtendedConnect(); }));
        client.open("websocket", "/elsewhere", "127.0.0.1");
        const bool closed = client.pumpUntil([&] { return client.closed; });
        QCOMPARE(client.status, 404);
        QVERIFY(closed);
    }
};

QTEST_MAIN(TestGatewayH2WebSocket)
#include "tst_gateway_h2_websocket.moc"
