#include "core/gateway/UpstreamRequest.h"

#include "core/http/HttpSyntax.h"

#include <algorithm>
#include <cstring>

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
    // By length first: most fields of a request are none of these and cost one switch.
    if (name.size() > 5 && H::nameEquals(name.first(5), "x-b3-"))
        return true;
    switch (name.size()) {
    case 2:
        return H::nameEquals(name, "b3");
    case 4:
        return H::nameEquals(name, "host");
    case 6:
        return H::nameEquals(name, "expect");
    case 9:
        return H::nameEquals(name, "forwarded") || H::nameEquals(name, "x-real-ip");
    case 11:
        return H::nameEquals(name, "traceparent");
    case 12:
        return H::nameEquals(name, "x-request-id");
    case 14:
        return H::nameEquals(name, "content-length");
    case 15:
        return H::nameEquals(name, "x-consumer-name");
    case 16:
        return H::nameEquals(name, "x-forwarded-host");
    case 17:
        return H::nameEquals(name, "x-forwarded-proto") || H::nameEquals(name, "x-consumer-groups");
    default:
        return false;
    }
}

} // namespace

bool forwardableTrailer(QByteArrayView name, QByteArrayView value)
{
    if (!http::isToken(name) || !H::isSafeValue(value) || isHopByHop(name) || gatewayOwned(name))
        return false;
    static constexpr const char *kNever[] = { "content-type", "content-encoding", "content-range",
        "authorization", "proxy-authorization", "cookie", "set-cookie", "max-forwards", "range",
        "x-forwarded-for", "tracestate" };
    return std::none_of(std::begin(kNever), std::end(kNever), [name](const char *never) { return H::nameEquals(name, never); });
}

namespace {

// Walks the fields of a forwarded request (all but Host and the framing, which differ by
// protocol) into `out`, which has name(n), value(piece) (any number of pieces) and end().
template <class Out>
void forwardedFields(Out &out, const http::RequestHead &request, const ForwardInfo &info, const QByteArrayList &tokens)
{
    if (info.transparent) {
        for (const auto &[name, value] : request.headers.entries()) {
            if (isHopByHop(name) || H::nameEquals(name, "host") || H::nameEquals(name, "content-length")
                || H::nameEquals(name, "proxy-authorization") || H::nameEquals(name, "expect")
                || (!tokens.isEmpty() && listsToken(tokens, name)))
                continue;
            out.name(name);
            out.value(value);
            out.end();
        }
        return;
    }
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

// Appends into reserved room with a plain copy: QByteArray's append goes through insert(), which
// callgrind showed costing more than the copy itself for the short pieces of a head.
inline void put(QByteArray &h, QByteArrayView v)
{
    const qsizetype at = h.size();
    if (h.capacity() - at < v.size()) {
        h.append(v);
        return;
    }
    h.resize(at + v.size());
    memcpy(h.data() + at, v.data(), size_t(v.size()));
}

// HTTP/1.1 text, appended piece by piece: `"Name: " + value + "\r\n"` costs a temporary each.
struct Http1Head
{
    QByteArray &h;
    void name(QByteArrayView n)
    {
        put(h, n);
        put(h, ": ");
    }
    void value(QByteArrayView v) { put(h, v); }
    void end() { put(h, "\r\n"); }
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
    put(h, request.method);
    put(h, " ");
    put(h, request.path.isEmpty() ? QByteArrayView("/") : QByteArrayView(request.path));
    if (!request.query.isEmpty()) {
        put(h, "?");
        put(h, request.query);
    }
    put(h, " HTTP/1.1\r\nHost: ");
    put(h,
        info.transparent && !info.originalHost.isEmpty() ? QByteArrayView(info.originalHost)
                                                         : QByteArrayView(target.hostHeader));
    put(h, "\r\n");
    Http1Head out { h };
    forwardedFields(out, request, info, tokens);
    if (info.chunked)
        put(h, "Transfer-Encoding: chunked\r\n");
    else if (info.contentLength >= 0) {
        out.name("Content-Length");
        out.value(QByteArray::number(info.contentLength));
        out.end();
    }
    if (upgrade)
        h += "Connection: Upgrade\r\nUpgrade: " + request.headers.value("upgrade") + "\r\n";
    put(h, "\r\n");
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
    fields.emplace_back(QByteArrayLiteral(":authority"),
        info.transparent && !info.originalHost.isEmpty() ? info.originalHost : target.hostHeader);
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
