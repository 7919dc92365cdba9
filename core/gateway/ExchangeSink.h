#pragma once

#include <QByteArray>
#include <QString>

#include <vector>

namespace portico::capture {
struct Exchange;
}

namespace portico::gateway {

// Observes every finished exchange, whether or not capture is on (the access log is one). Called
// on the worker thread that served the exchange, on the proxy hot path: an implementation copies
// the few fields it needs into its own queue and returns at once, never blocking on I/O.
// Install with GatewayState::setExchangeSink(); the sink must outlive the gateway's workers.
// One request the gateway sent upstream for an exchange: an attempt (a retry is another one) or
// an aggregate part. Kept only while the exchange is traced (tracing.otlp, sampled): each is a
// CLIENT span, and `spanId` is the parent the upstream was told in traceparent/b3.
struct UpstreamAttempt
{
    QByteArray spanId;
    QString target; // the target's URL (scheme://host:port)
    QString upstream; // the upstream's name
    QString part; // the aggregate part's key; empty for the route's own upstream
    qint64 startUs = 0; // since the exchange began (the recorder's clock)
    qint64 endUs = -1; // -1 while it runs
    int status = 0; // the answer's status; 0 when none came
    QString error; // why it failed; empty when it did not
};

class ExchangeSink
{
public:
    // The request's own bytes as the proxy holds them (implicitly shared: copying is a reference
    // count). The proxy does not convert them into the Exchange's QString fields, which it
    // leaves empty: that would be an allocation per field and per request.
    struct Request
    {
        QByteArray method;
        QByteArray path;
        QByteArray clientAddress;
        QByteArray traceId;
        QByteArray spanId;
        QByteArray requestId; // the X-Request-Id the client got
        QByteArray parentSpanId; // the caller's span; empty when the trace started here
        bool sampled = true; // the trace's sampled flag (incoming, or set for a new trace)
        // The upstream requests, in order, while traced (else null); valid for the call.
        const std::vector<UpstreamAttempt> *attempts = nullptr;
    };

    virtual ~ExchangeSink() = default;
    // `exchange` holds the outcome: status, timings, sizes, route, consumer, upstream, error.
    virtual void exchangeFinished(const capture::Exchange &exchange, const Request &request) = 0;
};

} // namespace portico::gateway
