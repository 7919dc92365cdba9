#pragma once

#include "support/LoopbackState.h"

#include <QSslConfiguration>
#include <QTcpServer>

#include <memory>

namespace portico::test {

// The listening socket of LoopbackUpstream, on its server thread. Counts accepted connections and
// hands each to an LoopbackConnection, after a TLS handshake when TLS is configured.
class LoopbackServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoopbackServer)

public:
    explicit LoopbackServer(std::shared_ptr<LoopbackState> state, QObject *parent = nullptr);

    // Serve TLS with this PEM certificate and key from now on. False (with *error) if unreadable.
    bool enableTls(const QString &certPath, const QString &keyPath, QString *error);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    std::shared_ptr<LoopbackState> m_state;
    bool m_tls = false;
    QSslConfiguration m_sslConfig;
};

} // namespace portico::test
