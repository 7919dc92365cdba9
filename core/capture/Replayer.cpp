#include "core/capture/Replayer.h"

#include "core/capture/CaptureStore.h"
#include "core/capture/GrpcCall.h"
#include "core/capture/GrpcReplay.h"
#include "core/capture/H2cProbe.h"
#include "core/capture/RedactionPolicy.h"
#include "core/capture/ReplayQuery.h"
#include "core/common/Version.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>

namespace portico::capture {

using namespace replay_detail;

namespace {

// Framing and hop-by-hop fields are the transport's business, not part of what is replayed.
bool transportHeader(const QByteArray &name)
{
    static const char *const names[] = { "host", "content-length", "connection", "transfer-encoding",
        "keep-alive", "te", "upgrade", "proxy-connection" };
    for (const char *n : names) {
        if (name.compare(n, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

constexpr QByteArrayView kRedacted = RedactionPolicy::kMarker;

bool namedIn(const HeaderList &headers, const QByteArray &name)
{
    return std::any_of(headers.cbegin(), headers.cend(),
        [&name](const Header &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
}

// A captured Connection names hop-by-hop fields of the original hop; only its two plain values
// mean the same on a new connection.
bool keptConnection(const Header &h)
{
    if (h.first.compare("te", Qt::CaseInsensitive) == 0) // the one TE HTTP/2 allows; gRPC needs it
        return h.second.trimmed().compare("trailers", Qt::CaseInsensitive) == 0;
    return h.first.compare("connection", Qt::CaseInsensitive) == 0
        && (h.second.compare("close", Qt::CaseInsensitive) == 0
            || h.second.compare("keep-alive", Qt::CaseInsensitive) == 0);
}

QByteArray freshRequestId()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex();
}

// How long the gateway's row of an answered replay may take to be queued: it is submitted once
// the response is out, which can be just after the client read it.
constexpr int kLinkWaitMs = 1000;

qint64 nowNs()
{
    static QElapsedTimer clock = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return clock.nsecsElapsed();
}

} // namespace

QByteArray hostHeader(const QUrl &url)
{
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    const int defaultPort = url.scheme().compare(u"https", Qt::CaseInsensitive) == 0 ? 443 : 80;
    if (url.port() != -1 && url.port() != defaultPort)
        host += ':' + QByteArray::number(url.port());
    return host;
}

Replayer::Replayer(CaptureStore *store, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_nam(new QNetworkAccessManager(this))
{
    m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    connect(m_nam, &QNetworkAccessManager::finished, this, &Replayer::onFinished);
    m_linkTimer = new QTimer(this);
    m_linkTimer->setSingleShot(true);
    m_linkTimer->setInterval(kLinkWaitMs);
    connect(m_linkTimer, &QTimer::timeout, this, [this] {
        // The gateway did not capture it (capture off, queue full): the Replayer records it.
        if (m_isWaiting)
            onReplayCaptured(m_linkId, 0);
    });
    if (store)
        connect(store, &CaptureStore::replayCaptured, this, &Replayer::onReplayCaptured);
}

Replayer::~Replayer()
{
    if (m_store && !m_linkId.isEmpty())
        m_store->forgetReplay(m_linkId);
}

QList<Replayer::Withheld> Replayer::withheld(const Exchange &original, const ReplayOptions &options)
{
    QList<Withheld> out;
    for (const auto &h : original.requestHeaders) {
        if (h.second != kRedacted || transportHeader(h.first) || namedIn(options.headers, h.first))
            continue;
        const QString name = QString::fromLatin1(h.first);
        const bool seen = std::any_of(out.cbegin(), out.cend(), [&name](const Withheld &w) {
            return w.kind == Withheld::Kind::Header && w.name.compare(name, Qt::CaseInsensitive) == 0;
        });
        if (!seen)
            out.append({ Withheld::Kind::Header, name });
    }
    for (const QueryPart &p : mergedQuery(capturedTarget(original).query, options)) {
        const Withheld w { Withheld::Kind::QueryParameter, p.name };
        if (p.redacted && !out.contains(w))
            out.append(w);
    }
    return out;
}

Replayer::Destination Replayer::destination(const Exchange &original, const ReplayOptions &options)
{
    auto origin = [](const QUrl &u) {
        QUrl o;
        o.setScheme(u.scheme().toLower());
        o.setHost(u.host());
        o.setPort(u.port());
        return o;
    };
    auto web = [](const QUrl &u) {
        return u.isValid() && !u.host().isEmpty() && (u.scheme() == u"http" || u.scheme() == u"https");
    };
    Destination d;
    if (!options.target.isEmpty()) {
        d.kind = Destination::Kind::Target;
        d.url = origin(options.target);
        return d;
    }
    if (original.proxied) {
        // An app's own call (forward proxy): again to the server it named, not to the proxy.
        const QUrl url(original.url, QUrl::StrictMode);
        if (web(url)) {
            d.kind = Destination::Kind::Upstream;
            d.url = origin(url);
            return d;
        }
    }
    if (!original.listener.isEmpty()) {
        const QString scheme = original.scheme.compare(u"https", Qt::CaseInsensitive) == 0
            ? QStringLiteral("https")
            : QStringLiteral("http");
        const QUrl listener(scheme + QStringLiteral("://") + original.listener, QUrl::StrictMode);
        if (web(listener)) {
            d.kind = Destination::Kind::Listener;
            d.url = origin(listener);
            return d;
        }
    }
    const QUrl upstream(original.upstreamTarget, QUrl::StrictMode);
    if (!original.upstreamTarget.isEmpty() && web(upstream)) {
        d.kind = Destination::Kind::Upstream;
        d.url = origin(upstream);
        return d;
    }
    d.problem = QStringLiteral("exchange %1 records neither the gateway listener it came in on nor the "
                               "upstream that answered it (it was imported, or captured by an older "
                               "Portico): replay it with a target")
                    .arg(original.id);
    return d;
}

Exchange Replayer::prepare(const Exchange &original, const ReplayOptions &options)
{
    Exchange e;
    e.method = original.method;
    e.proxied = original.proxied && options.target.isEmpty();
    const Destination where = destination(original, options);
    if (where.kind == Destination::Kind::None) {
        e.error = where.problem;
        e.url = original.url;
        e.addNote(QStringLiteral("replay of exchange %1").arg(original.id));
        return e;
    }
    const CapturedTarget captured = capturedTarget(original);
    QUrl url = where.url;
    QString base;
    if (where.kind == Destination::Kind::Target) {
        base = options.target.path(QUrl::FullyEncoded);
        if (base.endsWith(u'/'))
            base.chop(1);
    }
    url.setPath(base + (captured.path.isEmpty() ? QStringLiteral("/") : captured.path), QUrl::TolerantMode);
    switch (where.kind) {
    case Destination::Kind::Listener:
        e.listener = original.listener; // the gateway's row will say route and consumer
        break;
    case Destination::Kind::Upstream:
        // Straight to that route's upstream, as that consumer: filters by either find it.
        e.upstreamTarget = original.upstreamTarget;
        e.route = original.route;
        e.consumer = original.consumer;
        e.upstream = original.upstream;
        break;
    default:
        e.upstreamTarget = where.url.toString();
        e.consumer = original.consumer;
        break;
    }
    QByteArrayList sent;
    for (const QueryPart &p : mergedQuery(captured.query, options)) {
        if (!p.redacted)
            sent.append(p.text);
    }
    if (sent.isEmpty())
        url.setQuery(QString());
    else
        url.setQuery(QString::fromUtf8(sent.join('&')), QUrl::TolerantMode);
    e.url = url.toString(QUrl::FullyEncoded);
    e.scheme = url.scheme();
    e.path = url.path(QUrl::FullyEncoded);
    e.query = url.query(QUrl::FullyEncoded);
    e.apiVersion = original.apiVersion;
    e.protocol = original.protocol; // tried first (replay()); the row says what was spoken
    e.addNote(QStringLiteral("replay of exchange %1").arg(original.id));
    for (const QString &note : options.notes)
        e.addNote(note);
    for (const Withheld &w : withheld(original, options)) {
        e.addNote(QStringLiteral("%1 %2 was redacted in the capture and not sent")
                      .arg(w.kind == Withheld::Kind::Header ? QStringLiteral("header")
                                                            : QStringLiteral("query parameter"),
                          w.name));
    }
    for (const auto &h : original.requestHeaders) {
        // A new request id (the captured one names the original); no sample tag (a replay is
        // the user's own request, not sample traffic).
        if ((!transportHeader(h.first) || keptConnection(h)) && h.second != kRedacted
            && h.first.compare("x-request-id", Qt::CaseInsensitive) != 0
            && h.first.compare("x-portico-sample", Qt::CaseInsensitive) != 0)
            e.requestHeaders.append(h);
    }
    e.requestHeaders.append({ QByteArrayLiteral("X-Request-Id"),
        options.requestId.isEmpty() ? freshRequestId() : options.requestId });
    for (const auto &o : options.headers) {
        e.requestHeaders.removeIf(
            [&o](const Header &h) { return h.first.compare(o.first, Qt::CaseInsensitive) == 0; });
        if (!o.second.isEmpty())
            e.requestHeaders.append(o);
    }
    if (!namedIn(e.requestHeaders, "host")) {
        // Through the gateway, the Host the client sent still chooses the route (a host-matched
        // route answers as it did); it only names a route, the connection goes to the listener.
        // Elsewhere the Host names the destination.
        const QByteArray capturedHost = headerValue(original.requestHeaders, "host");
        e.requestHeaders.prepend({ QByteArrayLiteral("Host"),
            where.kind == Destination::Kind::Listener && !capturedHost.isEmpty() ? capturedHost
                                                                                 : hostHeader(url) });
    }
    // Qt's HTTP client adds User-Agent (Mozilla/5.0), Accept-Language (the system's),
    // Accept-Encoding (gzip, so the upstream may compress where the original was not) and
    // Connection (Keep-Alive) to a request without them, and cannot be told not to. Where the
    // capture has none, the replay sends what comes closest to no field, and records it, so the
    // stored replay shows what went out: any language ("*" means what no field means), the body
    // uncompressed ("identity", what servers send when the field is missing), a persistent
    // connection (HTTP/1.1's default) and an honest User-Agent.
    const std::pair<QByteArray, QByteArray> neutral[] = {
        { QByteArrayLiteral("User-Agent"), QByteArray("Portico/") + kVersion + " (replay)" },
        { QByteArrayLiteral("Accept-Language"), QByteArrayLiteral("*") },
        { QByteArrayLiteral("Accept-Encoding"), QByteArrayLiteral("identity") },
        { QByteArrayLiteral("Connection"), QByteArrayLiteral("keep-alive") },
    };
    for (const auto &[name, value] : neutral) {
        if (!namedIn(e.requestHeaders, name))
            e.requestHeaders.append({ name, value });
    }
    for (const auto &h : std::as_const(e.requestHeaders)) {
        if (h.first.compare("host", Qt::CaseInsensitive) == 0)
            e.host = QString::fromUtf8(h.second);
    }
    e.grpcService = original.grpcService;
    e.grpcMethod = original.grpcMethod;
    if (!options.grpcMessageJson.isNull()) {
        const GrpcReplayBody edited
            = grpcReplayBody(original, options.grpcMessageJson, options.grpcSchema.get());
        if (!edited.error.isEmpty()) {
            e.error = QStringLiteral("the edited gRPC message was not sent: %1").arg(edited.error);
            return e;
        }
        e.requestBody = edited.body;
        e.requestBodySize = edited.body.size();
        e.addNote(QStringLiteral("request message edited as JSON and encoded as %1").arg(edited.type));
        return e;
    }
    e.requestBody = original.requestBody;
    e.requestBodySize = original.requestBody.size();
    if (original.requestTruncated)
        e.addNote(QStringLiteral("request body was truncated in the capture: sent %1 of %2 bytes")
                      .arg(original.requestBody.size())
                      .arg(original.requestBodySize));
    return e;
}

void Replayer::replay(const Exchange &original, const ReplayOptions &options)
{
    m_current = prepare(original, options);
    m_current.startedAt = QDateTime::currentDateTimeUtc();
    m_firstByteUs = -1;
    if (!m_current.error.isEmpty()) {
        // Nothing to send to, nothing sent, nothing recorded.
        QMetaObject::invokeMethod(
            this, [this, e = m_current] { Q_EMIT finished(e); }, Qt::QueuedConnection);
        return;
    }
    // A value the capture had redacted and the user supplied (a real key, a token) is sent, but
    // the new exchange records it as redacted too.
    m_supplied = supplied(original, options);
    m_linkTimer->stop();
    m_isWaiting = false;
    m_linkedRow = -1;
    m_linkId.clear();
    if (m_store && m_gatewayCapturesHere && !m_current.listener.isEmpty()) {
        m_linkId = headerValue(m_current.requestHeaders, "x-request-id");
        m_store->expectReplay(m_linkId, m_current.notes);
    }
    m_timeout = options.timeout;
    const QUrl url(m_current.url);
    const bool grpc = isNativeGrpc(m_current.requestHeaders);
    bool http2 = m_current.protocol == u"HTTP/2" || grpc;
    const QByteArray host = headerValue(m_current.requestHeaders, "host");
    const QByteArray authority = url.authority(QUrl::FullyEncoded | QUrl::RemoveUserInfo).toLatin1();
    if (http2 && host.compare(authority, Qt::CaseInsensitive) != 0
        && host.compare(hostHeader(url), Qt::CaseInsensitive) != 0) {
        // Qt's HTTP/2 client sends the URL's authority as :authority and no Host field, so a
        // Host other than the address connected to (through the listener, the client's Host
        // still chooses the route) can only go over HTTP/1.1.
        if (grpc) {
            abandon(QStringLiteral("a gRPC call needs HTTP/2, and HTTP/2 would name the address connected "
                                   "to, not Host %1: replay it with a target")
                        .arg(QString::fromLatin1(host)));
            return;
        }
        http2 = false;
        m_current.addNote(QStringLiteral("sent over HTTP/1.1, not HTTP/2 as captured: HTTP/2 would name the "
                                         "address connected to, not Host %1")
                              .arg(QString::fromLatin1(host)));
    }
    if (!http2 || m_current.scheme == u"https") {
        send(http2); // over TLS, ALPN offers h2 and the target chooses
        return;
    }
    const auto probeTimeout = std::min(m_timeout, std::chrono::milliseconds(5000));
    probeH2c(this, url.host(), quint16(url.port(80)), probeTimeout, [this, grpc](bool speaksH2c) {
        if (!speaksH2c && grpc) {
            abandon(QStringLiteral("a gRPC call needs HTTP/2, and the target does not take HTTP/2 without "
                                   "TLS (prior knowledge)"));
            return;
        }
        if (!speaksH2c)
            m_current.addNote(
                QStringLiteral("sent over HTTP/1.1, not HTTP/2 as captured: the target does not "
                               "take HTTP/2 without TLS (prior knowledge)"));
        send(speaksH2c);
    });
}

void Replayer::abandon(const QString &error)
{
    if (m_store && !m_linkId.isEmpty())
        m_store->forgetReplay(m_linkId);
    m_linkId.clear();
    m_supplied = {};
    Exchange e = std::move(m_current);
    m_current = {};
    e.error = error;
    QMetaObject::invokeMethod(
        this, [this, e] { Q_EMIT finished(e); }, Qt::QueuedConnection);
}

void Replayer::send(bool http2)
{
    QNetworkRequest request { QUrl(m_current.url) };
    const bool tls = m_current.scheme == u"https";
    if (!m_current.listener.isEmpty() && tls) {
        // Through the gateway's TLS listener: its certificate names the host the client asked
        // for, not the listener's address.
        QByteArray host = headerValue(m_current.requestHeaders, "host");
        if (host.startsWith('['))
            host = host.mid(1, host.indexOf(']') - 1);
        else if (const qsizetype colon = host.lastIndexOf(':'); colon >= 0)
            host.truncate(colon);
        if (!host.isEmpty())
            request.setPeerVerifyName(QString::fromLatin1(host));
    }
    if (m_store && !m_linkId.isEmpty())
        m_store->expectReplay(m_linkId, m_current.notes); // with the notes added since replay()
    // HTTP/2 over TLS is offered by ALPN; in clear text it is prior knowledge (probed first).
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, http2);
    request.setAttribute(QNetworkRequest::Http2DirectAttribute, http2 && !tls);
    m_sentHttp2 = http2;
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setTransferTimeout(int(m_timeout.count()));
    qint64 headBytes = m_current.method.size() + m_current.url.size() + 12;
    for (const auto &h : m_current.requestHeaders) {
        // setRawHeader replaces; repeated fields are joined the way HTTP allows.
        const QByteArray existing = request.rawHeader(h.first);
        request.setRawHeader(h.first, existing.isEmpty() ? h.second : existing + ", " + h.second);
        headBytes += h.first.size() + h.second.size() + 4;
    }
    m_current.requestBytes = headBytes + m_current.requestBody.size();
    m_firstByteUs = -1;
    m_startNs = nowNs();
    QNetworkReply *reply
        = m_nam->sendCustomRequest(request, m_current.method.toLatin1(), m_current.requestBody);
    connect(reply, &QNetworkReply::metaDataChanged, this, [this] {
        if (m_firstByteUs < 0)
            m_firstByteUs = (nowNs() - m_startNs) / 1000;
    });
}

Replayer::Supplied Replayer::supplied(const Exchange &original, const ReplayOptions &options)
{
    Supplied s;
    for (const auto &h : options.headers) {
        if (h.second.isEmpty())
            continue;
        for (const auto &c : original.requestHeaders) {
            if (c.first.compare(h.first, Qt::CaseInsensitive) == 0 && c.second == kRedacted) {
                s.headers.append(h.first.toLower());
                break;
            }
        }
    }
    const QList<QueryPart> captured = queryParts(capturedTarget(original).query);
    for (const QueryPart &o : overrideParts(options)) {
        const bool wasRedacted = std::any_of(captured.cbegin(), captured.cend(),
            [&o](const QueryPart &c) { return c.redacted && c.name == o.name; });
        if (wasRedacted && !s.queryParameters.contains(o.name))
            s.queryParameters.append(o.name);
    }
    return s;
}

void Replayer::onFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    Exchange e = std::move(m_current);
    e.protocol = status.isValid() && reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool()
        ? QStringLiteral("HTTP/2")
        : QStringLiteral("HTTP/1.1");
    if (!status.isValid() && m_sentHttp2)
        e.protocol = QStringLiteral("HTTP/2");
    for (auto &h : e.requestHeaders) {
        if (m_supplied.headers.contains(h.first.toLower()))
            h.second = kRedacted.toByteArray();
    }
    if (!m_supplied.queryParameters.isEmpty()) {
        QByteArrayList parts;
        for (const QueryPart &p : queryParts(e.query))
            parts.append(m_supplied.queryParameters.contains(p.name) && p.text.contains('=')
                    ? p.text.left(p.text.indexOf('=') + 1) + kRedacted.toByteArray()
                    : p.text);
        const QString query = QString::fromUtf8(parts.join('&'));
        const qsizetype mark = e.url.indexOf(u'?');
        if (mark >= 0)
            e.url = e.url.left(mark + 1) + query;
        e.query = query;
    }
    m_supplied = {};
    const qint64 elapsedUs = (nowNs() - m_startNs) / 1000;
    e.timings.receivedUs = 0;
    e.timings.firstUpstreamByteUs = m_firstByteUs >= 0 ? m_firstByteUs : elapsedUs;
    e.timings.lastByteUs = elapsedUs;
    if (status.isValid()) {
        e.status = status.toInt();
        for (const auto &h : reply->rawHeaderPairs())
            e.responseHeaders.append(h);
        e.responseBody = reply->readAll();
        if (!e.grpcService.isEmpty()) // trailers come with the head fields (Qt joins them)
            e.grpcStatus = parseGrpcStatus(headerValue(e.responseHeaders, "grpc-status"));
        e.responseBodySize = e.responseBody.size();
        qint64 headBytes = 17;
        for (const auto &h : e.responseHeaders)
            headBytes += h.first.size() + h.second.size() + 4;
        e.responseBytes = headBytes + e.responseBody.size();
    } else {
        e.error = reply->errorString();
    }
    if (m_linkId.isEmpty() || !status.isValid()) {
        // No gateway row to wait for (or no answer, so perhaps none will come).
        if (!m_linkId.isEmpty() && m_store)
            m_store->forgetReplay(m_linkId);
        m_linkId.clear();
        finish(std::move(e), true);
        return;
    }
    if (m_linkedRow >= 0) {
        // Announced before the reply arrived: the gateway's row, or nothing (dropped).
        const bool linked = m_linkedRow > 0;
        if (linked)
            e.id = m_linkedRow;
        m_linkId.clear();
        finish(std::move(e), !linked);
        return;
    }
    m_waiting = std::move(e);
    m_isWaiting = true;
    m_linkTimer->start();
}

void Replayer::onReplayCaptured(const QByteArray &requestId, qint64 id)
{
    if (m_linkId.isEmpty() || requestId != m_linkId)
        return;
    m_linkedRow = id;
    if (!m_isWaiting)
        return; // the reply is still on its way
    m_isWaiting = false;
    m_linkTimer->stop();
    if (m_store)
        m_store->forgetReplay(m_linkId);
    m_linkId.clear();
    Exchange e = std::move(m_waiting);
    m_waiting = {};
    if (id > 0) {
        e.id = id;
        finish(std::move(e), false);
    } else {
        finish(std::move(e), true);
    }
}

void Replayer::finish(Exchange e, bool record)
{
    if (record && m_store)
        e.id = m_store->submit(Exchange(e));
    Q_EMIT finished(e);
}

} // namespace portico::capture
