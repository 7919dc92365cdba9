#include "core/config/Workspace.h"

#include <QDir>
#include <QFileInfo>
#include <QHostAddress>

#include <algorithm>

namespace portico::config {

namespace {

template<typename T> const T *findByName(const QList<T> &items, const QString &name)
{
    const auto it = std::find_if(items.begin(), items.end(), [&](const T &i) { return i.name == name; });
    return it == items.end() ? nullptr : &*it;
}

} // namespace

bool HostPort::isLoopback() const
{
    if (host.compare(u"localhost", Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

QString Workspace::baseDir() const
{
    return filePath.isEmpty() ? QDir::currentPath() : QFileInfo(filePath).absolutePath();
}

QString Workspace::resolvePath(const QString &path) const
{
    if (path.isEmpty())
        return path;
    return QDir::cleanPath(QDir(baseDir()).absoluteFilePath(path));
}

const Upstream *Workspace::findUpstream(const QString &name) const
{
    return findByName(upstreams, name);
}
const Tier *Workspace::findTier(const QString &name) const
{
    return findByName(tiers, name);
}
const Consumer *Workspace::findConsumer(const QString &name) const
{
    return findByName(consumers, name);
}
const AuthScheme *Workspace::findAuth(const QString &name) const
{
    return findByName(auth, name);
}
const Route *Workspace::findRoute(const QString &name) const
{
    return findByName(routes, name);
}

bool Workspace::operator==(const Workspace &other) const
{
    // filePath and envTemplates say where the content came from, not what it is.
    return version == other.version && gateway == other.gateway && admin == other.admin
        && capture == other.capture && tracing == other.tracing && rateLimitStore == other.rateLimitStore
        && grpc == other.grpc && proxy == other.proxy && upstreams == other.upstreams && tiers == other.tiers
        && consumers == other.consumers && auth == other.auth && routes == other.routes;
}

QString balanceName(Balance b)
{
    switch (b) {
    case Balance::RoundRobin:
        return QStringLiteral("round_robin");
    case Balance::LeastConnections:
        return QStringLiteral("least_connections");
    case Balance::IpHash:
        return QStringLiteral("ip_hash");
    }
    return {};
}

QString upstreamProtocolName(UpstreamProtocol p)
{
    switch (p) {
    case UpstreamProtocol::Http1:
        return QStringLiteral("http1");
    case UpstreamProtocol::H2c:
        return QStringLiteral("h2c");
    case UpstreamProtocol::H2:
        return QStringLiteral("h2");
    }
    return {};
}

QString formatDuration(Duration d)
{
    const qint64 ms = d.count();
    if (ms == 0)
        return QStringLiteral("0s");
    struct Unit
    {
        qint64 ms;
        const char *suffix;
    };
    static constexpr Unit units[]
        = { { 86'400'000, "d" }, { 3'600'000, "h" }, { 60'000, "m" }, { 1000, "s" } };
    for (const Unit &u : units) {
        if (ms % u.ms == 0)
            return QString::number(ms / u.ms) + QLatin1String(u.suffix);
    }
    return QString::number(ms) + QStringLiteral("ms");
}

QString formatSize(qint64 bytes)
{
    struct Unit
    {
        qint64 bytes;
        const char *suffix;
    };
    static constexpr Unit units[]
        = { { 1024LL * 1024 * 1024, "GiB" }, { 1024 * 1024, "MiB" }, { 1024, "KiB" } };
    for (const Unit &u : units) {
        if (bytes != 0 && bytes % u.bytes == 0)
            return QString::number(bytes / u.bytes) + QLatin1String(u.suffix);
    }
    return QString::number(bytes);
}

} // namespace portico::config
