#include "core/admin/AdminOrigin.h"

namespace portico::admin {

namespace {

bool isWildcard(const QString &host)
{
    return host.isEmpty() || host == u"*" || host == u"0.0.0.0" || host == u"::" || host == u"[::]";
}

QString addressText(const QHostAddress &address)
{
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    return mapped ? QHostAddress(v4).toString() : address.toString().toLower();
}

} // namespace

AdminOrigin::AdminOrigin(const QString &configuredHost, const QHostAddress &local, quint16 port)
    : m_hosts { QStringLiteral("localhost"), QStringLiteral("127.0.0.1"), QStringLiteral("::1") }
    , m_port(port)
{
    QString configured = configuredHost.toLower();
    if (configured.startsWith(u'[') && configured.endsWith(u']'))
        configured = configured.mid(1, configured.size() - 2);
    if (!isWildcard(configured) && !m_hosts.contains(configured))
        m_hosts.append(configured);
    if (!local.isNull()) {
        const QString own = addressText(local);
        if (!m_hosts.contains(own))
            m_hosts.append(own);
    }
}

bool AdminOrigin::authorityAllowed(QByteArrayView authority, quint16 defaultPort) const
{
    QByteArrayView name = authority;
    QByteArrayView portText;
    if (authority.startsWith('[')) {
        const qsizetype close = authority.indexOf(']');
        if (close < 0)
            return false;
        name = authority.sliced(1, close - 1);
        const QByteArrayView rest = authority.sliced(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(':'))
                return false;
            portText = rest.sliced(1);
            if (portText.isEmpty())
                return false;
        }
        // Only an address goes in brackets.
        if (QHostAddress(QString::fromLatin1(name)).protocol() != QAbstractSocket::IPv6Protocol)
            return false;
    } else {
        const qsizetype colon = authority.indexOf(':');
        if (colon >= 0) {
            name = authority.first(colon);
            portText = authority.sliced(colon + 1);
            if (portText.isEmpty())
                return false;
        }
    }
    if (name.isEmpty())
        return false;
    quint16 port = defaultPort;
    if (!portText.isEmpty()) {
        if (portText.size() > 5)
            return false;
        uint value = 0;
        for (const char c : portText) {
            if (c < '0' || c > '9')
                return false;
            value = value * 10 + uint(c - '0');
        }
        if (value == 0 || value > 65535)
            return false;
        port = quint16(value);
    }
    if (port != 0 && port != m_port)
        return false;
    const QString host = QString::fromLatin1(name).toLower();
    if (m_hosts.contains(host))
        return true;
    // An IPv6 literal may be written in other forms ("0:0:0:0:0:0:0:1"): compare addresses.
    const QHostAddress address(host);
    if (address.isNull())
        return false;
    const QString canonical = addressText(address);
    return m_hosts.contains(canonical);
}

bool AdminOrigin::hostAllowed(QByteArrayView host) const
{
    return authorityAllowed(host.trimmed(), 0);
}

bool AdminOrigin::originAllowed(QByteArrayView origin) const
{
    // An origin is scheme "://" host [":" port], nothing after (RFC 6454 section 6.1).
    constexpr QByteArrayView prefix = "http://";
    const QByteArrayView value = origin.trimmed();
    if (value.size() <= prefix.size() || value.first(prefix.size()).compare(prefix, Qt::CaseInsensitive) != 0)
        return false;
    const QByteArrayView authority = value.sliced(prefix.size());
    if (authority.contains('/') || authority.contains('@') || authority.contains('?')
        || authority.contains('#'))
        return false;
    return authorityAllowed(authority, 80);
}

QString AdminOrigin::describe() const
{
    QStringList shown;
    for (const QString &h : m_hosts)
        shown << (h.contains(u':') ? u'[' + h + u']' : h);
    return QStringLiteral("%1 (port %2)").arg(shown.join(QStringLiteral(", "))).arg(m_port);
}

} // namespace portico::admin
