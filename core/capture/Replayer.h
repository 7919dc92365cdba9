#pragma once

#include "core/capture/Exchange.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace portico::grpc {
class Schema;
}

namespace portico::capture {

class CaptureStore;

struct ReplayOptions
{
    // Empty: send through the gateway listener that captured the exchange (Exchange::listener),
    // or else straight to the upstream target that answered it; never to the Host the client
    // sent, which is the client's choice (a client could otherwise point the next replay, and the
    // credentials it is given, anywhere). Otherwise the scheme, host and port of `target` are the
    // destination and its path is prepended; the parameters of its query replace the captured
    // ones of the same name (the way to supply a key the capture redacted in the query), the
    // others are added.
    QUrl target;
    // Header overrides, applied in order: a value replaces every field of that name, an empty
    // value (from "K:") removes the header.
    HeaderList headers;
    std::chrono::milliseconds timeout { 30'000 };
    // The X-Request-Id to send (empty: a fresh random one). The captured one is never reused:
    // it names the original request. Through a gateway that captures into the Replayer's store,
    // this id makes the gateway's row the replay's one row.
    QByteArray requestId;
    // Query parameter overrides (decoded name, value), whatever the destination: each replaces
    // the captured parameter of that name, like the target's query (which wins over these).
    QList<std::pair<QString, QString>> query;
    // Lines added to the new exchange's notes after "replay of exchange N" (e.g. which redacted
    // credential was restored from the workspace, never its value).
    QStringList notes;
    // A unary gRPC call sent with this request message instead of the captured one: proto3 JSON
    // of the method's input type, encoded with `grpcSchema` (GrpcReplay.h). Null: the captured
    // body. JSON that does not fit the type, a streaming call or no schema is an error (nothing
    // is sent).
    QByteArray grpcMessageJson;
    std::shared_ptr<const grpc::Schema> grpcSchema;
};

// Sends a captured request again with QNetworkAccessManager and records the result as a new
// exchange (noted "replay of exchange N"), to destination(): the gateway listener, the upstream
// target, or the target given. Headers and query parameters the capture redacted are not sent
// (their value is gone, and "[redacted]" would only be a wrong credential); a header override or
// the target's query can supply them, each one still left out gets a note, and each one supplied
// is recorded as "[redacted]" again. Through the listener the Host sent is the captured one (it
// chooses the route, as it did); elsewhere it is host[:port] of the URL, the port left out when
// it is the scheme's default (as clients send it); an override of Host wins. The new exchange's
// host and request headers record what was sent, the way captured rows record the client's Host.
// Where the capture has no User-Agent, Accept-Language, Accept-Encoding or Connection (which Qt
// would fill in with its own), the replay sends "Portico/<version> (replay)", "*", "identity"
// and "keep-alive" and records them; a captured Connection is kept only when it is "close" or
// "keep-alive". Every replay sends a new X-Request-Id (ReplayOptions::requestId).
// An exchange captured over HTTP/2 is replayed over HTTP/2 where the destination speaks it: ALPN
// h2 over TLS, prior knowledge in clear text after a probe (H2cProbe.h); HTTP/1.1 otherwise, and
// when the Host to send is not the address connected to (each with a note). The row says what
// was spoken.
// Native gRPC (application/grpc) is only ever sent over HTTP/2, with its "te: trailers": where
// HTTP/2 is not possible the replay fails instead of falling back. A unary call's message can be
// replaced by edited JSON (ReplayOptions::grpcMessageJson); the new row's grpc_status comes from
// the answer's trailers.
// Redirects are not followed.
//
// One row per replay: sent through the listener of a gateway that captures into the same store
// (setGatewayCapturesHere, the default), the gateway's row is the replay's (with its route and
// consumer), given the replay's notes via CaptureStore::expectReplay(); finished() carries its
// id. Otherwise (another process's gateway, an upstream, a target) the Replayer records the row
// itself, with the original's route and consumer when it went to that route's upstream.
class Replayer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Replayer)

public:
    // `store` may be null (nothing recorded). The Replayer creates its own network manager.
    explicit Replayer(CaptureStore *store, QObject *parent = nullptr);
    ~Replayer() override; // a replay still waiting for its gateway row is forgotten by the store

    // A captured value the replay leaves out because the capture redacted it and no option
    // supplies it (an override that removes the header counts as supplying: the user chose).
    struct Withheld
    {
        enum class Kind { Header, QueryParameter };
        Kind kind = Kind::Header;
        QString name; // as captured (query parameter names decoded)
        bool operator==(const Withheld &) const = default;
    };
    static QList<Withheld> withheld(const Exchange &original, const ReplayOptions &options);

    // Where a replay connects (scheme://host:port, no path), and why.
    struct Destination
    {
        enum class Kind { None, Listener, Upstream, Target };
        Kind kind = Kind::None;
        QUrl url;
        QString problem; // Kind::None: why there is nowhere to send it
    };
    static Destination destination(const Exchange &original, const ReplayOptions &options);

    // The request part of the new exchange: URL, method, headers and body to send. With no
    // destination, only `error` (and the note) is set.
    static Exchange prepare(const Exchange &original, const ReplayOptions &options);

    // False when the gateway that owns the listener writes to another store (the CLI replaying
    // into a file that a separate `portico serve` also writes): the Replayer records its row.
    void setGatewayCapturesHere(bool here) { m_gatewayCapturesHere = here; }

    // Starts one replay; finished() follows. One at a time per Replayer.
    void replay(const Exchange &original, const ReplayOptions &options);

Q_SIGNALS:
    // The new exchange: id set if it was recorded, error set if no response came.
    void finished(const portico::capture::Exchange &result);

private:
    // Redacted values the options supply: recorded as "[redacted]" in the new exchange.
    struct Supplied
    {
        QList<QByteArray> headers; // lower case
        QStringList queryParameters;
    };
    static Supplied supplied(const Exchange &original, const ReplayOptions &options);
    void send(bool http2); // m_current, over HTTP/2 when asked and possible
    void abandon(const QString &error); // before anything was sent: nothing recorded
    void onFinished(QNetworkReply *reply);
    void onReplayCaptured(const QByteArray &requestId, qint64 id);
    void finish(Exchange e, bool record);

    QPointer<CaptureStore> m_store;
    QNetworkAccessManager *m_nam;
    Exchange m_current;
    Supplied m_supplied;
    qint64 m_startNs = 0;
    qint64 m_firstByteUs = -1;
    std::chrono::milliseconds m_timeout { 30'000 };
    bool m_sentHttp2 = false;
    bool m_gatewayCapturesHere = true;
    QByteArray m_linkId; // the X-Request-Id the gateway's row is expected under
    qint64 m_linkedRow = -1; // the gateway's row for it, once announced (0: it was dropped)
    Exchange m_waiting; // answered, waiting for the gateway's row
    bool m_isWaiting = false;
    QTimer *m_linkTimer;
};

} // namespace portico::capture
