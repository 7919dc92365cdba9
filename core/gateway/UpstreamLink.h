#pragma once

#include "core/http/HttpMessage.h"

#include <QString>

#include <vector>

namespace portico::gateway {

struct ForwardInfo;
struct TargetState;

// One exchange's way to an upstream target, whatever protocol carries it: a whole HTTP/1.1
// connection (UpstreamConnection) or one stream of a multiplexed HTTP/2 connection
// (Http2UpstreamSession::Stream). The upstream half of the pipeline (UpstreamExchange, aggregate
// parts) speaks only to this, so the framing (chunks, DATA frames) lives in the codec.
class UpstreamLink
{
public:
    // What the link reports to the exchange that uses it. After onUpstreamError the link has
    // retired itself: the client must not touch it again.
    class Client
    {
    public:
        virtual ~Client() = default;
        virtual void onUpstreamConnected() = 0;
        virtual void onUpstreamInformational(http::ResponseHead &&head) = 0; // 1xx other than 100/101
        virtual void onUpstreamResponseHead(http::ResponseHead &&head) = 0;
        virtual void onUpstreamBody(const char *data, size_t length) = 0;
        // Fields after the body (HTTP/2 trailers, the trailer section of an HTTP/1.1 chunked body).
        virtual void onUpstreamTrailers(http::HttpHeaders &&) { }
        virtual void onUpstreamComplete() = 0;
        // End of one read batch: a good moment to flush what the batch produced in one write.
        virtual void onUpstreamReadBatchDone() = 0;
        virtual void onUpstreamError(const QString &reason) = 0;
        virtual void onUpstreamDrained() = 0;
        // After a 101 answer: raw bytes in both directions from now on (HTTP/1.1 only).
        virtual void onTunnelData(const char *data, size_t length) = 0;
        virtual void onTunnelEof() = 0;
    };

    // Prepares for the next response (`noBody`: the request was HEAD).
    virtual void beginExchange(Client *client, bool noBody) = 0;
    virtual void setClient(Client *client) = 0;
    // Connected: the request can go now (else onUpstreamConnected follows).
    virtual bool ready() const = 0;
    // The request head and the body at hand (`resend`, then `fresh`: pieces of the body as the
    // client sent them, unframed); `complete`: nothing follows. `forward` says how the body is
    // framed (chunked, contentLength).
    virtual void sendRequest(const http::RequestHead &request, const TargetState &target,
        const ForwardInfo &forward, const std::vector<QByteArray> &resend,
        const std::vector<QByteArray> &fresh, bool complete)
        = 0;
    virtual void sendBody(const char *data, size_t length) = 0;
    // The body is complete; `trailers` (usually empty) follow it: a trailing HEADERS frame over
    // HTTP/2, the last chunk over HTTP/1.1 (dropped after a body of declared length).
    virtual void endRequest(const http::HttpHeaders &trailers) = 0;
    virtual qint64 pending() const = 0; // request bytes not yet written, for backpressure
    // Stop/start taking the response (backpressure towards the upstream).
    virtual void setReadEnabled(bool enabled) = 0;
    // The response ended cleanly and the link could carry another exchange.
    virtual bool reusable() const = 0;
    // The exchange is done with the link: back to its pool if `reusable`, else closed (an HTTP/2
    // stream that has not ended is reset). The link may be deleted later; do not touch it again.
    virtual void release(bool reusable) = 0;
    void close() { release(false); }

    // Tunnels (after a 101; HTTP/1.1 only).
    virtual void sendTunnel(const char *data, size_t length) = 0;
    virtual void shutdownWrite() = 0;

protected:
    ~UpstreamLink() = default;
};

} // namespace portico::gateway
