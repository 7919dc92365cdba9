#pragma once

#include <QByteArray>

namespace portico::capture {
struct Exchange;
}

namespace portico::gateway {

// Observes every finished exchange, whether or not capture is on (the access log is one). Called
// on the worker thread that served the exchange, on the proxy hot path: an implementation copies
// the few fields it needs into its own queue and returns at once, never blocking on I/O.
// Install with GatewayState::setExchangeSink(); the sink must outlive the gateway's workers.
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
    };

    virtual ~ExchangeSink() = default;
    // `exchange` holds the outcome: status, timings, sizes, route, consumer, upstream, error.
    virtual void exchangeFinished(const capture::Exchange &exchange, const Request &request) = 0;
};

} // namespace portico::gateway
