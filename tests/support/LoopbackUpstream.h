#pragma once

#include "support/RecordedRequest.h"

#include <QList>
#include <QString>
#include <QUrl>

#include <memory>

class QTemporaryDir;

namespace portico::test {

struct LoopbackState;
class LoopbackThread;

// A real HTTP/1.1 server on 127.0.0.1 (port 0 = a free port), for integration tests of the gateway.
// It runs on its own QThread, so a test may block its main thread in a blocking client (RawClient,
// waitForReadyRead) while the upstream keeps answering. Connections are keep-alive (HTTP/1.1 default,
// `Connection: close` honoured); request bodies may be Content-Length or chunked; `Expect:
// 100-continue` gets its interim response.
//
// Every answer carries `X-Upstream-Name: <name>`. By default it is 200 application/json echoing the
// request:
//   {"method","path","query","headers":{lower-case name: value, repeated ones joined by ", "},
//    "body","server": <name>}
// Query parameters choose other behaviour (they combine; a bad value answers 400 {"error": ...}):
//   status=418            answer this status (200..599)
//   delay=300ms           wait before answering (ms, s, m or a bare number of ms); a timer, so other
//                         connections are served meanwhile. With close=1 the abort comes after it.
//   sse=N&interval=50ms   text/event-stream, chunked: N events "id: i / event: message /
//                         data: {"n":i,"server":name}", the first at once, then one per interval, then end
//   chunks=N&interval=..  chunked text/plain body of N chunks "chunk i\n", spaced like sse
//   trailer=Name:Value    (repeatable) a trailer field after the last chunk of chunks= or sse=
//   close=1               abort the connection without answering anything
//   body_bytes=N          a body of N bytes (application/octet-stream) repeating a-z0-9, instead of the echo
//   header=Name:Value     an extra response header (repeatable)
//   gzip=1                gzip the (non-streamed) body, with Content-Encoding: gzip
//   ctype=text/html       Content-Type of the answer
// Path /healthz answers 200 {"status":"ok"} or, after setHealthy(false), 503.
// A GET with `Connection: Upgrade` + `Upgrade: websocket` gets 101 with the right Sec-WebSocket-Accept
// (and the first offered Sec-WebSocket-Protocol), then every text/binary/continuation frame is echoed
// unmasked, ping gets pong, close is answered with close and the connection ends.
//
// With Options::tls the same is served over TLS with a self-signed certificate for localhost,
// 127.0.0.1 and ::1, generated at start; caCertPath() is what a client must trust.
//
// All accessors are thread-safe. Everything is stopped and freed in the destructor.
class LoopbackUpstream final
{
public:
    struct Options
    {
        bool tls = false;
        QString name = QStringLiteral("upstream"); // "server" in the echo, X-Upstream-Name
    };

    LoopbackUpstream();
    explicit LoopbackUpstream(const Options &options);
    ~LoopbackUpstream();
    LoopbackUpstream(const LoopbackUpstream &) = delete;
    LoopbackUpstream &operator=(const LoopbackUpstream &) = delete;

    // False if the server could not start (then errorString() says why and port() is 0).
    bool isRunning() const { return m_port != 0; }
    QString errorString() const { return m_error; }

    QString name() const;
    bool isTls() const { return m_tls; }
    quint16 port() const { return m_port; }
    // "http://127.0.0.1:PORT" (https with TLS) followed by pathAndQuery, e.g. url("/users?delay=1s").
    QUrl url(const QString &pathAndQuery = {}) const;
    // "127.0.0.1:PORT", the form a workspace `targets:` entry takes.
    QString hostPort() const;

    int requestCount() const;
    // Requests whose path is exactly `path` (to leave out health probes, say).
    int requestCount(const QString &path) const;
    // The most recent requests, oldest first; max < 0 means all that are kept (up to 1000).
    QList<RecordedRequest> lastRequests(int max = -1) const;
    // The most recent request, or an empty one if none arrived yet.
    RecordedRequest lastRequest() const;
    // TCP connections accepted so far, to check keep-alive reuse.
    int connectionCount() const;
    // Forget recorded requests and reset both counters.
    void clear();

    void setHealthy(bool healthy);
    bool isHealthy() const;

    // TLS only (empty otherwise). The certificate is self-signed, so caCertPath() == certPath().
    QString caCertPath() const { return m_certPath; }
    QString certPath() const { return m_certPath; }
    QString keyPath() const { return m_keyPath; }

private:
    std::shared_ptr<LoopbackState> m_state;
    std::unique_ptr<QTemporaryDir> m_certDir;
    std::unique_ptr<LoopbackThread> m_thread;
    bool m_tls = false;
    quint16 m_port = 0;
    QString m_error;
    QString m_certPath;
    QString m_keyPath;
};

} // namespace portico::test
