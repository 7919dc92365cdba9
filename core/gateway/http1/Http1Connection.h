#pragma once

#include "core/gateway/pipeline/DownstreamStream.h"
#include "core/http/MessageParser.h"
#include "core/http/Transport.h"

#include <QObject>

#include <memory>

namespace portico::gateway {

class Worker;

// The HTTP/1.1 downstream codec: one client connection on a worker. Reads and parses requests one
// at a time (pipelined requests wait in the input buffer, so responses leave in order), hands each
// to the pipeline as a stream (StreamHandler), writes the answers in HTTP/1.1 framing (status
// line, Content-Length or chunked, Connection), enforces the head/idle timeouts, and becomes a raw
// tunnel after an upgrade. HTTP/1.1 has one stream at a time, so the connection is the stream.
class Http1Connection final : public QObject,
                              public ClientConnection,
                              public DownstreamStream,
                              private http::MessageParser::Sink
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Http1Connection)

public:
    Http1Connection(Worker *worker, std::unique_ptr<http::Transport> transport, const QHostAddress &peer,
                    bool tls, const QByteArray &localEnd = {});
    // A connection whose DownstreamInfo is known (the forward proxy's: on proxy.listen, or inside
    // a CONNECT tunnel); `preread`: bytes read from it already.
    Http1Connection(Worker *worker, std::unique_ptr<http::Transport> transport, const DownstreamInfo &info,
        const QByteArray &preread = {});
    ~Http1Connection() override;

    // ClientConnection
    void checkTimeouts(qint64 nowMs) override;
    void drain() override;
    void abort() override;
    bool busy() const override { return m_stream != nullptr || m_lingering; }

    // DownstreamStream
    const DownstreamInfo &info() const override { return m_info; }
    void sendInformational(int status, const http::HttpHeaders &headers) override;
    void beginHead(int status, QByteArrayView reason, qsizetype sizeHint) override;
    void addField(QByteArrayView name, QByteArrayView value) override;
    void endHead(const HeadOptions &options, HeadObserver *observer) override;
    void sendData(const char *data, size_t length) override;
    void sendTrailers(const http::HttpHeaders &trailers) override;
    void endResponse() override;
    void flush() override;
    qint64 pending() const override { return m_transport->pending(); }
    qint64 responseBytes() const override { return m_responseBytes; }
    void setReadPaused(bool paused) override;
    void closeAfterResponse() override { m_closeAfter = true; }
    void beginTunnel() override;
    void sendTunnelData(const char *data, size_t length) override;
    void endTunnel() override;
    void streamDone() override;
    int rawDescriptor() const override;
    QByteArray unreadInput() const override { return m_input.mid(m_inputPos); }
    bool continueInTunnel(std::shared_ptr<const http::TlsContext> tls, const DownstreamInfo &inner) override;

private:
    void onReadable();
    void processInput();
    void resetInput();
    void closeGracefully();
    void closeConnection();
    void rejectRequest(int status, const QString &detail);
    void beginStream(http::RequestHead &&head, RequestFraming framing);
    enum class Http2Check { No, Wait, Switched };
    Http2Check switchToHttp2();
    // MessageParser::Sink
    void onRequestHead(http::RequestHead &&head) override;
    void onBody(const char *data, size_t length) override;
    void onTrailers(http::HttpHeaders &&trailers) override;
    void onMessageComplete() override;

    Worker *m_worker;
    std::unique_ptr<http::Transport> m_transport;
    http::MessageParser m_parser;
    DownstreamInfo m_info;
    QByteArray m_input;
    qsizetype m_inputPos = 0;
    StreamHandler *m_stream = nullptr;
    // The stream that finished last. streamDone() runs with that stream still on the call stack,
    // so it cannot be deleted there; it is deleted when the next one finishes or the connection
    // goes. (deleteLater() would post an event and wake the event loop through a syscall for
    // every request.)
    std::unique_ptr<StreamHandler> m_retired;

    // The current stream's response: output coalesced until flush(), its framing and its fate.
    QByteArray m_out;
    qint64 m_responseBytes = 0;
    qsizetype m_headStart = 0; // where the head being written starts in m_out
    int m_httpMinor = 1;
    bool m_keepAlive = true;       // the client allows another request on this connection
    bool m_requestComplete = true; // the whole request has been read
    bool m_chunkedOut = false;
    bool m_closeAfter = false;

    bool m_readPaused = false;
    bool m_tunnel = false;
    bool m_closed = false;
    bool m_closing = false;
    bool m_processing = false;
    bool m_eof = false;
    // Timeouts: waiting for a request since (idle), head started at (header timeout).
    qint64 m_waitingSinceMs = 0;
    qint64 m_headStartedMs = 0;
    bool m_firstRequest = true;
    bool m_lingering = false; // closing once the queued response bytes are written
};

} // namespace portico::gateway
