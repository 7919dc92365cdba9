#pragma once

#include "core/gateway/Cluster.h"
#include "core/gateway/UpstreamConnection.h"
#include "core/gateway/UpstreamRequest.h"
#include "core/gateway/pipeline/DownstreamStream.h"

#include <memory>
#include <vector>

namespace portico::gateway {

class ExchangeRecorder;
class Worker;

// The upstream half of one exchange: picks a target of the cluster, takes a pooled connection or
// opens one, sends the request head and streams the body (kept while small, so a failed attempt
// can go again), enforces the connect and response timeouts, retries idempotent requests on
// another target or a fresh connection, and passes the answer to its Owner. Speaks to the target
// through an UpstreamLink (an HTTP/1.1 connection or an HTTP/2 stream); flow control pauses
// whichever side is faster.
class UpstreamExchange final : public UpstreamLink::Client
{
    Q_DISABLE_COPY_MOVE(UpstreamExchange)

public:
    class Owner
    {
    public:
        virtual void onUpstreamConnected() = 0;
        virtual void onUpstreamInformational(http::ResponseHead &&head) = 0;
        virtual void onUpstreamHead(http::ResponseHead &&head) = 0;
        virtual void onUpstreamBody(const char *data, size_t length) = 0;
        virtual void onUpstreamTrailers(http::HttpHeaders &&trailers) = 0;
        virtual void onUpstreamComplete() = 0;
        virtual void onUpstreamBatchDone() = 0; // flush what the read batch produced
        // The exchange with the upstream broke after the response started (or in a tunnel): the
        // owner cuts the client off. Returns false when nothing was sent yet and a clean answer
        // (a retry, a 502) is still possible.
        virtual bool onUpstreamBroken(const QString &reason) = 0;
        // No answer can come: answer the client with this (502, 503, 504).
        virtual void onUpstreamFailed(int status, const QString &title, const QString &detail) = 0;
        virtual void onUpstreamTunnelData(const char *data, size_t length) = 0;
        virtual void onUpstreamTunnelEof() = 0;

    protected:
        ~Owner() = default;
    };

    UpstreamExchange(Owner &owner, Worker *worker, DownstreamStream &down, ExchangeRecorder &recorder);
    ~UpstreamExchange() override;

    // Starts the attempt. `request` and `forward` must outlive this object; `framing` says how the
    // body arrives (and `forward` frames it the same way: chunked, contentLength); `timeout` bounds
    // the wait for (and between reads of) the response. While the exchange is traced, each attempt
    // is a CLIENT span of the recorder's and `forward->clientSpanId` is set to it before it goes.
    void start(std::shared_ptr<Cluster> cluster, const http::RequestHead *request, ForwardInfo *forward,
        const RequestFraming &framing, config::Duration timeout);
    bool started() const { return m_cluster != nullptr; }
    const Cluster *cluster() const { return m_cluster.get(); }

    // From the client.
    void sendBody(const char *data, size_t length);
    // The body is complete; `trailers` follow it (must outlive this object).
    void requestComplete(const http::HttpHeaders &trailers);
    void sendTunnelData(const char *data, size_t length);
    void shutdownTunnelWrite();
    void onDownstreamDrained(); // the client took what was queued: read the upstream again

    // Gives the connection back to the pool (reusable) or closes it.
    void release(bool reusable);
    // The response is complete: a connection whose request was complete goes back to the pool.
    void releaseAfterResponse();
    void refreshResponseDeadline();
    void checkTimeouts(qint64 nowMs);

private:
    // UpstreamLink::Client
    void onUpstreamConnected() override;
    void onUpstreamInformational(http::ResponseHead &&head) override;
    void onUpstreamResponseHead(http::ResponseHead &&head) override;
    void onUpstreamBody(const char *data, size_t length) override;
    void onUpstreamTrailers(http::HttpHeaders &&trailers) override { m_owner.onUpstreamTrailers(std::move(trailers)); }
    void onUpstreamComplete() override;
    void onUpstreamReadBatchDone() override;
    void onUpstreamError(const QString &reason) override;
    void onUpstreamDrained() override;
    void onTunnelData(const char *data, size_t length) override;
    void onTunnelEof() override;

    void connect();
    bool retryElsewhere(TargetState *failed);
    void sendRequest();
    void retain(QByteArray piece);
    void pauseClientIfBehind(qint64 queued);
    void pauseUpstreamIfClientBehind();
    void fail(int status, const QString &title, const QString &detail);
    void endAttempt(const QString &error = {});

    Owner &m_owner;
    Worker *m_worker;
    DownstreamStream &m_down;
    ExchangeRecorder &m_recorder;
    const http::RequestHead *m_request = nullptr;
    ForwardInfo *m_forward = nullptr;
    RequestFraming m_framing;
    config::Duration m_timeout { 0 };

    std::shared_ptr<Cluster> m_cluster;
    TargetState *m_target = nullptr;
    UpstreamLink *m_upstream = nullptr;
    std::vector<TargetState *> m_tried;
    int m_retries = 0;
    int m_attempt = -1; // the recorder's index of the current attempt (traced exchanges)
    qint64 m_connectDeadline = 0;
    qint64 m_responseDeadline = 0;

    // Request body. Received, not yet written upstream; a vector: std::deque allocates a map and a
    // 512-byte node on construction, i.e. for every request even without a body.
    std::vector<QByteArray> m_bodyQueue;
    std::vector<QByteArray> m_sentBody; // kept for a retry while small
    qint64 m_sentBodyBytes = 0;
    bool m_bodyRetainable = true;
    const http::HttpHeaders *m_requestTrailers = nullptr;
    bool m_requestComplete = false;
    bool m_headSent = false;
    bool m_connected = false;
    bool m_pooled = false;
    bool m_staleRetried = false;
    bool m_clientPaused = false;
    bool m_upstreamPaused = false;
};

} // namespace portico::gateway
