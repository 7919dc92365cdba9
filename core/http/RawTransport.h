#pragma once

#include "core/http/Transport.h"

#include <QHostAddress>

class QSocketNotifier;

namespace portico::http {

// Plain TCP on a non-blocking descriptor watched by QSocketNotifiers. Cheaper than QTcpSocket on
// the proxy path: reads go straight into the caller's buffer, a head and body leave in one writev,
// and the write notifier is armed only while the kernel's buffer is full.
class RawTransport final : public Transport
{
public:
    // Adopts a connected (accepted) descriptor.
    explicit RawTransport(int fd);
    // Starts a non-blocking connect; onConnected or onError follows. Returns null on immediate failure.
    static RawTransport *connectTo(const QHostAddress &address, quint16 port, QString *error);
    ~RawTransport() override;

    qint64 read(char *buffer, qint64 max) override;
    void send(const QByteArray &data) override;
    void send(const QByteArray &head, const QByteArray &body) override;
    qint64 pending() const override { return m_pendingBytes; }
    void setReadEnabled(bool enabled) override;
    void close(bool graceful) override;
    bool isOpen() const override { return m_fd >= 0; }
    void shutdownWrite() override;

    int descriptor() const { return m_fd; }
    // Gives up the descriptor (for handing it to a TLS socket); the transport is closed after.
    int takeDescriptor();

private:
    RawTransport(int fd, bool connecting);
    void setupNotifiers();
    void flush();
    void onWritable();
    void fail(const char *reason);
    void destroyNotifiers();

    int m_fd = -1;
    bool m_connecting = false;
    bool m_closeWhenDrained = false;
    bool m_shutdownWhenDrained = false;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    std::deque<QByteArray> m_queue;
    qint64 m_queueOffset = 0; // bytes of m_queue.front() already written
    qint64 m_pendingBytes = 0;
};

} // namespace portico::http
