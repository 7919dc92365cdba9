#pragma once

#include "support/UpstreamState.h"

#include <QSslConfiguration>
#include <QTcpServer>

#include <memory>

namespace portico::test {

// The listening socket of LoopbackUpstream, on its server thread. Counts accepted connections and
// hands each to an UpstreamConnection, after a TLS handshake when TLS is configured.
class UpstreamServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamServer)

public:
    explicit UpstreamServer(std::shared_ptr<UpstreamState> state, QObject *parent = nullptr);

    // Serve TLS with this PEM certificate and key from now on. False (with *error) if unreadable.
    bool enableTls(const QString &certPath, const QString &keyPath, QString *error);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    std::shared_ptr<UpstreamState> m_state;
    bool m_tls = false;
    QSslConfiguration m_sslConfig;
};

} // namespace portico::test
