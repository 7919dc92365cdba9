#pragma once

#include "support/LoopbackState.h"
#include "support/RecordedRequest.h"

#include <QObject>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace portico::test {

// One accepted connection of LoopbackUpstream, living on the server thread. Reads requests one after
// another (keep-alive, pipelining), answers each as its query parameters ask (see LoopbackUpstream.h),
// and switches to echoing WebSocket frames after an Upgrade. Deletes itself when the peer goes away.
class LoopbackConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoopbackConnection)

public:
    LoopbackConnection(QTcpSocket *socket, std::shared_ptr<LoopbackState> state, QObject *parent);

private:
    // What the query parameters of one request ask for, validated before anything is sent.
    struct Behaviour
    {
        int status = 200;
        int delayMs = 0;
        bool close = false;
        int sseEvents = -1;
        int chunkCount = -1;
        int intervalMs = 50;
        qint64 bodyBytes = -1;
        bool gzip = false;
        QByteArray contentType;
        wire::Headers extraHeaders;
        wire::Headers trailers; // after a chunked body (chunks=, sse=)
    };
    static QString parseBehaviour(const QString &query, Behaviour *out);

    void onReadyRead();
    void processNext();
    void handle(const RecordedRequest &request);
    void respond(const RecordedRequest &request, const Behaviour &behaviour);
    void sendComplete(int status, QByteArray contentType, QByteArray body, const wire::Headers &extra,
        bool headOnly, bool gzip = false);
    void sendError(int status, const QString &message);
    void startStream(int status, const Behaviour &behaviour);
    void streamTick();
    void finishResponse();
    void writeHead(int status, const wire::Headers &headers);

    void upgradeToWebSocket(const RecordedRequest &request);
    void processWebSocketFrames();

    QTcpSocket *m_socket;
    std::shared_ptr<LoopbackState> m_state;
    QByteArray m_buffer;
    bool m_busy = false; // a response is being produced (delay or stream in progress)
    bool m_keepAlive = true; // of the request being answered
    bool m_sentContinue = false;
    bool m_webSocket = false;
    bool m_closing = false;

    // Streaming state (sse / chunks).
    QTimer m_streamTimer;
    bool m_streamSse = false;
    int m_streamSent = 0;
    int m_streamTotal = 0;
    wire::Headers m_streamTrailers;
};

} // namespace portico::test
