#include "core/http/SslTransport.h"

#include <QSslSocket>
#include <QTimer>

namespace portico::http {

SslTransport::SslTransport(QSslSocket *socket)
    : m_socket(socket)
{
    QObject::connect(m_socket, &QSslSocket::readyRead, [this] {
        if (m_readEnabled && onReadable)
            onReadable();
    });
    QObject::connect(m_socket, &QSslSocket::encrypted, [this] {
        if (onConnected)
            onConnected();
    });
    QObject::connect(m_socket, &QSslSocket::bytesWritten, [this] {
        if (m_socket->bytesToWrite() == 0 && onDrained)
            onDrained();
    });
    QObject::connect(m_socket, &QSslSocket::disconnected, [this] {
        if (m_failed)
            return; // fail() aborted the socket: onError says why, not an end of stream
        m_eof = true;
        if (onReadable)
            onReadable();
    });
    QObject::connect(m_socket, &QSslSocket::errorOccurred, [this](QAbstractSocket::SocketError e) {
        if (e == QAbstractSocket::RemoteHostClosedError) {
            m_eof = true;
            if (onReadable)
                onReadable();
            return;
        }
        if (e == QAbstractSocket::SslHandshakeFailedError) {
            // Why, in OpenSSL's words (e.g. "tlsv1 alert unknown ca": the peer did not trust us).
            m_reason = "TLS handshake failed: " + m_socket->errorString().toUtf8();
            fail(m_reason.constData());
            return;
        }
        fail(e == QAbstractSocket::ConnectionRefusedError ? "connection refused" : "connection failed");
    });
    QObject::connect(m_socket, &QSslSocket::sslErrors, [this](const QList<QSslError> &errors) {
        m_reason = "TLS certificate verification failed";
        if (!errors.isEmpty())
            m_reason += ": " + errors.first().errorString().toUtf8();
        fail(m_reason.constData());
    });
}

SslTransport *SslTransport::serverSide(int fd, const QSslConfiguration &config)
{
    auto *socket = new QSslSocket;
    if (!socket->setSocketDescriptor(fd)) {
        delete socket;
        return nullptr;
    }
    socket->setSslConfiguration(config);
    auto *t = new SslTransport(socket);
    socket->startServerEncryption();
    return t;
}

SslTransport *SslTransport::connectTo(const QString &host, quint16 port, const QSslConfiguration &config)
{
    auto *socket = new QSslSocket;
    socket->setSslConfiguration(config);
    socket->setPeerVerifyName(host);
    auto *t = new SslTransport(socket);
    socket->connectToHostEncrypted(host, port);
    return t;
}

SslTransport::~SslTransport()
{
    QObject::disconnect(m_socket, nullptr, nullptr, nullptr);
    if (m_closingGracefully && !m_failed && m_socket->state() != QAbstractSocket::UnconnectedState) {
        // The owner goes away right after close(true), but the socket still has to write what
        // disconnectFromHost() queued (the end of a response, close_notify): aborting here cut
        // responses short. Let it finish on its own, bounded in time.
        QSslSocket *socket = m_socket;
        QObject::connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
        QTimer::singleShot(10'000, socket, [socket] {
            socket->abort();
            socket->deleteLater();
        });
        return;
    }
    m_socket->abort();
    m_socket->deleteLater();
}

qint64 SslTransport::read(char *buffer, qint64 max)
{
    if (m_failed)
        return -1;
    const qint64 n = m_socket->read(buffer, max);
    if (n > 0)
        return n;
    if (m_eof || m_socket->state() != QAbstractSocket::ConnectedState)
        return -1;
    return 0;
}

void SslTransport::send(const QByteArray &data)
{
    if (!data.isEmpty() && !m_failed)
        m_socket->write(data);
}

void SslTransport::send(const QByteArray &head, const QByteArray &body)
{
    send(head);
    send(body);
}

qint64 SslTransport::pending() const
{
    return m_socket->bytesToWrite() + m_socket->encryptedBytesToWrite();
}

void SslTransport::setReadEnabled(bool enabled)
{
    const bool was = m_readEnabled;
    m_readEnabled = enabled;
    // QSslSocket buffers decrypted data itself; deliver what arrived while reading was paused.
    if (enabled && !was && m_socket->bytesAvailable() > 0) {
        // The transport may be gone by the time this runs (its socket is deleted later): check.
        std::weak_ptr<bool> alive = m_alive;
        QMetaObject::invokeMethod(
            m_socket,
            [this, alive] {
                if (alive.lock() && m_readEnabled && onReadable)
                    onReadable();
            },
            Qt::QueuedConnection);
    }
}

void SslTransport::close(bool graceful)
{
    m_closingGracefully = graceful;
    if (graceful)
        m_socket->disconnectFromHost();
    else
        m_socket->abort();
}

bool SslTransport::isOpen() const
{
    return !m_failed && m_socket->state() != QAbstractSocket::UnconnectedState;
}

void SslTransport::shutdownWrite()
{
    // TLS has no half-close that every peer understands; close after flushing.
    m_socket->disconnectFromHost();
}

void SslTransport::fail(const char *reason)
{
    if (m_failed)
        return;
    m_failed = true;
    m_socket->abort();
    if (onError)
        onError(reason);
}

QByteArray SslTransport::negotiatedProtocol() const
{
    return m_socket->sslConfiguration().nextNegotiatedProtocol();
}

} // namespace portico::http
