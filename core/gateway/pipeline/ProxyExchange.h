#pragma once

#include "core/filters/Filter.h"
#include "core/gateway/RuntimeConfig.h"
#include "core/gateway/TraceContext.h"
#include "core/gateway/UpstreamRequest.h"
#include "core/gateway/aggregate/AggregateFanout.h"
#include "core/gateway/forward/ForwardState.h"
#include "core/gateway/grpc/GrpcWebBridge.h"
#include "core/gateway/grpc/TranscodeBridge.h"
#include "core/gateway/pipeline/DownstreamStream.h"
#include "core/gateway/pipeline/ExchangeRecorder.h"
#include "core/gateway/pipeline/FilterRunner.h"
#include "core/gateway/pipeline/ResponseWriter.h"
#include "core/gateway/pipeline/UpstreamExchange.h"

#include <memory>
#include <optional>

namespace portico::gateway {

class Worker;

// One exchange through the pipeline, whatever codec carries it: the request head arrives from the
// downstream codec as a stream (StreamHandler); the router picks a route; the route's filters run
// (FilterRunner); the backend answers (an upstream through UpstreamExchange, an aggregate through
// AggregateFanout, a mock or a local reply through the filters); the answer goes back through the
// filters and the ResponseWriter; the ExchangeRecorder sees it all and keeps the record. This class
// only sequences those parts. Lives on a worker thread, owned by its codec. Not a QObject: one is
// made per request, and QObject's private data and teardown were a measurable part of the
// worker's time.
class ProxyExchange final : public StreamHandler, private FilterRunner::Host, private UpstreamExchange::Owner
{
    Q_DISABLE_COPY_MOVE(ProxyExchange)

public:
    ProxyExchange(DownstreamStream &down, Worker *worker, http::RequestHead &&head, RequestFraming framing);
    // One exchange per request, and the object is large: a per-thread free list keeps it out of
    // malloc's slow path (perf showed malloc_consolidate on every request).
    static void *operator new(std::size_t size);
    static void operator delete(void *p, std::size_t size) noexcept;
    ~ProxyExchange() override;

    // StreamHandler
    void start() override;
    void onRequestBody(const char *data, size_t length) override;
    void onRequestTrailers(http::HttpHeaders &&trailers) override { m_requestTrailers = std::move(trailers); }
    void onRequestComplete() override;
    void onReset() override;
    void onDrained() override;
    void onTunnelData(const char *data, size_t length) override;
    void onTunnelEof() override;
    void failRequest(int status, const QString &detail) override;
    void checkTimeouts(qint64 nowMs) override;
    bool isDone() const override { return m_done; }

private:
    // FilterRunner::Host
    void resumeFilters() override;
    void sendLocalReply(filters::LocalReply reply) override;
    void sendFilterResponse(http::ResponseHead head, QByteArray body) override;
    // UpstreamExchange::Owner
    void onUpstreamConnected() override {}
    void onUpstreamInformational(http::ResponseHead &&head) override;
    void onUpstreamHead(http::ResponseHead &&head) override;
    void onUpstreamBody(const char *data, size_t length) override;
    void onUpstreamTrailers(http::HttpHeaders &&trailers) override { m_responseTrailers = std::move(trailers); }
    void onUpstreamComplete() override;
    void onUpstreamBatchDone() override;
    bool onUpstreamBroken(const QString &reason) override;
    void onUpstreamFailed(int status, const QString &title, const QString &detail) override;
    void onUpstreamTunnelData(const char *data, size_t length) override;
    void onUpstreamTunnelEof() override;

