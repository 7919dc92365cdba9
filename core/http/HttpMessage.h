#pragma once

#include "core/http/HttpHeaders.h"

#include <QByteArray>

namespace portico::http {

// A request head as the proxy sees it. `target` is the request-target as received; `path` and
// `query` are its parts (path percent-encoded as received, query without the '?'). Filters may
// change method, path, query and headers; the proxy rebuilds the upstream request from them.
struct RequestHead
{
    QByteArray method;
    QByteArray target;
    QByteArray path;
    QByteArray query;
    int httpMinor = 1; // HTTP/1.x
    HttpHeaders headers;

    QByteArray pathAndQuery() const { return query.isEmpty() ? path : path + '?' + query; }
};

struct ResponseHead
{
    int status = 200;
    QByteArray reason;
    int httpMinor = 1;
    HttpHeaders headers;
    // Nothing follows the head: no body, no trailers (an HTTP/2 HEADERS frame with END_STREAM,
    // as in gRPC's trailers-only answers), so it can be passed on as a message of its own.
    bool endsMessage = false;
};

// Standard reason phrase for a status code ("Not Found"), or "Unknown".
QByteArray reasonPhrase(int status);

} // namespace portico::http
