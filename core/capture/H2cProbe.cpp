#include "core/capture/H2cProbe.h"

#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace portico::capture {

void probeH2c(QObject *context, const QString &host, quint16 port, std::chrono::milliseconds timeout,
    std::function<void(bool speaksH2c)> done)
{
    auto *socket = new QTcpSocket(context);
    auto *timer = new QTimer(socket);
    timer->setSingleShot(true);
    auto pending = std::make_shared<std::function<void(bool)>>(std::move(done));
    const auto answer = [socket, pending](bool yes) {
        if (!*pending)
            return;
        const std::function<void(bool)> call = std::exchange(*pending, nullptr);
        socket->disconnect();
        socket->abort();
        socket->deleteLater();
        call(yes);
    };
    QObject::connect(socket, &QTcpSocket::connected, socket, [socket] {
        // The preface, then SETTINGS with no parameters: length 0, type 4, flags 0, stream 0.
        static const char kHello[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0";
        socket->write(kHello, sizeof kHello - 1);
    });
    QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket, answer] {
        if (socket->bytesAvailable() < 9)
            return;
        const QByteArray head = socket->read(9);
        const bool settings
            = head[3] == '\x04' && (head[4] & 0x01) == 0 && head.sliced(5) == QByteArray(4, '\0');
        answer(settings);
    });
    QObject::connect(socket, &QTcpSocket::errorOccurred, socket, [answer] { answer(false); });
    QObject::connect(timer, &QTimer::timeout, socket, [answer] { answer(false); });
    timer->start(timeout);
    socket->connectToHost(host, port);
}

} // namespace portico::capture
