#include "core/gateway/UpstreamRequest.h"

#include <algorithm>

namespace portico::gateway {

using H = http::HttpHeaders;

bool isHopByHop(QByteArrayView name)
{
    switch (name.size()) {
    case 2:
        return H::nameEquals(name, "te");
    case 7:
        return H::nameEquals(name, "trailer") || H::nameEquals(name, "upgrade");
    case 10:
        return H::nameEquals(name, "connection") || H::nameEquals(name, "keep-alive");
    case 16:
        return H::nameEquals(name, "proxy-connection");
    case 17:
        return H::nameEquals(name, "transfer-encoding");
    default:
        return false;
    }
}

bool listsToken(const QByteArrayList &tokens, QByteArrayView name)
{
    return std::any_of(tokens.cbegin(), tokens.cend(), [name](const QByteArray &t) { return H::nameEquals(t, name); });
}

QByteArrayList connectionTokens(const http::HttpHeaders &headers)
{
    QByteArrayList out;
    for (const auto &[name, v] : headers.entries()) {
        if (!H::nameEquals(name, "connection") || H::nameEquals(v, "keep-alive") || H::nameEquals(v, "close"))
            continue;
        for (const QByteArray &t : v.split(',')) {
            const QByteArray token = t.trimmed();
            if (H::nameEquals(token, "keep-alive") || H::nameEquals(token, "close"))
                continue;
            out.append(token.toLower());
        }
    }
    return out;
}

namespace {

// Fields the gateway sets itself (or frames itself), dropped from what the client sent.
bool gatewayOwned(QByteArrayView name)
{
    return H::nameEquals(name, "host") || H::nameEquals(name, "content-length")
        || H::nameEquals(name, "expect") || H::nameEquals(name, "x-forwarded-proto")
        || H::nameEquals(name, "x-forwarded-host") || H::nameEquals(name, "forwarded")
        || H::nameEquals(name, "x-real-ip") || H::nameEquals(name, "x-request-id")
        || H::nameEquals(name, "x-consumer-name") || H::nameEquals(name, "x-consumer-groups")
        || H::nameEquals(name, "traceparent") || H::nameEquals(name, "b3")
        || (name.size() > 5 && H::nameEquals(name.first(5), "x-b3-"));
}

// Walks the fields of a forwarded request (all but Host and the framing, which differ by
// protocol) into `out`, which has name(n), value(piece) (any number of pieces) and end().
template <class Out>
void forwardedFields(Out &out, const http::RequestHead &request, const ForwardInfo &info, const QByteArrayList &tokens)
{
    QByteArray forwardedFor;
    for (const auto &[name, value] : request.headers.entries()) {
        if (isHopByHop(name) || gatewayOwned(name))
            continue;
        if (H::nameEquals(name, "x-forwarded-for")) {
            if (!forwardedFor.isEmpty())
                forwardedFor += ", ";
            forwardedFor += value;
            continue;
        }
        if (!tokens.isEmpty() && listsToken(tokens, name))
            continue;
        out.name(name);
        out.value(value);
        out.end();
    }
    const auto field = [&out](QByteArrayView name, QByteArrayView value) {
        out.name(name);
        out.value(value);
        out.end();
    };
    out.name("X-Forwarded-For");
    if (!forwardedFor.isEmpty()) {
        out.value(forwardedFor);
        out.value(", ");
    }
    if (!info.clientAddressText.isEmpty())
        out.value(info.clientAddressText);
    else
        out.value(info.clientAddress.toString().toLatin1());
    out.end();
    field("X-Forwarded-Proto", info.tls ? "https" : "http");
    if (!info.originalHost.isEmpty())
        field("X-Forwarded-Host", info.originalHost);
    field("X-Request-Id", info.requestId);
    if (info.trace) {
        const TraceContext &t = *info.trace;
        const bool client = !info.clientSpanId.isEmpty();
        const QByteArray &span = client ? info.clientSpanId : t.spanId;
        const QByteArray &parent = client ? t.spanId : t.parentSpanId;
        if (info.w3c) {
            out.name("traceparent");
            out.value("00-");
            out.value(t.traceId);
            out.value("-");
            out.value(span);
            out.value(t.sampled ? "-01" : "-00");
            out.end();
        }
        if (info.b3) {
            field("X-B3-TraceId", t.traceId);
            field("X-B3-SpanId", span);
            if (!parent.isEmpty())
                field("X-B3-ParentSpanId", parent);
            field("X-B3-Sampled", t.sampled ? "1" : "0");
        }
    }
    if (info.consumer) {
        // Auth and the validator already refuse names and groups that could split a header; a
        // value that got here anyway is left out rather than written.
        const QByteArray name = info.consumer->name.toUtf8();
        if (http::HttpHeaders::isSafeValue(name))
            field("X-Consumer-Name", name);
        const QByteArray groups = info.consumer->groups.join(QStringLiteral(", ")).toUtf8();
        if (!groups.isEmpty() && http::HttpHeaders::isSafeValue(groups))
            field("X-Consumer-Groups", groups);
    }
}

// HTTP/1.1 text, appended piece by piece: `"Name: " + value + "\r\n"` costs a temporary each.
struct Http1Head
{
    QByteArray &h;
    void name(QByteArrayView n)
    {
        h += n;
        h += ": ";
    }
    void value(QByteArrayView v) { h += v; }
    void end() { h += "\r\n"; }
};

// HTTP/2 fields: names in lower case (RFC 9113 8.2.1).
struct Http2Fields
{
    std::vector<std::pair<QByteArray, QByteArray>> &fields;
    void name(QByteArrayView n) { fields.emplace_back(n.toByteArray().toLower(), QByteArray()); }
    void value(QByteArrayView v) { fields.back().second += v; }
    void end() { }
};

QByteArray requestTarget(const http::RequestHead &request)
{
    QByteArray t = request.path.isEmpty() ? QByteArrayLiteral("/") : request.path;
    if (!request.query.isEmpty()) {
        t += '?';
        t += request.query;
    }
    return t;
}

} // namespace

QByteArray buildUpstreamRequestHead(const http::RequestHead &request, const TargetState &target, const ForwardInfo &info)
{
    const QByteArrayList tokens = connectionTokens(request.headers);
    const bool upgrade = request.headers.contains("upgrade") && tokens.contains("upgrade");

    QByteArray h;
    h.reserve(512 + request.headers.size() * 48);
    h += request.method;
    h += ' ';
    h += request.path.isEmpty() ? QByteArray("/") : request.path;
    if (!request.query.isEmpty()) {
        h += '?';
        h += request.query;
    }
    h += " HTTP/1.1\r\nHost: ";
    h += target.hostHeader;
    h += "\r\n";
    Http1Head out { h };
    forwardedFields(out, request, info, tokens);
    if (info.chunked)
        h += "Transfer-Encoding: chunked\r\n";
    else if (info.contentLength >= 0) {
        out.name("Content-Length");
        out.value(QByteArray::number(info.contentLength));
        out.end();
    }
    if (upgrade)
        h += "Connection: Upgrade\r\nUpgrade: " + request.headers.value("upgrade") + "\r\n";
    h += "\r\n";
    return h;
}

std::vector<std::pair<QByteArray, QByteArray>> buildUpstreamHttp2Fields(const http::RequestHead &request,
                                                                         const TargetState &target,
                                                                         const ForwardInfo &info)
{
    std::vector<std::pair<QByteArray, QByteArray>> fields;
    fields.reserve(12 + size_t(request.headers.size()));
    fields.emplace_back(QByteArrayLiteral(":method"), request.method);
    fields.emplace_back(QByteArrayLiteral(":scheme"), target.tls ? QByteArrayLiteral("https") : QByteArrayLiteral("http"));
    fields.emplace_back(QByteArrayLiteral(":authority"), target.hostHeader);
    fields.emplace_back(QByteArrayLiteral(":path"), requestTarget(request));
    Http2Fields out { fields };
    // No Connection, so no field it names; an upgrade cannot cross HTTP/2 (no 101 there).
    forwardedFields(out, request, info, connectionTokens(request.headers));
    // TE is hop-by-hop, but "trailers" is the one value HTTP/2 carries (RFC 9113 8.2.2): gRPC
    // servers insist on it.
    for (const QByteArray &te : request.headers.values("te")) {
        if (te.toLower().contains("trailers")) {
            fields.emplace_back(QByteArrayLiteral("te"), QByteArrayLiteral("trailers"));
            break;
        }
    }
    if (!info.chunked && info.contentLength >= 0)
        fields.emplace_back(QByteArrayLiteral("content-length"), QByteArray::number(info.contentLength));
    return fields;
}

} // namespace portico::gateway
