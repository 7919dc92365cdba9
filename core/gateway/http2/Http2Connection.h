#pragma once

#include "core/gateway/pipeline/DownstreamStream.h"
#include "core/http/Transport.h"

#include <QObject>

#include <map>
#include <memory>
#include <vector>

struct nghttp2_session;

namespace portico::gateway {

class Worker;

// The HTTP/2 downstream codec (RFC 9113, framing and HPACK by nghttp2): one client connection
// carrying many streams at once, each a DownstreamStream to the exchange pipeline, which is the
// same as for HTTP/1.1. Reached through prior-knowledge h2c (the client opens with the connection
// preface) on a cleartext listener or ALPN "h2" on a TLS one, when gateway.http2 is on: the
// HTTP/1.1 codec sees either first and hands the connection over (Http1Connection).
//
// Limits: at most kMaxConcurrentStreams streams at once (more are refused by nghttp2), request
// header lists and bodies by gateway.limits (431, 413), incoming resets rate-limited (rapid reset,
// CVE-2023-44487), CONTINUATION floods and HPACK tables bounded by nghttp2. Flow control: a
// stream's window is given back only as the pipeline takes its body and is not paused, so a slow
// upstream makes the client wait instead of Portico buffering.
class Http2Connection final : public QObject, public ClientConnection
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Http2Connection)

public:
    static constexpr int kMaxConcurrentStreams = 128;
    static constexpr qint64 kLingerMs = 5000; // after FIN: how long the client's close is awaited
    static constexpr QByteArrayView kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    // `preread`: bytes the HTTP/1.1 codec read before it saw that this is HTTP/2.
    Http2Connection(Worker *worker, std::unique_ptr<http::Transport> transport, DownstreamInfo info);
    ~Http2Connection() override;
    // Sends the server's SETTINGS and reads the client's preface (in `preread` or to come). Call
    // once the worker counts the connection: a bad preface closes it at once.
    void start(const QByteArray &preread);

    // ClientConnection
    void checkTimeouts(qint64 nowMs) override;
    void drain() override;
    void abort() override;
    bool busy() const override;

private:
    class Stream;
    friend class Stream;
    // A response head being built: names lower-cased, all fields in one buffer (no allocation per
    // field), kept by the connection so that its capacity serves every stream in turn.
    struct Head
    {
        struct Field
        {
            qsizetype name, nameLength, value, valueLength;
        };
        QByteArray buffer;
        std::vector<Field> fields;
        void clear()
        {
            buffer.resize(0);
            fields.clear();
        }
    };
    struct Callbacks;
    friend struct Callbacks;

    void onReadable();
    void receive(const char *data, size_t length);
    // Writes what nghttp2 has queued; from inside an nghttp2 call, right after it returns.
    void requestSend();
    void sendPending();
    void streamFinished(Stream *stream);
    void retire(int streamId);
    void purgeRetired();
    void closeConnection();
    void closeGracefully();
    void discardInput();
    Stream *stream(int streamId) const;
    // `stream` has something to do after the next write (see Stream::afterSend).
    void watch(Stream *stream);

    Worker *m_worker;
    std::unique_ptr<http::Transport> m_transport;
    DownstreamInfo m_info;
    nghttp2_session *m_session = nullptr;
    Head m_head; // the head a stream is building (Stream::beginHead .. endHead)
    QByteArray m_sendBuffer; // frames taken from nghttp2 for one write; its capacity is kept
    // Body buffers of streams that ended, kept for new ones (a body of 1 KiB is past glibc's
    // per-thread cache: each fresh buffer cost a trip through malloc's bins). Declared before
    // the streams, which give theirs back as they are deleted.
    std::vector<QByteArray> m_spareBuffers;
    std::map<int, std::unique_ptr<Stream>> m_streams;
    // The last stream looked up: nghttp2 calls back once per header field and frame, nearly
    // always for the same stream in a row.
    mutable int m_lastId = 0;
    mutable Stream *m_last = nullptr;
    // Ids of streams to visit after a write (an exchange waiting for the client to drain, an
    // answered stream whose client still sends); only these, not every open stream.
    std::vector<int> m_watched;
    std::vector<int> m_visitList; // m_watched's spare, being visited
    bool m_visiting = false;
    // Streams whose exchange and nghttp2 stream have both ended, deleted from the event loop (an
    // exchange may still be on the call stack when its stream closes).
    std::vector<std::unique_ptr<Stream>> m_retired;
    bool m_purgeQueued = false;
    int m_depth = 0; // inside an nghttp2 call: sends wait until it returns
    bool m_sendWanted = false;
    bool m_closed = false;
    bool m_closing = false;
    bool m_draining = false;
    bool m_lingering = false; // closing: queued frames go out, input is dropped (closeGracefully)
    bool m_writeShut = false; // lingering, and FIN is sent: waiting for the client's close
    qint64 m_idleSinceMs = 0;
    qint64 m_lingerSinceMs = 0;
};

} // namespace portico::gateway
