#pragma once

// The narrow interface between a downstream codec (HTTP/1.1 today, HTTP/2 next) and the exchange
// pipeline. The codec turns client bytes into stream events on a StreamHandler and writes what
// the pipeline answers through a DownstreamStream; nothing in the pipeline knows which wire
// format is underneath. See docs/architecture.md.

#include "core/http/HttpMessage.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QString>

#include <memory>

namespace portico::http {
class TlsContext;
}

namespace portico::gateway {

// Who is on the other end: fixed for the connection.
struct DownstreamInfo
{
    QHostAddress peer;
    QByteArray peerText; // peer formatted once per connection, not once per request
    QByteArray listener; // the local end the client connected to, "host:port" (replays go there)
    bool tls = false;
    bool http2 = false; // the client speaks HTTP/2 (else HTTP/1.x)
    // The forward proxy (forward/ForwardProxy.h): a connection to proxy.listen (absolute-form
    // requests and CONNECT), or one inside a CONNECT tunnel whose requests go to `origin`.
    enum class Forward : quint8 { None, Listener, Tunnel };
    Forward forward = Forward::None;
    bool originTls = false;
    QByteArray originHost; // the CONNECT host (or the TLS server name)
    quint16 originPort = 0;
    // As captured, filtered (protocol:HTTP/2) and labelled in metrics.
    QByteArray protocol() const { return http2 ? QByteArrayLiteral("HTTP/2") : QByteArrayLiteral("HTTP/1.1"); }
};

// How the request body arrives, as the codec learnt it from the head.
struct RequestFraming
{
    bool chunked = false;        // a body of unknown length follows (HTTP/1.1 chunked)
    qint64 contentLength = -1;   // else its declared length; -1 = none
    bool expectContinue = false; // the client waits for an interim 100 before sending the body
    bool bodyless = false;       // nothing follows the head: the request is complete already
};

// Receives each field of a response head as the codec writes it, framing fields included (the
// capture records the head as the client got it).
class HeadObserver
{
public:
    virtual void field(QByteArrayView name, QByteArrayView value) = 0;

protected:
    ~HeadObserver() = default;
};

// One request/response stream on a client connection, as the pipeline writes to it. Output is
// coalesced until flush(): a head and the first body bytes leave in one write.
class DownstreamStream
{
public:
    struct HeadOptions
    {
        qint64 bodyLength = -1; // -1: unknown, the codec frames a streamed body
        bool noBody = false;    // HEAD, 204, 304, 101: no body follows, the codec adds no framing
        bool upgrade = false;   // a 101: the stream becomes a tunnel
    };

    virtual const DownstreamInfo &info() const = 0;

    // An interim 1xx response (100 Continue, 103 Early Hints).
    virtual void sendInformational(int status, const http::HttpHeaders &headers) = 0;
    // A response head: begin, the end-to-end fields, end. The codec adds its own framing fields
    // and reports every field it writes to `observer` (may be null).
    virtual void beginHead(int status, QByteArrayView reason, qsizetype sizeHint) = 0;
    virtual void addField(QByteArrayView name, QByteArrayView value) = 0;
    virtual void endHead(const HeadOptions &options, HeadObserver *observer) = 0;
    virtual void sendData(const char *data, size_t length) = 0;
    // Fields after the body (gRPC's grpc-status), right before endResponse(). HTTP/2 sends them as
    // a trailing HEADERS frame; HTTP/1.1 in the last chunk of a chunked body, and not at all after
    // a body of declared length, which has no place for them.
    virtual void sendTrailers(const http::HttpHeaders &trailers) = 0;
    virtual void endResponse() = 0; // after the last body byte (HTTP/1.1: the last chunk)
    virtual void flush() = 0;
    virtual qint64 pending() const = 0; // bytes queued to the client, for backpressure
    virtual qint64 responseBytes() const = 0; // written for this stream: heads, framing, body
    virtual void setReadPaused(bool paused) = 0;

    // This must be the connection's last exchange (a 400 or 408, a body the server gave up on).
    virtual void closeAfterResponse() = 0;
    // Cut the stream now: the client sees the failure (a response that broke after its head).
    virtual void abort() = 0;

    // After a 101: raw bytes both ways.
    virtual void beginTunnel() = 0;
    virtual void sendTunnelData(const char *data, size_t length) = 0;
    virtual void endTunnel() = 0; // the upstream closed: close once the queued bytes are written

    // The exchange has ended; the codec may delete its handler from now on (not during the call).
    virtual void streamDone() = 0;

    // Forward proxy, after a CONNECT was answered 200 (HTTP/1.1 only; others return -1/false).
    // The plain descriptor, to peek at the client's first bytes without consuming them:
    virtual int rawDescriptor() const { return -1; }
    // Bytes the codec read past the CONNECT request (a client that did not wait for the 200).
    virtual QByteArray unreadInput() const { return {}; }
    // The connection goes on as a new client connection inside the tunnel: TLS with `tls` (the
    // leaf for the host) or plain when null, its requests bound for `inner`'s origin. The
    // current stream must call streamDone() right after.
    virtual bool continueInTunnel(std::shared_ptr<const http::TlsContext> tls, const DownstreamInfo &inner)
    {
        Q_UNUSED(tls);
        Q_UNUSED(inner);
        return false;
    }

protected:
    ~DownstreamStream() = default;
};

// The pipeline's side of a stream: the events the codec delivers after the request head.
class StreamHandler
{
public:
    virtual ~StreamHandler() = default;
    virtual void start() = 0; // route, filters, upstream: runs until it waits for I/O or ends
    virtual void onRequestBody(const char *data, size_t length) = 0;
    // Fields after the request body (HTTP/2 trailing HEADERS, HTTP/1.1 chunked trailer section),
    // right before onRequestComplete().
    virtual void onRequestTrailers(http::HttpHeaders &&trailers) = 0;
    virtual void onRequestComplete() = 0;
    virtual void onReset() = 0;   // the client went away mid-exchange
    virtual void onDrained() = 0; // the codec's output queue emptied
    virtual void onTunnelData(const char *data, size_t length) = 0;
    virtual void onTunnelEof() = 0;
    // The codec refused the request: its head (400, 431, 408; instead of start()) or what followed
    // it (413 body too large, 400 bad chunk).
    virtual void failRequest(int status, const QString &detail) = 0;
    virtual void checkTimeouts(qint64 nowMs) = 0;
    virtual bool isDone() const = 0;
};

class Worker;

// Where a codec hands a new request to the pipeline (ProxyExchange.cpp). The codec keeps the
// handler, then calls start() (or failRequest() for a head it refused: method and path "-"), and
// deletes it after streamDone().
StreamHandler *createExchange(Worker *worker, DownstreamStream &down, http::RequestHead &&head, RequestFraming framing);

// A client connection as its worker sees it, whatever the codec.
class ClientConnection
{
public:
    virtual ~ClientConnection() = default;
    virtual void checkTimeouts(qint64 nowMs) = 0;
    virtual void drain() = 0; // graceful shutdown: close now if idle, else after the current exchange
    virtual void abort() = 0;
    virtual bool busy() const = 0;
};

} // namespace portico::gateway
