#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>

class QSslConfiguration;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace portico::http {

// One OpenSSL SSL_CTX, built once per configuration (a listener's certificate, a leaf the forward
// proxy minted, an upstream's trust settings) and shared by every connection and worker thread
// that uses it: building one costs more than a whole resumed handshake, so never per connection.
// Immutable once built (OpenSSL makes SSL_new and the session cache safe across threads).
class TlsContext
{
public:
    // Server side: the chain (leaf first) and key in PEM, ALPN in order of preference (the first
    // of ours the client also offers wins; none in common = no ALPN, as a client offering nothing).
    static std::shared_ptr<const TlsContext> server(
        const QByteArray &chainPem, const QByteArray &keyPem, const QList<QByteArray> &alpn, QString *error);
    // The same from a QSslConfiguration (local certificate chain, private key, allowed protocols).
    static std::shared_ptr<const TlsContext> server(const QSslConfiguration &config, QString *error);
    // Client side: verifies the peer (unless the config says VerifyNone) against the system's CAs
    // plus config.caCertificates(), and offers config.allowedNextProtocols() with ALPN.
    static std::shared_ptr<const TlsContext> client(
        const QSslConfiguration &config, QString *error = nullptr);

    ~TlsContext();
    TlsContext(const TlsContext &) = delete;
    TlsContext &operator=(const TlsContext &) = delete;

    SSL_CTX *handle() const { return m_ctx; }
    // A new SSL object of this context on a non-blocking socket (not closed by OpenSSL), writing
    // with send(MSG_NOSIGNAL). Null when OpenSSL cannot allocate one.
    SSL *newConnection(int fd) const;
    bool isServer() const { return m_server; }

private:
    TlsContext(SSL_CTX *ctx, bool server);
    static int selectAlpn(void *ssl, const unsigned char **out, unsigned char *outlen,
        const unsigned char *in, unsigned int inlen, void *arg);

    SSL_CTX *m_ctx;
    bool m_server;
    QByteArray m_alpnWire; // length-prefixed protocol names, ours in order of preference
};

// OpenSSL's words for the newest error in this thread's queue ("tlsv1 alert unknown ca").
QByteArray openSslReason();

} // namespace portico::http
