#pragma once

#include "core/http/HttpHeaders.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace portico::gateway {

// What became of one sub-request of an `aggregate` route, as the engine hands it over.
struct AggregatePartResult
{
    enum class Outcome {
        Response, // the upstream answered (any status); status/headers/body are set
        Timeout, // no complete answer within the route's timeout            -> 504 in the part
        Unavailable, // no healthy target to send it to                          -> 503 in the part
        Failed, // refused, reset, TLS or protocol error before an answer    -> 502 in the part
    };
    QString key; // the part's key in the merged object
    QString upstream; // for messages
    Outcome outcome = Outcome::Response;
    int status = 0;
    http::HttpHeaders headers;
    QByteArray body; // as received: Content-Encoding gzip/deflate is decoded by the merger
    QString error; // why there is no answer (Timeout/Unavailable/Failed), e.g. "connection refused"
};

struct AggregateResponse
{
    int status = 200;
    http::HttpHeaders headers; // Content-Type: application/json
    QByteArray body; // the merged object
    int failedParts = 0;
    QStringList notes; // one line per failed part, for the capture
};

// Merges the answers of an aggregate route's sub-requests into one JSON object, keys in config
// order: {"user": {...}, "orders": {"error": {"status": 502, "title": "Bad Gateway", "detail": ...}}}.
// Independent of sockets: the engine fans out, collects the parts, and calls merge().
//
// A part succeeds when its upstream answered 2xx with a JSON body (any JSON value; an empty body
// becomes null). Its JSON is embedded byte for byte (validated, not re-serialised, so numbers keep
// their precision and keys their order). A part fails when it has no answer (504/503/502 as listed
// above), a non-2xx answer (the upstream's status, and its JSON body under "body" when it has one),
// a body that is not JSON or cannot be decoded (502). The merged answer is 200 unless every part
// failed, then 502; it is always application/json. A key that repeats an earlier one is ignored.
class AggregateMerger
{
public:
    // `maxPartBytes` caps each part's decoded body (negative = no cap); over it the part fails.
    explicit AggregateMerger(qint64 maxPartBytes = -1);

    AggregateResponse merge(const QList<AggregatePartResult> &parts) const;

private:
    qint64 m_maxPartBytes;
};

} // namespace portico::gateway
