#include "core/gateway/forward/ForwardProxy.h"

#include "core/config/ProxyConfig.h"
#include "core/http/TlsContext.h"
#include "core/proxy/LocalCa.h"

#include <QFile>
#include <QNetworkInterface>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>

#include <algorithm>

namespace portico::gateway {

QByteArray ForwardOrigin::authority() const
{
    const QByteArray h = host.contains(':') ? '[' + host + ']' : host;
    return port == (tls ? 443 : 80) ? h : h + ':' + QByteArray::number(port);
}

namespace {

std::optional<quint16> portOf(QByteArrayView digits)
{
    if (digits.isEmpty() || digits.size() > 5)
        return std::nullopt;
    int port = 0;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
        port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65535)
        return std::nullopt;
    return quint16(port);
}

// host[:port] or [v6][:port]; `port` stays as given when the text has none.
bool splitHostPort(QByteArrayView text, QByteArray *host, std::optional<quint16> *port)
{
    QByteArrayView h = text;
    QByteArrayView p;
    if (text.startsWith('[')) {
        const qsizetype close = text.indexOf(']');
        if (close < 0)
            return false;
        h = text.sliced(1, close - 1);
        const QByteArrayView rest = text.sliced(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(':'))
                return false;
            p = rest.sliced(1);
            if (p.isEmpty())
                return false;
        }
    } else if (const qsizetype colon = text.lastIndexOf(':'); colon >= 0) {
        h = text.first(colon);
        p = text.sliced(colon + 1);
        if (p.isEmpty())
            return false;
    }
    if (!p.isEmpty()) {
        *port = portOf(p);
        if (!*port)
            return false;
    }
    const QString name = proxy::leafHostName(QString::fromLatin1(h));
    if (name.isEmpty())
        return false;
    *host = name.toLatin1();
    return true;
}

} // namespace

// A host as the split left it: brackets belong around an IPv6 literal, never inside the host,
// and a zone id ('%') names an interface of the client's machine, not an origin.
static bool plainHost(const QByteArray &host)
{
    return !host.contains('%') && !host.contains('[') && !host.contains(']');
}

std::optional<ForwardOrigin> parseConnectAuthority(QByteArrayView authority)
{
    ForwardOrigin o;
    std::optional<quint16> port;
    if (!splitHostPort(authority, &o.host, &port) || !port || !plainHost(o.host))
        return std::nullopt;
    o.port = *port;
    o.tls = true; // what a CONNECT usually carries; the first bytes decide (ProxyExchangeForward)
    return o;
}

std::optional<ForwardOrigin> parseAbsoluteTarget(QByteArrayView target, QByteArray *originForm)
{
    ForwardOrigin o;
    QByteArrayView rest;
    if (target.size() > 7 && QByteArrayView(target.first(7)).compare("http://", Qt::CaseInsensitive) == 0) {
        rest = target.sliced(7);
    } else if (target.size() > 8
        && QByteArrayView(target.first(8)).compare("https://", Qt::CaseInsensitive) == 0) {
        o.tls = true;
        rest = target.sliced(8);
    } else {
        return std::nullopt;
    }
    qsizetype end = rest.size();
    for (const char stop : { '/', '?', '#' }) {
        const qsizetype at = rest.indexOf(stop);
        if (at >= 0)
            end = std::min(end, at);
    }
    const QByteArrayView authority = rest.first(end);
    if (authority.contains('@')) // userinfo: never forwarded, and a classic way to confuse a reader
        return std::nullopt;
    std::optional<quint16> port = quint16(o.tls ? 443 : 80);
    if (!splitHostPort(authority, &o.host, &port) || !plainHost(o.host))
        return std::nullopt;
    o.port = *port;
    QByteArrayView tail = rest.sliced(end);
    if (const qsizetype hash = tail.indexOf('#'); hash >= 0)
        tail = tail.first(hash);
    *originForm = tail.isEmpty() || tail.startsWith('?') ? '/' + tail.toByteArray() : tail.toByteArray();
    return o;
}

bool isRefusedPort(quint16 port)
{
    // https://fetch.spec.whatwg.org/#port-blocking
    static constexpr quint16 kBad[] = { 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69,
        77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161,
        179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636,
        989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666,
        6667, 6668, 6669, 6679, 6697, 10080 };
    return std::find(std::begin(kBad), std::end(kBad), port) != std::end(kBad);
}