    void prepare(); // config, capture and trace: what start() and failRequest() both need
    void runFilters();
    void proceed();
    void startAggregate();
    void onAggregateDone(AggregateResponse response);
    void sendBuffered(http::ResponseHead &head, QByteArray body);
    void deliverBody(const char *data, size_t length); // the upstream's body, to the writer
    bool decideGrpcWeb(const Cluster &cluster); // false: the request was refused
    void refuseGrpcWeb();
    QByteArray clientContentType() const; // as the client sent it (before any gRPC-Web bridging)
    void finish(const QString &error = {});
    void grpcDeadlineExceeded();
    // REST <-> gRPC transcoding (ProxyExchangeGrpc.cpp): the route's transcoder picks the method
    // once the filters passed; the upstream is reached when the whole JSON body is in.
    void prepareTranscode(std::shared_ptr<Cluster> cluster, config::Duration timeout);
    void launchTranscode();
    void transcodeHead(http::ResponseHead &&head);
    void transcodeBody(const char *data, size_t length);
    void finishTranscode();
    void transcodeBroken(const QString &why);
    void writeStreamHead();
    // The forward proxy (ProxyExchangeForward.cpp): requests on proxy.listen and inside CONNECT
    // tunnels. prepareForwarded() reads the origin before the request is recorded; routeForwarded()
    // returns true when a route that names the host takes the request, else it answered or waits.
    void prepareForwarded();
    bool ownPort(quint16 port) const; // Portico's own listener: reaching it would loop
    bool routeForwarded(const http::NormalizedPath &normal, const QByteArray &host);
    void resolveForwarded(const QByteArray &host, void (ProxyExchange::*then)(const QHostAddress &));
    void toOrigin(const QHostAddress &address);
    void startConnect();
    void connectResolved(const QHostAddress &address);
    void answerConnect();
    void openPassthrough();
    void sniffTunnel();
    void forwardTunnelData(const char *data, size_t length);
    bool forwardTimedOut(qint64 nowMs);
    bool refusedDestination(const QHostAddress &address);

    DownstreamStream &m_down;
    Worker *m_worker;
    RuntimeConfigPtr m_config;
    http::RequestHead m_request;
    RequestFraming m_framing;
    filters::RequestContext m_ctx;
    TraceContext m_trace;
    ForwardInfo m_forward; // what the gateway adds to what it forwards
    QByteArray m_requestId;
    QByteArray m_clientPath; // the path as the client sent it, normalised (m_request.path becomes the upstream's)
    RouteMatchResult m_match;

    ExchangeRecorder m_recorder;
    FilterRunner m_filters;
    UpstreamExchange m_upstream;
    ResponseWriter m_writer;
    http::ResponseHead m_response;
    http::HttpHeaders m_requestTrailers;  // from the client, sent upstream after the body
    http::HttpHeaders m_responseTrailers; // from the upstream, sent to the client after the body
    std::unique_ptr<AggregateFanout> m_fanout; // destroyed before the request it points into
    std::unique_ptr<grpc::GrpcWebBridge> m_grpcWeb; // a gRPC-Web request (GrpcWebBridge.h)
    std::unique_ptr<ForwardState> m_fwd; // forward proxy requests only (forward/ForwardState.h)

    qint64 m_lastBodyMs = 0; // last request body bytes (stall detection)
    // A native gRPC call: the gateway's own answers are gRPC statuses, and its grpc-timeout (an
    // absolute deadline, steady ms; 0 = none) bounds the whole call.
    bool m_grpc = false;
    // Transcoding: the JSON body is kept here until it is whole.
    bool m_transcoding = false;
    QByteArray m_transcodeJson;
    std::unique_ptr<grpc::TranscodeBridge> m_transcode;
    std::shared_ptr<Cluster> m_transcodeCluster;
    config::Duration m_transcodeTimeout { 0 };
    bool m_transcodeLaunched = false;
    std::optional<QByteArray> m_transcodeUnary; // a unary call's answer, as JSON
    qint64 m_grpcDeadlineMs = 0;
    bool m_prepared = false;
    bool m_requestComplete = false;
    bool m_continueSent = false;
    bool m_tunnel = false;
    bool m_done = false;
};

} // namespace portico::gateway
