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
        h += name;
        h += ": ";
        h += value;
        h += "\r\n";
    }
    // Appended piece by piece: `"Name: " + value + "\r\n"` costs a temporary per operator.
    const auto field = [&h](QByteArrayView name, QByteArrayView value) {
        h += name;
        h += ": ";
        h += value;
        h += "\r\n";
    };
    h += "X-Forwarded-For: ";
    if (!forwardedFor.isEmpty()) {
        h += forwardedFor;
        h += ", ";
    }
    if (!info.clientAddressText.isEmpty())
        h += info.clientAddressText;
    else
        h += info.clientAddress.toString().toLatin1();
    h += info.tls ? "\r\nX-Forwarded-Proto: https\r\n" : "\r\nX-Forwarded-Proto: http\r\n";
    if (!info.originalHost.isEmpty())
        field("X-Forwarded-Host", info.originalHost);
    field("X-Request-Id", info.requestId);
    if (info.trace) {
        const TraceContext &t = *info.trace;
        if (info.w3c) {
            h += "traceparent: 00-";
            h += t.traceId;
            h += '-';
            h += t.spanId;
            h += t.sampled ? "-01\r\n" : "-00\r\n";
        }
        if (info.b3) {
            field("X-B3-TraceId", t.traceId);
            field("X-B3-SpanId", t.spanId);
            if (!t.parentSpanId.isEmpty())
                field("X-B3-ParentSpanId", t.parentSpanId);
            h += t.sampled ? "X-B3-Sampled: 1\r\n" : "X-B3-Sampled: 0\r\n";
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
    if (info.chunked)
        h += "Transfer-Encoding: chunked\r\n";
    else if (info.contentLength >= 0)
        field("Content-Length", QByteArray::number(info.contentLength));
    if (upgrade)
        h += "Connection: Upgrade\r\nUpgrade: " + request.headers.value("upgrade") + "\r\n";
    h += "\r\n";
    return h;
}

} // namespace portico::gateway
