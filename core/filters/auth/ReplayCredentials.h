#pragma once

#include "core/capture/Replayer.h"
#include "core/config/Workspace.h"

#include <QStringList>

namespace portico::filters::auth {

// What a replay can put back from the workspace of a credential the capture redacted. The
// capture stores "[redacted]" in place of an API key or token; when the exchange names its
// consumer and its route, the workspace knows that consumer's API key for each api_key scheme
// of the route, and a replay through this workspace's gateway can send it again (in the header
// or query parameter the scheme reads). A JWT or an introspected token is not in the workspace:
// the caller must ask the user for it (asks). Nothing is restored when the replay goes anywhere
// but a listener of this workspace's gateway (the key would leave the gateway that checks it),
// when the consumer or the route is not in the workspace, or for a redacted field no scheme of
// the route reads (a cookie, another scheme's header): those stay left out, and problems says
// why. Values already supplied by the options are the user's choice and stay.
struct ReplayCredentials
{
    capture::HeaderList headers; // restored header fields
    QList<std::pair<QString, QString>> query; // restored query parameters (decoded)
    QStringList notes; // one per restored value, for the new exchange: never the value
    // A token only the user has: the scheme that reads it and the header it goes in.
    struct Ask
    {
        QString scheme;
        config::AuthType type = config::AuthType::Jwt;
        QByteArray header; // "Authorization" (sent as "Bearer TOKEN")
        bool operator==(const Ask &) const = default;
    };
    QList<Ask> asks;
    QStringList problems; // why a redacted credential is not restored

    bool restoresAnything() const { return !headers.isEmpty() || !query.isEmpty(); }
    // Adds the restored values and their notes to `options`.
    void applyTo(capture::ReplayOptions &options) const;
};

// `listeners`: where the workspace's gateway listens (Gateway::listenUrls() when it runs here,
// else configuredListeners(ws)).
ReplayCredentials restoreCredentials(const capture::Exchange &original, const config::Workspace &ws,
    const capture::ReplayOptions &options, const QList<QUrl> &listeners);

// The workspace's gateway.listen as URLs (http, or https with gateway.tls).
QList<QUrl> configuredListeners(const config::Workspace &ws);
// Whether `destination` (scheme://host:port) is one of `listeners`: the same port and host
// (address or name); a wildcard listener (0.0.0.0, ::) or "localhost" takes any loopback
// address, and "localhost" reaches a loopback listener.
bool isListener(const QUrl &destination, const QList<QUrl> &listeners);

// Adds "Authorization: Bearer TOKEN" for an answered ask, and its note; false (nothing added)
// when the token is empty or carries characters a header value cannot.
bool supplyToken(capture::ReplayOptions &options, const ReplayCredentials::Ask &ask, const QByteArray &token);

} // namespace portico::filters::auth
