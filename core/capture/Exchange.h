#pragma once

// One captured request/response exchange as a plain value type. The gateway fills one per
// request on its worker thread and hands it to CaptureStore::submit(); readers get it back from
// CaptureReader::get(). Cheap to move: every member is implicitly shared or trivial.

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QUrl>

#include <utility>

namespace portico::capture {

// Header fields in wire order, names as received (case kept), duplicates allowed.
using Header = std::pair<QByteArray, QByteArray>;
using HeaderList = QList<Header>;

// Points in time of one exchange, in microseconds after startedAt (the first request byte).
// -1 = unknown or did not happen (no upstream for a mock, connect failed, ...).
struct Timings
{
    qint64 receivedUs = -1; // request fully received from the client
    qint64 upstreamConnectUs = -1; // connection to the upstream target ready
    qint64 firstUpstreamByteUs = -1; // first response byte from the upstream
    qint64 lastByteUs = -1; // last response byte sent to the client (= total duration)
    bool operator==(const Timings &) const = default;
};

struct Exchange
{
    qint64 id = 0; // assigned by CaptureStore::submit() unless reserved with reserveId()
    QDateTime startedAt; // UTC, millisecond precision
    QString clientAddress;

    QString method;
    QString url; // full: scheme://host[:port]/path?query
    QString scheme;
    QString host;
    QString path;
    QString query; // without '?'
    int status = 0; // 0 = no response (connection failed, client went away)

    QString route;
    QString consumer;
    QString upstream; // upstream name from the workspace
    QString upstreamTarget; // the target URL actually used
    // The gateway listener the request came in on, as host:port ("127.0.0.1:8080", "[::1]:8443"):
    // the local end of the client's connection. Replays go there by default, never to the Host
    // the client sent. Empty when the gateway did not receive the request from a client
    // (aggregate parts, HAR imports, replays sent to a target).
    QString listener;
    // The HTTP version the client spoke to the gateway, "HTTP/1.1" or "HTTP/2" (for aggregate
    // parts: the one the gateway spoke to the upstream). Empty when not known (rows captured
    // before schema version 5, HAR entries without httpVersion).
    QString protocol;
    QString apiVersion;
    // For gRPC calls (request content-type application/grpc*): the service and method of the
    // :path, and the grpc-status of the trailers or trailers-only head (-1 when none arrived).
    // Empty and -1 for everything else (capture/GrpcCall.h).
    QString grpcService;
    QString grpcMethod;
    int grpcStatus = -1;
    // Handled by the forward proxy (proxy.listen): an app's own outgoing call, not a request to
    // one of the gateway's routes. url then names the origin server the app called.
    bool proxied = false;

    QString traceId;
    QString spanId;
    QString parentSpanId;
    qint64 parentId = 0; // for aggregate sub-requests: the id of the client-facing exchange
    int retries = 0;
    QString error; // empty = none

    HeaderList requestHeaders;
    HeaderList responseHeaders;
    // Bodies as captured: at most the configured cap. *Size is the original length on the wire
    // (after de-chunking), *Truncated says the stored copy is shorter than that.
    QByteArray requestBody;
    QByteArray responseBody;
    qint64 requestBodySize = 0;
    qint64 responseBodySize = 0;
    bool requestTruncated = false;
    bool responseTruncated = false;
    bool bodiesDropped = false; // the store dropped the bodies under overload

    qint64 requestBytes = 0; // bytes read from the client (head + body)
    qint64 responseBytes = 0; // bytes written to the client (head + body)

    Timings timings;
    QString notes; // free text, one note per line (e.g. why a JSON transform did not apply)

    qint64 durationUs() const { return timings.lastByteUs; }
    // Adds a note on its own line.
    void addNote(const QString &note)
    {
        if (!notes.isEmpty())
            notes += u'\n';
        notes += note;
    }
    bool operator==(const Exchange &) const = default;
};

// The compact row the traffic table and `traffic list` show; heads and bodies stay in the DB.
struct ExchangeSummary
{
    qint64 id = 0;
    qint64 startedAtMs = 0; // ms since the epoch, UTC
    QString method;
    QString url;
    QString host;
    QString path;
    int status = 0;
    qint64 durationUs = -1;
    QString route;
    QString consumer;
    QString upstream;
    QString traceId;
    qint64 parentId = 0;
    qint64 requestBytes = 0;
    qint64 responseBytes = 0;
    QString error;
    QString apiVersion; // the version the exchange was routed to, empty when unversioned
    bool sample = false; // sent by the GUI's Send Sample Traffic (notes start with kSampleNote)
    QString protocol; // "HTTP/1.1", "HTTP/2" or empty (see Exchange::protocol)
    QString grpcService; // see Exchange::grpcService
    QString grpcMethod;
    int grpcStatus = -1;
    bool proxied = false; // see Exchange::proxied
    bool operator==(const ExchangeSummary &) const = default;
};

// The first line of the notes of an exchange that the GUI's Send Sample Traffic sent (see
// CaptureStore::markSamples); the filter term sample:true finds them.
inline constexpr char kSampleNote[] = "sample traffic";

// The case-insensitive first value of a header, or a null QByteArray.
inline QByteArray headerValue(const HeaderList &headers, QByteArrayView name)
{
    for (const auto &h : headers) {
        if (name.compare(h.first, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

ExchangeSummary summarize(const Exchange &e);

// What Exchange::protocol holds for an HTTP version as other tools write it ("HTTP/2.0", "h2",
// "http/1.1", "HTTP/1.0", ...): "HTTP/2", "HTTP/1.1" (any HTTP/1.x), or empty for anything else.
QString protocolName(QStringView httpVersion);

// Host as an HTTP client sends it for `url`: IPv6 literals in brackets, the port only when it
// is not the scheme's default (what curl and browsers send, so what captured rows hold).
QByteArray hostHeader(const QUrl &url);

} // namespace portico::capture

Q_DECLARE_METATYPE(portico::capture::Exchange)
Q_DECLARE_METATYPE(portico::capture::ExchangeSummary)
