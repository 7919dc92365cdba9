#pragma once

#include "core/http/Transport.h"

#include <QHostAddress>

#include <memory>

class QSocketNotifier;
typedef struct ssl_st SSL;

namespace portico::http {

class TlsContext;

// TLS with OpenSSL straight on a non-blocking descriptor watched by QSocketNotifiers, the way
// RawTransport does plain TCP: SSL_read decrypts into the caller's buffer, SSL_write encrypts
// from the queue (a head and a small body leave as one record), and the notifiers follow what
// OpenSSL waits for (WANT_READ / WANT_WRITE). Used for gateway.tls listeners, the forward proxy's
// intercepted tunnels (server side) and https:// upstreams and origins (client side, verified).
class TlsTransport final : public Transport
{
public:
    // Server side: adopts an accepted (or tunnelled) descriptor and starts the handshake.
    static TlsTransport *serverSide(int fd, std::shared_ptr<const TlsContext> context);
    // Client side: a non-blocking connect to `address`, then the handshake with SNI and peer
    // verification for `peerName` (a host name or an IP address literal). onConnected follows the
    // handshake, onError a failure. Returns null on immediate failure (`error` says why).
    static TlsTransport *connectTo(const QHostAddress &address, quint16 port, const QString &peerName,
        std::shared_ptr<const TlsContext> context, QString *error);
    ~TlsTransport() override;

    qint64 read(char *buffer, qint64 max) override;
    void send(const QByteArray &data) override;
    void send(const QByteArray &head, const QByteArray &body) override;
    qint64 pending() const override { return m_pendingBytes; }
    void setReadEnabled(bool enabled) override;
    void close(bool graceful) override;
    bool isOpen() const override { return m_fd >= 0 && !m_failed; }
    bool isEncrypted() const override { return true; }
    QByteArray negotiatedProtocol() const override;
    void shutdownWrite() override;

    bool handshakeDone() const { return m_state == State::Open; }

private:
    enum class State { Connecting, Handshaking, Open, Closed };
    struct Chunk
    {
        QByteArray data;
        qsizetype offset = 0;
    };

    TlsTransport(int fd, SSL *ssl, std::shared_ptr<const TlsContext> context, State state);
    void onReadActivated();
    void onWriteActivated();
    void handshake();
    void handshakeEnded(int result);
    // SSL_write from `data` until done or blocked; returns the bytes OpenSSL took, -1 on failure.
    qint64 writeSome(const char *data, qint64 size);
    void enqueue(QByteArray data, qsizetype offset);
    bool canWriteNow() const;
    void deliverLater();
    void flush();
    void drained();
    void updateNotifiers();
    void endOfStream();
    void fail(const char *reason);
    void destroyNotifiers();
    void sendCloseNotify();

    int m_fd = -1;
    SSL *m_ssl = nullptr;
    std::shared_ptr<const TlsContext> m_context;
    State m_state = State::Handshaking;
    bool m_readEnabled = true;
    bool m_handshakeWantsWrite = false;
    bool m_readWantsWrite = false; // SSL_read needs the socket writable to go on (rare)
    bool m_writeWantsRead = false; // SSL_write needs input first (rare)
    bool m_writeBlocked = false; // the kernel's buffer is full: wait for the write notifier
    bool m_eof = false;
    bool m_failed = false;
    bool m_closeWhenDrained = false;
    bool m_shutdownWhenDrained = false;
    bool m_notifySent = false;
    bool m_readSatisfied = false; // read() saw OpenSSL wait for the kernel (or the end)
    bool m_deliveryQueued = false;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    std::deque<Chunk> m_queue;
    qint64 m_pendingBytes = 0;
    QByteArray m_scratch; // a head and the start of its body, encrypted as one record
    QByteArray m_reason; // what fail() reports, kept alive for the call
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace portico::http
