#include "core/http/SocketAddress.h"

#include <QHostInfo>

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace portico::http {

QHostAddress resolveHost(const QString &host, AddressPreference prefer)
{
    const QHostAddress literal(host);
    if (!literal.isNull())
        return literal;
    const QList<QHostAddress> addresses = QHostInfo::fromName(host).addresses();
    if (addresses.isEmpty())
        return {};
    if (prefer == AddressPreference::IPv4) {
        const auto v4 = std::find_if(addresses.begin(), addresses.end(),
            [](const QHostAddress &a) { return a.protocol() == QAbstractSocket::IPv4Protocol; });
        if (v4 != addresses.end())
            return *v4;
    }
    return addresses.first();
}

QHostAddress resolveListenHost(const QString &host)
{
    if (host.isEmpty() || host == u"*" || host == u"0.0.0.0")
        return QHostAddress(QHostAddress::AnyIPv4);
    if (host == u"localhost")
        return QHostAddress(QHostAddress::LocalHost);
    return resolveHost(host);
}

socklen_t toSockaddr(const QHostAddress &address, quint16 port, sockaddr_storage *out)
{
    *out = {};
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *sa = reinterpret_cast<sockaddr_in6 *>(out);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(port);
        const Q_IPV6ADDR a = address.toIPv6Address();
        std::memcpy(&sa->sin6_addr, a.c, 16);
        return sizeof(sockaddr_in6);
    }
    auto *sa = reinterpret_cast<sockaddr_in *>(out);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(port);
    sa->sin_addr.s_addr = htonl(address.toIPv4Address());
    return sizeof(sockaddr_in);
}

std::pair<QHostAddress, quint16> fromSockaddr(const sockaddr_storage &ss)
{
    QHostAddress a;
    quint16 port = 0;
    a.setAddress(reinterpret_cast<const sockaddr *>(&ss));
    if (ss.ss_family == AF_INET6) {
        port = ntohs(reinterpret_cast<const sockaddr_in6 *>(&ss)->sin6_port);
        bool mapped = false;
        const quint32 v4 = a.toIPv4Address(&mapped);
        if (mapped)
            a = QHostAddress(v4);
    } else if (ss.ss_family == AF_INET) {
        port = ntohs(reinterpret_cast<const sockaddr_in *>(&ss)->sin_port);
    }
    return { a, port };
}

int startConnect(const QHostAddress &address, quint16 port, bool *inProgress, QString *error)
{
    sockaddr_storage ss;
    const socklen_t len = toSockaddr(address, port, &ss);
    const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (error)
            *error = QString::fromLocal8Bit(strerror(errno));
        return -1;
    }
    const int rc = ::connect(fd, reinterpret_cast<sockaddr *>(&ss), len);
    if (rc < 0 && errno != EINPROGRESS) {
        if (error)
            *error = QString::fromLocal8Bit(strerror(errno));
        ::close(fd);
        return -1;
    }
    *inProgress = rc < 0;
    return fd;
}

} // namespace portico::http
