#pragma once

#include "support/HttpWire.h"

#include <QByteArray>
#include <QString>

#include <memory>

class QSslSocket;

namespace portico::test {

// One HTTP response as RawClient read it off the wire.
struct RawResponse
{
    bool complete = false; // status line, head and the whole body were read
    QString error; // why not, when !complete
    QByteArray version; // "HTTP/1.1"
    int status = 0;
    QByteArray reason;
    wire::Headers headers;
    QByteArray body; // de-chunked; not decompressed
    QByteArray raw; // exactly the bytes of this response as received

    // Case-insensitive; repeated headers joined by ", ". Empty if absent.
    QByteArray header(QByteArrayView name) const { return wire::headerValue(headers, name); }
    bool hasHeader(QByteArrayView name) const { return wire::hasHeader(headers, name); }
};

// A blocking client for raw-socket tests: it sends exactly the bytes a test gives (malformed ones
// included) and parses what comes back, each call bounded by a deadline. It does not need an event
// loop, so the server under test must run on another thread (LoopbackUpstream does; so does the
// gateway). Bytes after one response stay buffered for the next read (pipelining, WebSocket frames).
class RawClient final
{
public:
    RawClient();
    ~RawClient();
    RawClient(const RawClient &) = delete;
    RawClient &operator=(const RawClient &) = delete;

    bool connectTo(const QString &host, quint16 port, int timeoutMs = 5000);
    // TLS: trusts the PEM CA file given (system CAs if empty) and verifies the peer as `peerName`
    // (default: host).
    bool connectTls(const QString &host, quint16 port, const QString &caCertPath = {},
        const QString &peerName = {}, int timeoutMs = 5000);
    bool isConnected() const;
    QString errorString() const { return m_error; }

    bool send(const QByteArray &bytes, int timeoutMs = 5000);

    // Reads one response. 1xx interim answers other than 101 are skipped. The body is framed by
    // Transfer-Encoding: chunked, Content-Length, or else the end of the connection; responses to HEAD
    // (pass headRequest) and 1xx/204/304 have none.
    RawResponse readResponse(int timeoutMs = 5000, bool headRequest = false);
    // send() then readResponse().
    RawResponse roundTrip(const QByteArray &request, int timeoutMs = 5000);

    // Returns buffered bytes up to and including `marker`, waiting for more until the deadline;
    // empty if the marker did not come (what arrived stays buffered).
    QByteArray readUntil(QByteArrayView marker, int timeoutMs = 5000);
    // Exactly n bytes, or fewer if the deadline passed or the peer closed.
    QByteArray readExactly(qsizetype n, int timeoutMs = 5000);
    // Everything until the peer closes the connection (or the deadline passes).
    QByteArray readUntilClosed(int timeoutMs = 5000);
    // True once the peer has closed (or reset) the connection; waits up to waitMs for that to happen.
    // Bytes that arrive meanwhile are kept for the next read.
    bool isClosed(int waitMs = 0);
    // Bytes received but not consumed by a read yet.
    QByteArray pending() const { return m_buffer; }

    void close();

private:
    bool fill(qint64 remainingMs);
    bool parseResponse(RawResponse *response, bool headRequest, bool allowCloseDelimited);

    std::unique_ptr<QSslSocket> m_socket;
    QByteArray m_buffer;
    QString m_error;
    bool m_peerClosed = false;
};

// Convenience for the common case: "GET path HTTP/1.1" with Host and Connection: close.
QByteArray httpRequest(const QByteArray &method, const QByteArray &target, const wire::Headers &headers = {},
    const QByteArray &body = {}, bool keepAlive = false);

} // namespace portico::test
