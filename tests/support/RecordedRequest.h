#pragma once

#include "support/HttpWire.h"

#include <QString>

namespace portico::test {

// A request as LoopbackUpstream received it, body already de-chunked.
struct RecordedRequest
{
    QByteArray method;
    QString path; // as sent, before '?', not percent-decoded
    QString query; // as sent, after '?', without it
    QByteArray version; // "HTTP/1.1"
    wire::Headers headers; // in arrival order, names as sent
    QByteArray body;
    wire::Headers trailers; // after a chunked body

    // Case-insensitive; repeated headers joined by ", ". Empty if absent.
    QByteArray header(QByteArrayView name) const { return wire::headerValue(headers, name); }
    bool hasHeader(QByteArrayView name) const { return wire::hasHeader(headers, name); }
};

} // namespace portico::test
