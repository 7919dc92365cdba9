#include "core/http/TlsContext.h"

#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <sys/socket.h>

namespace portico::http {

namespace {

QByteArray alpnWire(const QList<QByteArray> &protocols)
{
    QByteArray wire;
    for (const QByteArray &p : protocols) {
        if (p.isEmpty() || p.size() > 255)
            continue;
        wire += char(p.size());
        wire += p;
    }
    return wire;
}

// Settings both sides share: TLS 1.2 or later, no renegotiation, partial writes from a queue
// whose buffers may move, and reads that take what the kernel has in one go.
SSL_CTX *newContext(bool server)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (!ctx)
        return nullptr;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    // A peer that closes without close_notify ends the stream like a TCP close (browsers, curl
    // and most servers do it); no truncation attack matters to HTTP framing with lengths.
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_read_ahead(ctx, 1);
    return ctx;
}

// OpenSSL's socket BIO writes with write(2): a peer gone away would raise SIGPIPE in a process
// that does not ignore it (the tests, an embedding app). Same BIO, but send(MSG_NOSIGNAL).
int sendNoSignal(BIO *bio, const char *data, int size)
{
    const int fd = int(BIO_get_fd(bio, nullptr));
    BIO_clear_retry_flags(bio);
    for (;;) {
        const ssize_t n = ::send(fd, data, size_t(size), MSG_NOSIGNAL);
        if (n >= 0)
            return int(n);
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            BIO_set_retry_write(bio);
        return -1;
    }
}

BIO_METHOD *socketMethod()
{
    static BIO_METHOD *method = [] {
        const BIO_METHOD *base = BIO_s_socket();
        BIO_METHOD *m = BIO_meth_new(BIO_TYPE_SOCKET, "portico socket");
        BIO_meth_set_write(m, sendNoSignal);
        BIO_meth_set_read(m, BIO_meth_get_read(base));
        BIO_meth_set_puts(m, BIO_meth_get_puts(base));
        BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(base));
        BIO_meth_set_create(m, BIO_meth_get_create(base));
        BIO_meth_set_destroy(m, BIO_meth_get_destroy(base));
        return m;
    }();
    return method;
}

QString fail(SSL_CTX *ctx, const char *what)
{
    const QString reason = QString::fromUtf8(openSslReason());
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return QStringLiteral("%1: %2").arg(QLatin1String(what), reason);
}

} // namespace

QByteArray openSslReason()
{
    const unsigned long e = ERR_peek_last_error();
    if (e == 0)
        return QByteArrayLiteral("unknown error");
    const char *reason = ERR_reason_error_string(e);
    if (reason)
        return reason;
    char buffer[256];
    ERR_error_string_n(e, buffer, sizeof(buffer));
    return buffer;
}

SSL *TlsContext::newConnection(int fd) const
{
    SSL *ssl = SSL_new(m_ctx);
    if (!ssl)
        return nullptr;
    BIO *bio = BIO_new(socketMethod());
    if (!bio) {
        SSL_free(ssl);
        return nullptr;
    }
    BIO_set_fd(bio, fd, BIO_NOCLOSE);
    SSL_set_bio(ssl, bio, bio);
    return ssl;
}

TlsContext::TlsContext(SSL_CTX *ctx, bool server)
    : m_ctx(ctx)
    , m_server(server)
{
}

TlsContext::~TlsContext()
{
    SSL_CTX_free(m_ctx);
}

int TlsContext::selectAlpn(void *, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
    unsigned int inlen, void *arg)
{
    const auto *self = static_cast<const TlsContext *>(arg);
    unsigned char *selected = nullptr;
    const int rc = SSL_select_next_proto(&selected, outlen,
        reinterpret_cast<const unsigned char *>(self->m_alpnWire.constData()),
        unsigned(self->m_alpnWire.size()), in, inlen);
    if (rc != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK; // nothing in common: go on without ALPN (HTTP/1.1)
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

std::shared_ptr<const TlsContext> TlsContext::server(
    const QByteArray &chainPem, const QByteArray &keyPem, const QList<QByteArray> &alpn, QString *error)
{
    SSL_CTX *ctx = newContext(true);
    if (!ctx) {
        *error = QStringLiteral("cannot create a TLS context: %1").arg(QString::fromUtf8(openSslReason()));
        return nullptr;
    }
    ERR_clear_error();
    BIO *certs = BIO_new_mem_buf(chainPem.constData(), int(chainPem.size()));
    X509 *leaf = PEM_read_bio_X509(certs, nullptr, nullptr, nullptr);
    const bool leafOk = leaf && SSL_CTX_use_certificate(ctx, leaf) == 1;
    X509_free(leaf);
    bool chainOk = leafOk;
    while (chainOk) {
        X509 *extra = PEM_read_bio_X509(certs, nullptr, nullptr, nullptr);
        if (!extra)
            break;
        chainOk = SSL_CTX_add0_chain_cert(ctx, extra) == 1; // takes the reference
        if (!chainOk)
            X509_free(extra);
    }
    BIO_free(certs);
    if (!chainOk) {
        *error = fail(ctx, "TLS certificate");
        return nullptr;
    }
    ERR_clear_error(); // the end of the PEM list reads as an error
    BIO *keyBio = BIO_new_mem_buf(keyPem.constData(), int(keyPem.size()));
    EVP_PKEY *key = PEM_read_bio_PrivateKey(keyBio, nullptr, nullptr, nullptr);
    BIO_free(keyBio);
    const bool keyOk = key && SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
    EVP_PKEY_free(key);
    if (!keyOk) {
        *error = fail(ctx, "TLS private key");
        return nullptr;
    }
    std::shared_ptr<TlsContext> c(new TlsContext(ctx, true));
    c->m_alpnWire = alpnWire(alpn);
    if (!c->m_alpnWire.isEmpty()) {
        SSL_CTX_set_alpn_select_cb(
            ctx,
            [](SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                unsigned int inlen, void *arg) { return selectAlpn(ssl, out, outlen, in, inlen, arg); },
            c.get());
    }
    return c;
}

std::shared_ptr<const TlsContext> TlsContext::server(const QSslConfiguration &config, QString *error)
{
    QByteArray chain;
    for (const QSslCertificate &cert : config.localCertificateChain())
        chain += cert.toPem();
    return server(chain, config.privateKey().toPem(), config.allowedNextProtocols(), error);
}

std::shared_ptr<const TlsContext> TlsContext::client(const QSslConfiguration &config, QString *error)
{
    SSL_CTX *ctx = newContext(false);
    if (!ctx) {
        if (error)
            *error
                = QStringLiteral("cannot create a TLS context: %1").arg(QString::fromUtf8(openSslReason()));
        return nullptr;
    }
    if (config.peerVerifyMode() != QSslSocket::VerifyNone) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        SSL_CTX_set_default_verify_paths(ctx); // the system's store (/etc/ssl/certs), as Qt uses
        X509_STORE *store = SSL_CTX_get_cert_store(ctx);
        for (const QSslCertificate &ca : config.caCertificates()) {
            const QByteArray pem = ca.toPem();
            BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
            if (X509 *x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
                X509_STORE_add_cert(store, x); // a duplicate of a system CA is fine
                X509_free(x);
            }
            BIO_free(bio);
        }
        ERR_clear_error();
    }
    std::shared_ptr<TlsContext> c(new TlsContext(ctx, false));
    c->m_alpnWire = alpnWire(config.allowedNextProtocols());
    if (!c->m_alpnWire.isEmpty()) {
        SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char *>(c->m_alpnWire.constData()),
            unsigned(c->m_alpnWire.size()));
    }
    return c;
}

} // namespace portico::http
