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
    virtual ~ExchangeSink() = default;
    // `requestId` is the X-Request-Id the client got.
    virtual void exchangeFinished(const capture::Exchange &exchange, const QByteArray &requestId) = 0;
};

} // namespace portico::gateway
