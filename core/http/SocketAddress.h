#pragma once

#include <QHostAddress>
#include <QString>

#include <sys/socket.h>

#include <utility>

namespace portico::http {

// Where configured hosts become addresses and addresses become sockets, for every listener
// (gateway, admin API) and every upstream connection.

// Which address of a name that resolves to several is taken.
enum class AddressPreference {
    First, // the resolver's order
    IPv4, // the first IPv4 one if any: most development servers listen on 127.0.0.1 only
};

// A literal address (IPv4, IPv6 without brackets) as it is; a name is looked up, blocking (the
// callers run on the control thread, once per config). Null when the name does not resolve.
QHostAddress resolveHost(const QString &host, AddressPreference prefer = AddressPreference::First);
// A host to listen on: "", "*" and "0.0.0.0" are every IPv4 interface, "localhost" is 127.0.0.1,
// anything else as resolveHost().
QHostAddress resolveListenHost(const QString &host);

// Fills `out` with `address` and `port` (IPv4 or IPv6 by the address) and returns its length,
// for bind() and connect().
socklen_t toSockaddr(const QHostAddress &address, quint16 port, sockaddr_storage *out);
// The address and port of a socket address, an IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a
// dual-stack socket reports for an IPv4 peer) as the IPv4 one.
std::pair<QHostAddress, quint16> fromSockaddr(const sockaddr_storage &ss);
// A non-blocking, close-on-exec TCP socket connecting to `address`:`port`. Returns the
// descriptor (`inProgress` says whether the connect still has to complete), or -1 with `error`.
int startConnect(const QHostAddress &address, quint16 port, bool *inProgress, QString *error);

} // namespace portico::http