ClientHelloResult readClientHelloSni(QByteArrayView b, QByteArray *serverName)
{
    serverName->clear();
    // TLS record: type 22 (handshake), version 3.x, length; then handshake type 1 (ClientHello).
    if (b.isEmpty())
        return ClientHelloResult::NeedMore;
    if (quint8(b[0]) != 22)
        return ClientHelloResult::NotTls;
    if (b.size() < 5)
        return ClientHelloResult::NeedMore;
    if (quint8(b[1]) != 3)
        return ClientHelloResult::NotTls;
    const qsizetype recordLength = (qsizetype(quint8(b[3])) << 8) | quint8(b[4]);
    if (recordLength < 4 || recordLength > 16384 + 2048)
        return ClientHelloResult::NotTls;
    if (b.size() < 5 + recordLength)
        return ClientHelloResult::NeedMore;
    QByteArrayView h = b.sliced(5, recordLength);
    if (quint8(h[0]) != 1)
        return ClientHelloResult::NotTls;
    const qsizetype helloLength
        = (qsizetype(quint8(h[1])) << 16) | (qsizetype(quint8(h[2])) << 8) | quint8(h[3]);
    // A hello split over several records: the name is read from the first one only (the
    // extensions usually fit; if not, the CONNECT host names the leaf).
    h = h.sliced(4, std::min(helloLength, h.size() - 4));
    qsizetype at = 2 + 32; // version, random
    const auto need = [&](qsizetype n) { return at + n <= h.size(); };
    const auto u8 = [&](qsizetype i) { return qsizetype(quint8(h[i])); };
    const auto u16 = [&](qsizetype i) { return (u8(i) << 8) | u8(i + 1); };
    if (!need(1))
        return ClientHelloResult::Done;
    at += 1 + u8(at); // session id
    if (!need(2))
        return ClientHelloResult::Done;
    at += 2 + u16(at); // cipher suites
    if (!need(1))
        return ClientHelloResult::Done;
    at += 1 + u8(at); // compression methods
    if (!need(2))
        return ClientHelloResult::Done;
    const qsizetype extensionsEnd = std::min(h.size(), at + 2 + u16(at));
    at += 2;
    while (at + 4 <= extensionsEnd) {
        const qsizetype type = u16(at);
        const qsizetype length = u16(at + 2);
        at += 4;
        if (at + length > extensionsEnd)
            break;
        if (type == 0 && length >= 5) { // server_name: list length, then (type 0, length, name)
            qsizetype p = at + 2;
            const qsizetype listEnd = std::min(at + length, at + 2 + u16(at));
            while (p + 3 <= listEnd) {
                const qsizetype nameType = u8(p);
                const qsizetype nameLength = u16(p + 1);
                p += 3;
                if (p + nameLength > listEnd)
                    break;
                if (nameType == 0) {
                    *serverName = h.sliced(p, nameLength).toByteArray();
                    return ClientHelloResult::Done;
                }
                p += nameLength;
            }
            break;
        }
        at += length;
    }
    return ClientHelloResult::Done;
}

bool isLocalAddress(const QHostAddress &address)
{
    if (address.isLoopback() || address.isNull() || address == QHostAddress::AnyIPv4
        || address == QHostAddress::AnyIPv6 || address == QHostAddress::Any)
        return true;
    QHostAddress plain = address;
    bool mapped = false;
    const QHostAddress v4(plain.toIPv4Address(&mapped));
    if (mapped)
        plain = v4;
    if (plain.isLoopback() || plain == QHostAddress::AnyIPv4)
        return true;
    static const QList<QHostAddress> local = QNetworkInterface::allAddresses();
    for (const QHostAddress &a : local) {
        if (a.isEqual(plain, QHostAddress::TolerantConversion))
            return true;
    }
    return false;
}

