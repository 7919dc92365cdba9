#pragma once

#include "core/http/Transport.h"

#include <QSslConfiguration>

#include <memory>

class QSslSocket;

namespace portico::http {

// TLS through QSslSocket (OpenSSL 3). Used for `gateway.tls` listeners (server side, on an
// accepted descriptor) and for https:// upstream targets (client side, with certificate
// verification against the system CAs plus any configured ones).
class SslTransport final : public Transport
{
public:
    // Server side: takes ownership of an accepted descriptor and starts the handshake.
    static SslTransport *serverSide(int fd, const QSslConfiguration &config);
    // Client side: connects and verifies the peer for `verifyName` (the upstream's host name).
    static SslTransport *connectTo(const QString &host, quint16 port, const QSslConfiguration &config);
    ~SslTransport() override;

    qint64 read(char *buffer, qint64 max) override;
    void send(const QByteArray &data) override;
    void send(const QByteArray &head, const QByteArray &body) override;
    qint64 pending() const override;
    void setReadEnabled(bool enabled) override;
    void close(bool graceful) override;
    bool isOpen() const override;
    bool isEncrypted() const override { return true; }
    QByteArray negotiatedProtocol() const override;
    void shutdownWrite() override;

private:
    explicit SslTransport(QSslSocket *socket);
    void fail(const char *reason);

    QSslSocket *m_socket;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
    bool m_readEnabled = true;
    bool m_eof = false;
    bool m_failed = false;
    bool m_closingGracefully = false;
    QByteArray m_reason; // what fail() reports, kept alive for the call
};

} // namespace portico::http
