#include "support/LoopbackServer.h"

#include "support/LoopbackConnection.h"

#include <QFile>
#include <QSslKey>
#include <QSslSocket>

namespace portico::test {

LoopbackServer::LoopbackServer(std::shared_ptr<LoopbackState> state, QObject *parent)
    : QTcpServer(parent)
    , m_state(std::move(state))
{
}

bool LoopbackServer::enableTls(const QString &certPath, const QString &keyPath, QString *error)
{
    const QList<QSslCertificate> certs = QSslCertificate::fromPath(certPath, QSsl::Pem);
    QFile keyFile(keyPath);
    if (certs.isEmpty() || !keyFile.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1 / %2").arg(certPath, keyPath);
        return false;
    }
    const QSslKey key(&keyFile, QSsl::Ec, QSsl::Pem);
    if (key.isNull()) {
        *error = QStringLiteral("cannot parse private key %1").arg(keyPath);
        return false;
    }
    m_sslConfig = QSslConfiguration::defaultConfiguration();
    m_sslConfig.setLocalCertificate(certs.first());
    m_sslConfig.setPrivateKey(key);
    m_sslConfig.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_sslConfig.setAllowedNextProtocols({ QByteArrayLiteral("http/1.1") });
    m_tls = true;
    return true;
}

void LoopbackServer::incomingConnection(qintptr socketDescriptor)
{
    ++m_state->connections;
    if (!m_tls) {
        auto *socket = new QTcpSocket;
        if (!socket->setSocketDescriptor(socketDescriptor)) {
            delete socket;
            return;
        }
        new LoopbackConnection(socket, m_state, this);
        return;
    }
    auto *socket = new QSslSocket;
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    socket->setSslConfiguration(m_sslConfig);
    new LoopbackConnection(socket, m_state, this);
    socket->startServerEncryption();
}

} // namespace portico::test
