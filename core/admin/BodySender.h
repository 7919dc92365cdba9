#pragma once

#include <QObject>

#include <memory>

class QIODevice;
class QTcpSocket;

namespace portico::admin {

// Sends the rest of a device to a socket as the socket drains, for bodies too large to hold in
// memory (a HAR export of a million exchanges): at most a few hundred KiB wait in the socket's
// buffer at any time. The sender is a child of the socket, so a client that leaves takes the
// sender, and with it the sender's reference to the device, along (a QTemporaryFile behind it is
// then removed). It lets go of the device as soon as the last byte is handed to the socket.
// A device that fails to read before its end aborts the connection: the promised
// Content-Length cannot be kept, and a cut connection is what tells the client.
class BodySender final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BodySender)

public:
    // Starts sending at once; the headers must already be written to `socket`.
    static void start(QTcpSocket *socket, std::shared_ptr<QIODevice> device);

private:
    BodySender(QTcpSocket *socket, std::shared_ptr<QIODevice> device);
    void pump();
    void finish();

    QTcpSocket *m_socket;
    std::shared_ptr<QIODevice> m_device;
};

} // namespace portico::admin
