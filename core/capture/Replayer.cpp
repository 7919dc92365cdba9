#include "core/capture/Replayer.h"

#include "core/capture/CaptureStore.h"
#include "core/common/Version.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>

namespace portico::capture {

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

constexpr QByteArrayView kRedacted = "[redacted]";

// One name=value part of a query, its text kept as captured (re-encoding could change it).
struct QueryPart
{
    QByteArray text;
    QString name; // decoded ('+' is a space in form-style queries)
    bool redacted = false;
};

QString decodeQueryPiece(QByteArray piece)
{
    piece.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(piece));
}

QList<QueryPart> queryParts(const QString &encodedQuery)
{
    QList<QueryPart> parts;
    if (encodedQuery.isEmpty())
        return parts;
    for (const QByteArray &text : encodedQuery.toUtf8().split('&')) {
        if (text.isEmpty())
            continue;
        const qsizetype eq = text.indexOf('=');
        QueryPart p;
        p.text = text;
        p.name = decodeQueryPiece(eq < 0 ? text : text.left(eq));
        p.redacted = eq >= 0 && decodeQueryPiece(text.mid(eq + 1)) == QLatin1StringView(kRedacted);
        parts.append(p);
    }
    return parts;
}

// The captured parameters without those the target's query names, then the target's.
QList<QueryPart> mergedQuery(const QUrl &original, const QUrl &target)
{
    const QList<QueryPart> overrides = queryParts(target.query(QUrl::FullyEncoded));
    QList<QueryPart> parts = queryParts(original.query(QUrl::FullyEncoded));
    parts.removeIf([&overrides](const QueryPart &p) {
        return std::any_of(
            overrides.cbegin(), overrides.cend(), [&p](const QueryPart &o) { return o.name == p.name; });
    });
    for (QueryPart o : overrides) {
        o.redacted = false; // whatever the user typed is what they mean to send
        parts.append(o);
    }
    return parts;
}

bool namedIn(const HeaderList &headers, const QByteArray &name)
{
    return std::any_of(headers.cbegin(), headers.cend(),
        [&name](const Header &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
}

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
    for (const QueryPart &p : mergedQuery(QUrl(original.url), options.target)) {
        const Withheld w { Withheld::Kind::QueryParameter, p.name };
        if (p.redacted && !out.contains(w))
            out.append(w);
    }
    return out;
}

Exchange Replayer::prepare(const Exchange &original, const ReplayOptions &options)
{
    Exchange e;
    e.method = original.method;
    QUrl url(original.url);
    if (!options.target.isEmpty()) {
        url.setScheme(options.target.scheme());
        url.setHost(options.target.host());
        url.setPort(options.target.port());
        QString base = options.target.path(QUrl::FullyEncoded);
        if (base.endsWith(u'/'))
            base.chop(1);
        url.setPath(base + url.path(QUrl::FullyEncoded), QUrl::TolerantMode);
    }
    QByteArrayList sent;
    for (const QueryPart &p : mergedQuery(QUrl(original.url), options.target)) {
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
    e.addNote(QStringLiteral("replay of exchange %1").arg(original.id));
    for (const Withheld &w : withheld(original, options)) {
        e.addNote(QStringLiteral("%1 %2 was redacted in the capture and not sent")
                      .arg(w.kind == Withheld::Kind::Header ? QStringLiteral("header")
                                                            : QStringLiteral("query parameter"),
                          w.name));
    }
    for (const auto &h : original.requestHeaders) {
        if (!transportHeader(h.first) && h.second != kRedacted)
            e.requestHeaders.append(h);
    }
    for (const auto &o : options.headers) {
        e.requestHeaders.removeIf(
            [&o](const Header &h) { return h.first.compare(o.first, Qt::CaseInsensitive) == 0; });
        if (!o.second.isEmpty())
            e.requestHeaders.append(o);
    }
    if (!namedIn(e.requestHeaders, "host"))
        e.requestHeaders.prepend({ QByteArrayLiteral("Host"), hostHeader(url) });
    // Qt's HTTP client adds User-Agent (Mozilla/5.0), Accept-Language (the system's) and
    // Accept-Encoding (gzip, so the upstream may compress where the original was not) to a
    // request without them, and cannot be told not to. Where the capture has none, the replay
    // sends what comes closest to no field, and records it, so the stored replay shows what went
    // out: any language ("*" means what no field means), the body uncompressed ("identity", what
    // servers send when the field is missing), and an honest User-Agent.
    const std::pair<QByteArray, QByteArray> neutral[] = {
        { QByteArrayLiteral("User-Agent"), QByteArray("Portico/") + kVersion + " (replay)" },
        { QByteArrayLiteral("Accept-Language"), QByteArrayLiteral("*") },
        { QByteArrayLiteral("Accept-Encoding"), QByteArrayLiteral("identity") },
    };
    for (const auto &[name, value] : neutral) {
        if (!namedIn(e.requestHeaders, name))
            e.requestHeaders.append({ name, value });
    }
    for (const auto &h : std::as_const(e.requestHeaders)) {
        if (h.first.compare("host", Qt::CaseInsensitive) == 0)
            e.host = QString::fromUtf8(h.second);
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
    QNetworkRequest request { QUrl(m_current.url) };
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setTransferTimeout(int(options.timeout.count()));
    qint64 headBytes = m_current.method.size() + m_current.url.size() + 12;
    for (const auto &h : m_current.requestHeaders) {
        // setRawHeader replaces; repeated fields are joined the way HTTP allows.
        const QByteArray existing = request.rawHeader(h.first);
        request.setRawHeader(h.first, existing.isEmpty() ? h.second : existing + ", " + h.second);
        headBytes += h.first.size() + h.second.size() + 4;
    }
    m_current.requestBytes = headBytes + m_current.requestBody.size();
    m_startNs = nowNs();
    QNetworkReply *reply
        = m_nam->sendCustomRequest(request, m_current.method.toLatin1(), m_current.requestBody);
    connect(reply, &QNetworkReply::metaDataChanged, this, [this] {
        if (m_firstByteUs < 0)
            m_firstByteUs = (nowNs() - m_startNs) / 1000;
    });
}

void Replayer::onFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    Exchange e = std::move(m_current);
    const qint64 elapsedUs = (nowNs() - m_startNs) / 1000;
    e.timings.receivedUs = 0;
    e.timings.firstUpstreamByteUs = m_firstByteUs >= 0 ? m_firstByteUs : elapsedUs;
    e.timings.lastByteUs = elapsedUs;
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (status.isValid()) {
        e.status = status.toInt();
        for (const auto &h : reply->rawHeaderPairs())
            e.responseHeaders.append(h);
        e.responseBody = reply->readAll();
        e.responseBodySize = e.responseBody.size();
        qint64 headBytes = 17;
        for (const auto &h : e.responseHeaders)
            headBytes += h.first.size() + h.second.size() + 4;
        e.responseBytes = headBytes + e.responseBody.size();
    } else {
        e.error = reply->errorString();
    }
    if (m_store)
        e.id = m_store->submit(Exchange(e));
    Q_EMIT finished(e);
}

} // namespace portico::capture
