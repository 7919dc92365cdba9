#include "core/admin/BodySender.h"

#include <QIODevice>
#include <QLoggingCategory>
#include <QTcpSocket>

namespace portico::admin {

namespace {

Q_LOGGING_CATEGORY(lcBody, "portico.admin.body")

constexpr qint64 kChunk = 64 * 1024;
constexpr qint64 kHighWater = 256 * 1024; // bytes queued in the socket before we wait for it

} // namespace

void BodySender::start(QTcpSocket *socket, std::shared_ptr<QIODevice> device)
{
    auto *sender = new BodySender(socket, std::move(device));
    sender->pump();
}

BodySender::BodySender(QTcpSocket *socket, std::shared_ptr<QIODevice> device)
    : QObject(socket)
    , m_socket(socket)
    , m_device(std::move(device))
{
    connect(m_socket, &QTcpSocket::bytesWritten, this, &BodySender::pump);
}

void BodySender::pump()
{
    if (!m_device)
        return;
    while (m_socket->bytesToWrite() < kHighWater) {
        if (m_device->atEnd()) {
            finish();
            return;
        }
        const QByteArray chunk = m_device->read(kChunk);
        if (chunk.isEmpty()) {
            qCWarning(lcBody,
                "admin: reading the response body failed before its end (%s); closing the connection",
                qPrintable(m_device->errorString()));
            finish();
            m_socket->abort();
            return;
        }
        if (m_socket->write(chunk) != chunk.size()) {
            finish();
            m_socket->abort();
            return;
        }
    }
}

void BodySender::finish()
{
    disconnect(m_socket, nullptr, this, nullptr);
    m_device.reset();
    deleteLater();
}

} // namespace portico::admin
