#pragma once

// Which gRPC call a captured exchange is: service and method from the request's :path when the
// request's content-type is application/grpc (or grpc+proto, grpc-web, ...), and the grpc-status
// from the response trailers (recorded by the gateway) or, for a trailers-only answer, from the
// response head. Computed from what the capture holds, so HAR imports and replays get it too.

#include <QByteArrayView>
#include <QString>

namespace portico::capture {

struct GrpcCall
{
    QByteArrayView service; // "demo.users.v1.Users"; empty: not a gRPC call
    QByteArrayView method; // "GetUser"
    int status = -1; // -1: no grpc-status seen
};

// `requestHead`/`responseHead` in the capture's head-block form ("\nName: value\n...");
// `trailerStatus` the grpc-status from the trailers, or -1.
GrpcCall grpcCallOf(
    QByteArrayView path, QByteArrayView requestHead, QByteArrayView responseHead, int trailerStatus);

// "0".."99" as a status; -1 for anything else (empty, signs, junk, overlong).
int parseGrpcStatus(QByteArrayView value);

} // namespace portico::capture
