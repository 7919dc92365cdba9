#pragma once

#include "core/filters/Filter.h"
#include "core/gateway/Cluster.h"
#include "core/gateway/TraceContext.h"
#include "core/http/HttpMessage.h"

#include <QHostAddress>

#include <optional>
#include <utility>
#include <vector>

namespace portico::gateway {

// What the gateway adds to every request it forwards, besides the client's own fields.
struct ForwardInfo
{
    QHostAddress clientAddress {};
    QByteArray clientAddressText {}; // clientAddress formatted, if the caller has it already
    bool tls = false;            // the client spoke HTTPS to us
    QByteArray originalHost {}; // the client's Host header
    QByteArray requestId {};
    const TraceContext *trace = nullptr;
    // The CLIENT span of this attempt (tracing.otlp): when set, the upstream is told it as its
    // parent (traceparent's parent-id, X-B3-SpanId with the gateway's span as X-B3-ParentSpanId);
    // else the gateway's own span is.
    QByteArray clientSpanId {};
    bool w3c = true;
    bool b3 = false;
    const filters::ConsumerIdentity *consumer = nullptr;
    // The forward proxy sending an app's request to the server the app named: the app's fields
    // go as they are (its Host, traceparent, X-Forwarded-*) and the gateway adds none of its own.
    bool transparent = false;
    bool chunked = false;         // the body is sent chunked
    qint64 contentLength = -1;    // else its length, -1 = no body
};

// The request head sent to an upstream target: the request line with the (possibly rewritten)
// path, Host for the target, the client's end-to-end fields minus hop-by-hop ones and those the
// gateway owns (X-Forwarded-Proto/Host, Forwarded, X-Real-IP, X-Request-Id, trace context,
// X-Consumer-*: a client cannot forge them; its X-Forwarded-For is extended, as nginx's
// $proxy_add_x_forwarded_for does), then the gateway's own fields. Upgrade requests keep Connection/Upgrade.
QByteArray buildUpstreamRequestHead(const http::RequestHead &request, const TargetState &target, const ForwardInfo &info);
// The same request as HTTP/2 fields: pseudo-headers first (:authority for the target), names in
// lower case, no connection-specific fields except "te: trailers" when the client asked for
// trailers, content-length when the body's length is known.
std::vector<std::pair<QByteArray, QByteArray>> buildUpstreamHttp2Fields(const http::RequestHead &request,
                                                                         const TargetState &target,
                                                                         const ForwardInfo &info);

// Whether a trailer field may be passed on: a valid name and value, and none of the fields that
// frame, route or control a message (RFC 9110 6.5.1), which a peer could otherwise smuggle in
// after the filters saw the head. Names in any case.
bool forwardableTrailer(QByteArrayView name, QByteArrayView value);

// Hop-by-hop fields (RFC 9110 7.6.1): never forwarded.
bool isHopByHop(QByteArrayView name);
// Whether a Connection-token list (lower case) names the field `name`, compared without copying.
bool listsToken(const QByteArrayList &tokens, QByteArrayView name);
// The lower-cased tokens of every Connection field that may name another field; `close` and
// `keep-alive` (whose field is hop-by-hop anyway) are left out, so the usual list is empty.
QByteArrayList connectionTokens(const http::HttpHeaders &headers);

} // namespace portico::gateway
