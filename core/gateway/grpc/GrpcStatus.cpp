#include "core/gateway/grpc/GrpcStatus.h"

#include "core/gateway/grpc/GrpcWeb.h"

#include <array>

namespace portico::gateway::grpc {

QByteArrayView statusName(int code)
{
    static constexpr std::array<const char *, 17> kNames { "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED" };
    return code >= 0 && code < int(kNames.size()) ? QByteArrayView(kNames[size_t(code)]) : QByteArrayView();
}

Status statusForHttp(int httpStatus)
{
    switch (httpStatus) {
    case 400:
        return Status::Internal;
    case 401:
        return Status::Unauthenticated;
    case 403:
        return Status::PermissionDenied;
    case 404:
    case 501:
        return Status::Unimplemented;
    case 408:
    case 504:
        return Status::DeadlineExceeded;
    case 413:
    case 429:
    case 431:
        return Status::ResourceExhausted;
    case 502:
    case 503:
        return Status::Unavailable;
    default:
        return Status::Unknown;
    }
}

std::optional<qint64> parseTimeout(QByteArrayView value)
{
    if (value.size() < 2 || value.size() > 9)
        return std::nullopt;
    qint64 amount = 0;
    for (qsizetype i = 0; i + 1 < value.size(); ++i) {
        const char c = value[i];
        if (c < '0' || c > '9')
            return std::nullopt;
        amount = amount * 10 + (c - '0');
    }
    // Nanoseconds per unit, as milliseconds rounded up (a 1n deadline is not "no deadline").
    const auto ceilDiv = [](qint64 a, qint64 b) { return (a + b - 1) / b; };
    switch (value.back()) {
    case 'H':
        return amount * 3'600'000;
    case 'M':
        return amount * 60'000;
    case 'S':
        return amount * 1000;
    case 'm':
        return amount;
    case 'u':
        return ceilDiv(amount, 1000);
    case 'n':
        return ceilDiv(amount, 1'000'000);
    default:
        return std::nullopt;
    }
}

QByteArray percentEncodeMessage(QByteArrayView utf8)
{
    static const char kHex[] = "0123456789ABCDEF";
    QByteArray out;
    out.reserve(utf8.size());
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c <= 0x7e && c != '%') {
            out += char(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

http::ResponseHead trailersOnly(const filters::LocalReply &reply)
{
    http::ResponseHead head;
    head.status = 200;
    head.headers = reply.headers;
    head.headers.set("Content-Type", "application/grpc");
    head.headers.set("grpc-status", QByteArray::number(int(statusForHttp(reply.status))));
    const QString text = reply.detail.isEmpty() ? reply.title : reply.title + QStringLiteral(": ") + reply.detail;
    head.headers.set("grpc-message", percentEncodeMessage(text.toUtf8()));
    head.endsMessage = true;
    return head;
}

std::optional<http::ResponseHead> trailersOnlyFor(
    const filters::LocalReply &reply, QByteArrayView contentType)
{
    const WebMode web = webModeOf(contentType);
    if (web == WebMode::None && !isNativeGrpc(contentType))
        return std::nullopt;
    http::ResponseHead head = trailersOnly(reply);
    if (web != WebMode::None)
        head.headers.set("Content-Type", webContentType(nativeContentType(contentType), web));
    return head;
}

} // namespace portico::gateway::grpc
