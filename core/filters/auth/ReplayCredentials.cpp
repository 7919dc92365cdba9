#include "core/filters/auth/ReplayCredentials.h"

#include "core/capture/RedactionPolicy.h"
#include "core/filters/auth/AuthConfig.h"

#include <QHostAddress>
#include <QUrlQuery>

#include <algorithm>

namespace portico::filters::auth {

namespace {

constexpr QByteArrayView kRedacted = capture::RedactionPolicy::kMarker;

QString decodePiece(QByteArray piece)
{
    piece.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(piece));
}

// The query as captured: the separate field, or the URL's for rows without a path.
QString capturedQuery(const capture::Exchange &e)
{
    return e.path.isEmpty() ? QUrl(e.url).query(QUrl::FullyEncoded) : e.query;
}

bool queryRedacted(const QString &query, const QString &name)
{
    for (const QByteArray &part : query.toUtf8().split('&')) {
        const qsizetype eq = part.indexOf('=');
        if (eq > 0 && decodePiece(part.left(eq)) == name
            && decodePiece(part.mid(eq + 1)) == QLatin1StringView(kRedacted))
            return true;
    }
    return false;
}

bool headerRedacted(const capture::HeaderList &headers, const QByteArray &name)
{
    return std::any_of(headers.cbegin(), headers.cend(), [&name](const capture::Header &h) {
        return h.first.compare(name, Qt::CaseInsensitive) == 0 && h.second == kRedacted;
    });
}

bool anyRedacted(const capture::Exchange &e)
{
    const bool header = std::any_of(e.requestHeaders.cbegin(), e.requestHeaders.cend(),
        [](const capture::Header &h) { return h.second == kRedacted; });
    return header || capturedQuery(e).contains(QLatin1StringView("=%5Bredacted%5D"), Qt::CaseInsensitive)
        || capturedQuery(e).contains(QLatin1StringView("=[redacted]"));
}

bool headerSupplied(const capture::ReplayOptions &o, const QByteArray &name)
{
    return std::any_of(o.headers.cbegin(), o.headers.cend(),
        [&name](const capture::Header &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
}

bool querySupplied(const capture::ReplayOptions &o, const QString &name)
{
    return std::any_of(o.query.cbegin(), o.query.cend(), [&name](const auto &p) { return p.first == name; })
        || QUrlQuery(o.target).hasQueryItem(name);
}

// A value that can go into a header field as it is.
bool headerSafe(QByteArrayView v)
{
    return !v.isEmpty()
        && std::none_of(v.begin(), v.end(), [](char c) { return uchar(c) < 0x20 || uchar(c) == 0x7f; });
}

} // namespace

QList<QUrl> configuredListeners(const config::Workspace &ws)
{
    QList<QUrl> out;
    for (const config::HostPort &l : ws.gateway.listen) {
        QUrl u;
        u.setScheme(ws.gateway.tls ? QStringLiteral("https") : QStringLiteral("http"));
        u.setHost(l.host);
        u.setPort(l.port);
        out << u;
    }
    return out;
}

bool isListener(const QUrl &destination, const QList<QUrl> &listeners)
{
    const int port = destination.port(destination.scheme() == u"https" ? 443 : 80);
    const bool destLoopback = config::HostPort { destination.host(), quint16(port) }.isLoopback();
    const QHostAddress address(destination.host());
    for (const QUrl &l : listeners) {
        if (l.port() != port || port <= 0)
            continue;
        const QHostAddress listen(l.host());
        const bool wildcard = listen == QHostAddress::AnyIPv4 || listen == QHostAddress::AnyIPv6
            || listen == QHostAddress::Any;
        // "localhost" on either side names this machine's loopback; 127.0.0.2 is not 127.0.0.1.
        const bool listenLocalhost = l.host().compare(u"localhost", Qt::CaseInsensitive) == 0;
        const bool destLocalhost = destination.host().compare(u"localhost", Qt::CaseInsensitive) == 0;
        const bool listenLoopback = config::HostPort { l.host(), quint16(port) }.isLoopback();
        if ((wildcard || listenLocalhost) && destLoopback)
            return true;
        if (destLocalhost && listenLoopback)
            return true;
        if (l.host().compare(destination.host(), Qt::CaseInsensitive) == 0
            || (!address.isNull() && address.isEqual(listen, QHostAddress::ConvertV4MappedToIPv4)))
            return true;
    }
    return false;
}

ReplayCredentials restoreCredentials(const capture::Exchange &original, const config::Workspace &ws,
    const capture::ReplayOptions &options, const QList<QUrl> &listeners)
{
    ReplayCredentials out;
    if (!anyRedacted(original))
        return out;
    const capture::Replayer::Destination where = capture::Replayer::destination(original, options);
    if (where.kind == capture::Replayer::Destination::Kind::None)
        return out;
    if (!isListener(where.url, listeners)) {
        out.problems << QStringLiteral("credentials are restored only for a replay through this workspace's "
                                       "gateway, not to %1")
                            .arg(where.url.toString());
        return out;
    }
    const config::Route *route = original.route.isEmpty() ? nullptr : ws.findRoute(original.route);
    if (!route) {
        out.problems << (original.route.isEmpty()
                ? QStringLiteral("the exchange names no route: no credential restored")
                : QStringLiteral("route '%1' is not in the workspace: no credential restored")
                      .arg(original.route));
        return out;
    }
    const config::Consumer *consumer
        = original.consumer.isEmpty() ? nullptr : ws.findConsumer(original.consumer);
    for (const QString &schemeName : route->filters.value<config::AuthConfig>().schemes) {
        const config::AuthScheme *scheme = ws.findAuth(schemeName);
        if (!scheme)
            continue;
        if (scheme->type != config::AuthType::ApiKey) {
            const QByteArray header = QByteArrayLiteral("Authorization");
            const bool asked = std::any_of(out.asks.cbegin(), out.asks.cend(),
                [&header](const ReplayCredentials::Ask &a) { return a.header == header; });
            if (!asked && headerRedacted(original.requestHeaders, header) && !headerSupplied(options, header))
                out.asks.append({ scheme->name, scheme->type, header });
            continue;
        }
        const QByteArray header = scheme->header.toLatin1();
        const bool wantHeader = !header.isEmpty() && headerRedacted(original.requestHeaders, header)
            && !headerSupplied(options, header)
            && !std::any_of(out.headers.cbegin(), out.headers.cend(), [&header](const capture::Header &h) {
                   return h.first.compare(header, Qt::CaseInsensitive) == 0;
               });
        const bool wantQuery = !scheme->query.isEmpty()
            && queryRedacted(capturedQuery(original), scheme->query) && !querySupplied(options, scheme->query)
            && !std::any_of(out.query.cbegin(), out.query.cend(),
                [scheme](const auto &p) { return p.first == scheme->query; });
        if (!wantHeader && !wantQuery)
            continue;
        if (!consumer) {
            out.problems << (original.consumer.isEmpty()
                    ? QStringLiteral("the exchange names no consumer: its API key is not restored")
                    : QStringLiteral("consumer '%1' is not in the workspace: its API key is not restored")
                          .arg(original.consumer));
            return out;
        }
        const auto key = std::find_if(consumer->apiKeys.cbegin(), consumer->apiKeys.cend(),
            [](const QString &k) { return headerSafe(k.toUtf8()); });
        if (key == consumer->apiKeys.cend()) {
            out.problems
                << QStringLiteral("consumer '%1' has no API key in the workspace").arg(consumer->name);
            continue;
        }
        if (wantHeader) {
            out.headers.append({ header, key->toUtf8() });
            out.notes << QStringLiteral(
                "header %1 restored from the workspace: consumer %2's API key (scheme %3)")
                             .arg(scheme->header, consumer->name, scheme->name);
        }
        if (wantQuery) {
            out.query.append({ scheme->query, *key });
            out.notes << QStringLiteral(
                "query parameter %1 restored from the workspace: consumer %2's API key (scheme %3)")
                             .arg(scheme->query, consumer->name, scheme->name);
        }
    }
    return out;
}

void ReplayCredentials::applyTo(capture::ReplayOptions &options) const
{
    options.headers.append(headers);
    options.query.append(query);
    options.notes.append(notes);
}

bool supplyToken(capture::ReplayOptions &options, const ReplayCredentials::Ask &ask, const QByteArray &token)
{
    // "TOKEN" or "Bearer TOKEN", as the user pastes it; "Bearer" alone is no token.
    QByteArray value = token.trimmed();
    if (value.toLower() == "bearer")
        return false;
    if (value.toLower().startsWith("bearer "))
        value = value.mid(7).trimmed();
    if (!headerSafe(value) || value.contains(' '))
        return false;
    options.headers.append({ ask.header, "Bearer " + value });
    options.notes << QStringLiteral("header %1 supplied for the replay (scheme %2)")
                         .arg(QString::fromLatin1(ask.header), ask.scheme);
    return true;
}

} // namespace portico::filters::auth
