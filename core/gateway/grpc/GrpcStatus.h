#pragma once

// gRPC's side of the gateway's own answers: status codes, the grpc-timeout deadline, and a local
// reply (401, 429, 504, ...) given to a gRPC client the way a gRPC server would fail the call,
// so its stubs report UNAUTHENTICATED with the gateway's reason instead of "unexpected
// content-type". See https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md.

#include "core/filters/Filter.h"
#include "core/http/HttpMessage.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace portico::gateway::grpc {

enum class Status : int {
    Ok = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
};

// "UNAUTHENTICATED" style; "" for a code outside 0..16.
QByteArrayView statusName(int code);

// The status a gateway answer of this HTTP status means to a gRPC client: 401 UNAUTHENTICATED,
// 403 PERMISSION_DENIED, 404 and 501 UNIMPLEMENTED, 408 and 504 DEADLINE_EXCEEDED, 413, 429 and
// 431 RESOURCE_EXHAUSTED, 502 and 503 UNAVAILABLE, 400 INTERNAL (a malformed call), else UNKNOWN.
Status statusForHttp(int httpStatus);

// A grpc-timeout value ("1*8 digits" then H, M, S, m, u or n) in milliseconds, rounded up;
// nullopt when it is malformed.
std::optional<qint64> parseTimeout(QByteArrayView value);

// grpc-message's encoding: bytes outside printable ASCII, and '%', as %XX.
QByteArray percentEncodeMessage(QByteArrayView utf8);

// `reply` as a trailers-only gRPC answer: HTTP 200, application/grpc, grpc-status and
// grpc-message in the head (which ends the stream), the reply's own fields (WWW-Authenticate,
// Retry-After, RateLimit-*) kept.
http::ResponseHead trailersOnly(const filters::LocalReply &reply);
// The gateway's own answer to a request of this Content-Type when it is a gRPC call: native gRPC
// gets trailersOnly(); gRPC-Web (application/grpc-web[-text][+FMT]) the same trailers-only head
// with its own content type (grpc-status and grpc-message in the head, no body), which gRPC-Web
// clients read as the call's status. Nothing for any other request (a problem+json answer).
std::optional<http::ResponseHead> trailersOnlyFor(
    const filters::LocalReply &reply, QByteArrayView contentType);

} // namespace portico::gateway::grpc
