#pragma once

#include "core/http/HttpHeaders.h"

#include <QByteArray>

namespace portico::gateway {

// W3C Trace Context (traceparent/tracestate) and B3 (single `b3` header and multi X-B3-*)
// propagation. The gateway continues an incoming trace (or starts one), creates its own span,
// and sends that span as the parent upstream in the configured formats.
struct TraceContext
{
    QByteArray traceId;      // 32 lower-case hex
    QByteArray parentSpanId; // the caller's span (16 hex), empty when the trace starts here
    QByteArray spanId;       // the gateway's span for this exchange
    QByteArray traceState;   // W3C tracestate, passed through
    bool sampled = true;

    // Reads traceparent first, then b3, then X-B3-TraceId/X-B3-SpanId; starts a new trace when
    // none is valid.
    static TraceContext fromRequest(const http::HttpHeaders &headers);
    // Writes the outgoing headers (removing the incoming ones first).
    void inject(http::HttpHeaders &headers, bool w3c, bool b3) const;

    QByteArray traceparent() const;
};

// Random lower-case hex of `bytes` random bytes (fast, per-thread generator; not for secrets).
QByteArray randomHex(int bytes);

} // namespace portico::gateway