std::shared_ptr<const ForwardProxy> ForwardProxy::create(
    const config::Workspace &ws, const ForwardProxy *previous, QStringList *errors)
{
    if (!ws.proxy)
        return nullptr;
    auto p = std::make_shared<ForwardProxy>();
    p->m_settings = *ws.proxy;
    p->m_http2 = ws.gateway.http2;
    p->m_caCert = ws.resolvePath(ws.proxy->ca.cert);
    p->m_caKey = ws.resolvePath(ws.proxy->ca.key);
    if (ws.proxy->interceptTls) {
        if (previous && previous->m_ca && previous->m_caCert == p->m_caCert
            && previous->m_caKey == p->m_caKey) {
            p->m_ca = previous->m_ca;
            if (previous->m_http2 == p->m_http2)
                p->m_leaves = previous->m_leaves; // same CA, same ALPN: the leaves still fit
        } else {
            QString error;
            p->m_ca = proxy::LocalCa::loadOrCreate({ p->m_caCert, p->m_caKey }, &error);
            if (!p->m_ca) {
                errors->append(QStringLiteral("proxy.ca: %1").arg(error));
                return nullptr;
            }
        }
    }
    QSslConfiguration originTls = QSslConfiguration::defaultConfiguration();
    originTls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!ws.proxy->upstreamCa.isEmpty()) {
        const QString path = ws.resolvePath(ws.proxy->upstreamCa);
        QFile f(path);
        const auto certs = f.open(QIODevice::ReadOnly) ? QSslCertificate::fromData(f.readAll(), QSsl::Pem)
                                                       : QList<QSslCertificate>();
        if (certs.isEmpty()) {
            errors->append(QStringLiteral("proxy.upstream_ca: no PEM certificate in %1").arg(path));
            return nullptr;
        }
        originTls.addCaCertificates(certs);
    }
    QString tlsError;
    p->m_originTls = http::TlsContext::client(originTls, &tlsError);
    if (!p->m_originTls) {
        errors->append(QStringLiteral("proxy: %1").arg(tlsError));
        return nullptr;
    }
    if (ws.proxy->auth) {
        p->m_expectedAuth
            = "Basic " + (ws.proxy->auth->username + u':' + ws.proxy->auth->password).toUtf8().toBase64();
    }
    for (const config::HostPort &hp : ws.gateway.listen)
        p->m_ownPorts.insert(hp.port);
    if (ws.admin.enabled)
        p->m_ownPorts.insert(ws.admin.listen.port);
    p->m_ownPorts.insert(ws.proxy->listen.port);
    return p;
}

bool ForwardProxy::passthrough(QByteArrayView host) const
{
    const QString h = QString::fromLatin1(host);
    return std::any_of(m_settings.passthrough.cbegin(), m_settings.passthrough.cend(),
        [&h](const QString &glob) { return config::hostMatchesGlob(h, glob); });
}

bool ForwardProxy::authorized(const http::HttpHeaders &headers) const
{
    if (m_expectedAuth.isEmpty())
        return true;
    QByteArray given = headers.value("proxy-authorization").trimmed();
    if (given.size() > 6 && given.first(6).toLower() == "basic ") // the scheme is case-insensitive
        given = "Basic " + given.mid(6).trimmed();
    // Compared in constant time: the proxy may listen off loopback.
    if (given.size() != m_expectedAuth.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < given.size(); ++i)
        diff |= static_cast<unsigned char>(given[i] ^ m_expectedAuth[i]);
    return diff == 0;
}

std::shared_ptr<const http::TlsContext> ForwardProxy::leafContext(
    const QByteArray &host, QString *error) const
{
    if (!m_ca)
        return nullptr;
    {
        std::lock_guard lock(m_leaves->mutex);
        if (auto it = m_leaves->contexts.constFind(host);
            it != m_leaves->contexts.cend() && QDateTime::currentSecsSinceEpoch() < it->renewAfter)
            return it->context;
    }
    const auto leaf = m_ca->leafFor(QString::fromLatin1(host), error);
    if (!leaf)
        return nullptr;
    auto context = http::TlsContext::server(leaf->certificatePem, leaf->keyPem,
        m_http2 ? QList<QByteArray> { "h2", "http/1.1" } : QList<QByteArray> { "http/1.1" }, error);
    if (!context)
        return nullptr;
    std::lock_guard lock(m_leaves->mutex);
    if (m_leaves->contexts.size() >= 1024) // hosts an app visits are few; a flood starts over
        m_leaves->contexts.clear();
    m_leaves->contexts.insert(host, { context, leaf->renewAfter });
    return context;
}

} // namespace portico::gateway
