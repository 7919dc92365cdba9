#pragma once

// The forward proxy (proxy: in the workspace, issue 18) as the data plane uses it: an app points
// HTTP_PROXY/HTTPS_PROXY at proxy.listen; absolute-form requests and CONNECT tunnels arrive there
// (ProxyExchangeForward.cpp), HTTPS inside a tunnel is decrypted with a leaf certificate from the
// local CA when proxy.intercept_tls is on, and every exchange is captured with proxied = true.
// One per compiled config; immutable, shared by the workers.

#include "core/config/Workspace.h"
#include "core/http/HttpHeaders.h"

#include <QByteArray>
#include <QHostAddress>
#include <QSet>
#include <QSslConfiguration>
#include <QStringList>

#include <QHash>

#include <memory>
#include <mutex>
#include <optional>

namespace portico::proxy {
class LocalCa;
}

namespace portico::http {
class TlsContext;
}

namespace portico::gateway {

// Where a proxied request goes when no route takes it: the origin server the app named.
struct ForwardOrigin
{
    bool tls = false;
    QByteArray host; // lower case; IPv6 without brackets
    quint16 port = 0;
    QByteArray authority() const; // host[:port] as a Host header says it (port left out when default)
    bool operator==(const ForwardOrigin &) const = default;
};

// "host:port" of a CONNECT line (authority-form, RFC 9112 3.2.3), "[v6]:port" too. The port is
// required; a host must pass proxy::leafHostName. Nothing else (no userinfo, path or spaces).
std::optional<ForwardOrigin> parseConnectAuthority(QByteArrayView authority);
// "http://host[:port]/path?query" (absolute-form, RFC 9112 3.2.2): the origin and the origin-form
// target. https:// is accepted too (TLS to the origin), anything else is not.
std::optional<ForwardOrigin> parseAbsoluteTarget(QByteArrayView target, QByteArray *originForm);

// The ports browsers refuse to fetch from (the Fetch standard's "bad port" list: SMTP, IRC,
// SIP ...): a CONNECT to one is refused, so a web page cannot use the proxy to talk to them.
bool isRefusedPort(quint16 port);

// The server name a TLS ClientHello asks for (RFC 6066 SNI), read from the first bytes of a
// connection without consuming them.
enum class ClientHelloResult { NotTls, NeedMore, Done };
ClientHelloResult readClientHelloSni(QByteArrayView bytes, QByteArray *serverName);

class ForwardProxy
{
public:
    // Loads (or creates) the CA when interception is on; `previous` lends its CA when the files
    // are the same. Null with errors naming the files when the CA cannot be used.
    static std::shared_ptr<const ForwardProxy> create(
        const config::Workspace &ws, const ForwardProxy *previous, QStringList *errors);

    const config::ProxySettings &settings() const { return m_settings; }
    bool intercepting() const { return m_ca != nullptr; }
    const std::shared_ptr<proxy::LocalCa> &ca() const { return m_ca; }
    // System CAs plus proxy.upstream_ca, peers verified (built once per configuration).
    const std::shared_ptr<const http::TlsContext> &originTls() const { return m_originTls; }
    bool passthrough(QByteArrayView host) const;
    // Proxy-Authorization: Basic matches proxy.auth (always true without proxy.auth).
    bool authorized(const http::HttpHeaders &headers) const;
    // A port Portico itself listens on (gateway, admin, this proxy): a CONNECT or request to it
    // on this machine would loop back into Portico.
    bool isOwnPort(quint16 port) const { return m_ownPorts.contains(port); }
    // The TLS server context for an intercepted host: a leaf from the CA, ALPN as the gateway
    // offers it; built once per host and kept (shared across workers and reloads that keep the
    // CA). Null with `error` when the host cannot have a leaf.
    std::shared_ptr<const http::TlsContext> leafContext(const QByteArray &host, QString *error) const;

private:
    config::ProxySettings m_settings;
    std::shared_ptr<proxy::LocalCa> m_ca;
    QString m_caCert, m_caKey; // resolved paths, to share the CA across reloads
    std::shared_ptr<const http::TlsContext> m_originTls;
    struct LeafCache
    {
        std::mutex mutex;
        struct Entry
        {
            std::shared_ptr<const http::TlsContext> context;
            qint64 renewAfter; // the leaf's (LocalCa::Leaf::renewAfter)
        };
        QHash<QByteArray, Entry> contexts;
    };
    std::shared_ptr<LeafCache> m_leaves = std::make_shared<LeafCache>();
    QByteArray m_expectedAuth; // "Basic base64(user:password)"
    QSet<quint16> m_ownPorts;
    bool m_http2 = false;
};

// Whether `address` is this machine (loopback, unspecified, or one of its interfaces).
bool isLocalAddress(const QHostAddress &address);

} // namespace portico::gateway
