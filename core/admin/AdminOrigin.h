#pragma once

#include <QByteArrayView>
#include <QHostAddress>
#include <QStringList>

namespace portico::admin {

// Who the admin API answers. A web page the developer opens must not reach it: through DNS
// rebinding (a name of the attacker's that resolves to 127.0.0.1, so the browser sends
// `Host: evil.example:9080`) or through a cross-site request (a "simple" POST needs no preflight,
// and the browser sends `Origin: https://evil.example`). So:
//  - Host must name this listener: localhost, 127.0.0.1 or [::1], the address admin.listen names
//    (when it is not a wildcard), or the local address the connection arrived on; its port, when
//    given, must be the listener's port. Anything else (none, several, another name) is refused.
//  - Origin, when present, must be http:// with one of those hosts and the listener's port (a
//    missing port means 80). "null" and any other origin are refused, on every method.
//  - No CORS: no Access-Control-* header is ever sent, so a browser never lets a page read a reply.
class AdminOrigin
{
public:
    // `configuredHost`: admin.listen's host as written; `local`: the address the connection
    // arrived on; `port`: the listener's port.
    AdminOrigin(const QString &configuredHost, const QHostAddress &local, quint16 port);

    // `host`: the value of the Host field ("name", "name:port", "[v6]:port").
    bool hostAllowed(QByteArrayView host) const;
    // `origin`: the value of the Origin field ("http://name:port").
    bool originAllowed(QByteArrayView origin) const;

    // What hostAllowed() accepts, for messages: "localhost, 127.0.0.1, [::1] (port 9080)".
    QString describe() const;

private:
    // `authority`: "name", "name:port" or "[v6]:port"; `defaultPort`: the port a missing one
    // means (0: any missing port is fine).
    bool authorityAllowed(QByteArrayView authority, quint16 defaultPort) const;

    QStringList m_hosts; // lower case; IPv6 without brackets
    quint16 m_port = 0;
};

} // namespace portico::admin
