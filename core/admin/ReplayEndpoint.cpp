#include "core/admin/ReplayEndpoint.h"

#include "core/admin/AdminServer.h"
#include "core/admin/ExchangesEndpoint.h"
#include "core/admin/LateResponder.h"
#include "core/capture/GrpcReplay.h"
#include "core/capture/Replayer.h"
#include "core/filters/auth/ReplayCredentials.h"
#include "core/gateway/Gateway.h"

#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonObject>
#include <QUrlQuery>

namespace portico::admin {

namespace {

QStringList allQueryValues(const QUrlQuery &query, const QString &key)
{
    QStringList out;
    for (QString raw : query.allQueryItemValues(key, QUrl::FullyEncoded)) {
        raw.replace(u'+', QStringLiteral("%20"));
        out << QUrl::fromPercentEncoding(raw.toUtf8());
    }
    return out;
}

} // namespace

ReplayEndpoint::ReplayEndpoint(gateway::Gateway &gateway, ExchangesEndpoint &exchanges, QObject *parent)
    : QObject(parent)
    , m_gateway(gateway)
    , m_exchanges(exchanges)
{
}

void ReplayEndpoint::start(const QString &id, const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    AdminReply error;
    const auto original = m_exchanges.find(id, &error);
    if (!original) {
        writeReply(error, std::move(responder));
        return;
    }
    const QUrlQuery query = request.query();
    capture::ReplayOptions options;
    const QString target = ExchangesEndpoint::queryValue(query, QStringLiteral("target"));
    if (!target.isEmpty()) {
        options.target = QUrl(target, QUrl::StrictMode);
        const QString scheme = options.target.scheme();
        if (!options.target.isValid() || options.target.host().isEmpty()
            || (scheme != u"http" && scheme != u"https")) {
            writeReply(AdminReply::problem(400, "invalid-parameter", QStringLiteral("Invalid parameter"),
                           QStringLiteral("target must be an http:// or https:// URL, not '%1'").arg(target)),
                std::move(responder));
            return;
        }
        if (!targetAllowed(options.target)) {
            writeReply(AdminReply::problem(403, "forbidden-target", QStringLiteral("Forbidden target"),
                           QStringLiteral("the admin API replays only to this machine (localhost, 127.0.0.1, "
                                          "[::1]), this gateway's listeners or a configured upstream "
                                          "target, not to '%1'; use portico-cli replay --target for "
                                          "anything else")
                               .arg(target)),
                std::move(responder));
            return;
        }
    }
    if (const auto where = capture::Replayer::destination(*original, options);
        where.kind == capture::Replayer::Destination::Kind::None) {
        writeReply(AdminReply::problem(
                       422, "no-replay-destination", QStringLiteral("Nowhere to replay to"), where.problem),
            std::move(responder));
        return;
    }
    for (const QString &h : allQueryValues(query, QStringLiteral("header"))) {
        const qsizetype colon = h.indexOf(u':');
        if (colon <= 0) {
            writeReply(AdminReply::problem(400, "invalid-parameter", QStringLiteral("Invalid parameter"),
                           QStringLiteral("header must be 'Name: value', not '%1'").arg(h)),
                std::move(responder));
            return;
        }
        options.headers.append(
            std::make_pair(h.left(colon).trimmed().toUtf8(), h.mid(colon + 1).trimmed().toUtf8()));
    }

    // A body is a unary gRPC call's request message, edited (proto3 JSON, application/json: a
    // cross-site form cannot send that type without a preflight, which is refused). Checked
    // against the running schema before anything is sent.
    if (!request.body().trimmed().isEmpty()) {
        const QByteArray type = request.value("content-type").trimmed().toLower();
        if (!type.startsWith("application/json")) {
            writeReply(
                AdminReply::problem(415, "unsupported-media-type", QStringLiteral("Unsupported media type"),
                    QStringLiteral("a replay's body is a gRPC request message as application/json")),
                std::move(responder));
            return;
        }
        const config::WorkspacePtr ws = m_gateway.workspace();
        options.grpcMessageJson = request.body();
        options.grpcSchema = ws ? ws->grpcSchema : nullptr;
        const capture::GrpcReplayBody edited
            = capture::grpcReplayBody(*original, options.grpcMessageJson, options.grpcSchema.get());
        if (!edited.error.isEmpty()) {
            writeReply(AdminReply::problem(
                           400, "invalid-grpc-message", QStringLiteral("Invalid gRPC message"), edited.error),
                std::move(responder));
            return;
        }
    }

    // A key the capture redacted comes back from the running workspace when the exchange names
    // its consumer and the replay goes through this gateway; a token (JWT, introspection) does not:
    // the caller supplies it with header=Authorization:Bearer...
    QStringList unrestored;
    if (const config::WorkspacePtr ws = m_gateway.workspace()) {
        const auto credentials
            = filters::auth::restoreCredentials(*original, *ws, options, m_gateway.listenUrls());
        credentials.applyTo(options);
        unrestored = credentials.problems;
        for (const auto &ask : credentials.asks)
            unrestored << QStringLiteral("header %1 (scheme %2) holds a token the workspace does not know: "
                                         "supply it with header=%1:Bearer%%20TOKEN")
                              .arg(QString::fromLatin1(ask.header), ask.scheme);
    }

    LateResponder late(std::move(responder));
    auto *replayer = new capture::Replayer(m_gateway.captureStore(), this);
    const qint64 originalId = original->id;
    connect(replayer, &capture::Replayer::finished, this,
        [late, replayer, originalId, unrestored](const capture::Exchange &e) {
            replayer->deleteLater();
            if (late.clientGone())
                return;
            QJsonObject o;
            o.insert(QStringLiteral("id"), e.id > 0 ? QJsonValue(e.id) : QJsonValue(QJsonValue::Null));
            o.insert(QStringLiteral("replay_of"), originalId);
            o.insert(QStringLiteral("url"), e.url);
            o.insert(QStringLiteral("status"), e.status);
            o.insert(QStringLiteral("duration_ms"), double(e.durationUs()) / 1000.0);
            // What the new exchange's notes say (restored or withheld credentials), and what
            // could not be restored.
            o.insert(QStringLiteral("notes"),
                QJsonArray::fromStringList(e.notes.split(u'\n', Qt::SkipEmptyParts)));
            if (!unrestored.isEmpty())
                o.insert(QStringLiteral("not_restored"), QJsonArray::fromStringList(unrestored));
            if (!e.error.isEmpty()) {
                o.insert(QStringLiteral("error"), e.error);
                writeReply(AdminReply::problem(502, "replay-failed", QStringLiteral("Replay got no response"),
                               QStringLiteral("%1: %2").arg(e.url, e.error), o),
                    std::move(*late.responder));
                return;
            }
            writeReply(AdminReply::json(o), std::move(*late.responder));
        });
    replayer->replay(*original, options);
}

bool ReplayEndpoint::targetAllowed(const QUrl &target) const
{
    const int defaultPort = target.scheme() == u"https" ? 443 : 80;
    const int port = target.port(defaultPort);
    if (config::HostPort { target.host(), quint16(port) }.isLoopback())
        return true;
    const QHostAddress address(target.host());
    auto sameHost = [&](const QString &host) {
        if (host.compare(target.host(), Qt::CaseInsensitive) == 0)
            return true;
        const QHostAddress other(host);
        return !address.isNull() && !other.isNull()
            && other.isEqual(address, QHostAddress::TolerantConversion);
    };
    for (const QUrl &listener : m_gateway.listenUrls()) {
        if (listener.scheme() == target.scheme() && listener.port() == port && sameHost(listener.host()))
            return true;
    }
    if (const config::WorkspacePtr ws = m_gateway.workspace()) {
        for (const config::Upstream &u : ws->upstreams) {
            for (const config::Target &t : u.targets) {
                const int tPort = t.url.port(t.url.scheme() == u"https" ? 443 : 80);
                if (t.url.scheme() == target.scheme() && tPort == port && sameHost(t.url.host()))
                    return true;
            }
        }
    }
    return false;
}

} // namespace portico::admin
