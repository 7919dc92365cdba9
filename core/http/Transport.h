#pragma once

#include <QByteArray>

#include <deque>
#include <functional>

namespace portico::http {

// A byte stream to a peer (client or upstream), plain TCP on a raw non-blocking descriptor or TLS.
// Owns its outgoing queue: send() writes as much as the kernel takes at once and keeps the rest,
// so callers never handle partial writes. The owner installs callbacks once:
//   onReadable  - bytes (or EOF) are waiting: call read() until it returns 0
//   onDrained   - the outgoing queue just became empty (resume producers that paused on pending())
//   onConnected - an outgoing connect() finished (upstreams only)
//   onError     - the connection failed or was reset; the transport is closed
// All calls happen on the thread that owns the transport (a worker's event loop).
class Transport
{
public:
    virtual ~Transport() = default;

    std::function<void()> onReadable;
    std::function<void()> onDrained;
    std::function<void()> onConnected;
    std::function<void(const char *reason)> onError;

    // Reads up to `max` bytes. Returns >0 bytes read, 0 if nothing is available now, -1 on EOF
    // (peer closed its side) or error.
    virtual qint64 read(char *buffer, qint64 max) = 0;
    // Queues bytes for the peer and writes what the kernel takes now.
    virtual void send(const QByteArray &data) = 0;
    // Head and body in one call (one writev where the transport can).
    virtual void send(const QByteArray &head, const QByteArray &body) = 0;
    // Bytes queued but not yet written.
    virtual qint64 pending() const = 0;
    // Stop/start reading (backpressure).
    virtual void setReadEnabled(bool enabled) = 0;
    // Closes after the queued bytes are written (graceful), or at once.
    virtual void close(bool graceful) = 0;
    virtual bool isOpen() const = 0;
    virtual bool isEncrypted() const { return false; }
    // The protocol ALPN agreed on ("h2", "http/1.1"), empty without TLS or ALPN.
    virtual QByteArray negotiatedProtocol() const { return {}; }
    // Half-close the write side after pending bytes (used by tunnels when a peer half-closes).
    virtual void shutdownWrite() = 0;
};

} // namespace portico::http
