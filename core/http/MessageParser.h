#pragma once

#include "core/http/HttpMessage.h"

#include <http_parser.h>

#include <QString>

namespace portico::http {

// HTTP/1.x message parsing on libhttp-parser, for requests (from clients) and responses (from
// upstreams). Adds what a gateway needs on top of the parser: size limits (431/413), refusal of
// request-smuggling patterns (Content-Length with Transfer-Encoding, differing Content-Lengths,
// a non-chunked final transfer coding, obs-fold, bare CR), and one-message-at-a-time parsing:
// after a message completes the parser pauses, so pipelined requests are answered in order.
class MessageParser
{
public:
    enum class Mode { Request, Response };

    class Sink
    {
    public:
        virtual ~Sink() = default;
        // Request mode: the head is complete. Response mode: see onResponseHead.
        virtual void onRequestHead(RequestHead &&head) { Q_UNUSED(head); }
        virtual void onResponseHead(ResponseHead &&head) { Q_UNUSED(head); }
        virtual void onBody(const char *data, size_t length) = 0;
        // Fields after a chunked body (its trailer section), right before onMessageComplete.
        // They count against the same header limit as the head.
        virtual void onTrailers(HttpHeaders &&trailers) { Q_UNUSED(trailers); }
        virtual void onMessageComplete() = 0;
    };

    MessageParser(Mode mode, Sink *sink);

    void setLimits(qint64 maxHeaderBytes, qint64 maxBodyBytes);
    // Response mode: the next response answers a HEAD request (no body whatever its headers say).
    void setExpectNoBody(bool noBody) { m_expectNoBody = noBody; }

    // Feeds bytes; returns how many were consumed. Fewer than `length` means: paused after a
    // complete message (call resume() before feeding the rest), an upgrade (the rest is tunnel
    // data), or an error (see failed()).
    qint64 feed(const char *data, qint64 length);
    // End of stream from the peer: completes a close-delimited response body.
    void feedEof();
    void resume();

    bool failed() const { return m_errorStatus != 0; }
    int errorStatus() const { return m_errorStatus; } // 400, 413, 431 (requests); 502 (responses)
    const QString &errorDetail() const { return m_errorDetail; }
    bool paused() const { return m_paused; }
    bool upgrade() const { return m_parser.upgrade != 0; }
    bool keepAlive() const { return http_should_keep_alive(&m_parser) != 0; }
    bool chunked() const { return (m_parser.flags & F_CHUNKED) != 0; }
    // The declared body length, or -1 when none was declared (chunked or close-delimited).
    qint64 contentLength() const { return m_contentLength; }
    bool inMessage() const { return m_inMessage; }
    bool headComplete() const { return m_headComplete; }
    // A request that said `Expect: 100-continue`.
    bool expectsContinue() const { return m_expectContinue; }

private:
    static int onMessageBegin(http_parser *p);
    static int onUrl(http_parser *p, const char *at, size_t len);
    static int onStatus(http_parser *p, const char *at, size_t len);
    static int onHeaderField(http_parser *p, const char *at, size_t len);
    static int onHeaderValue(http_parser *p, const char *at, size_t len);
    static int onHeadersComplete(http_parser *p);
    static int onBodyData(http_parser *p, const char *at, size_t len);
    static int onMessageCompleteCb(http_parser *p);

    bool countHead(size_t len);
    bool scanHeadBytes(const char *data, qint64 length);
    bool checkFraming();
    void fail(int status, const QString &detail);

    Mode m_mode;
    Sink *m_sink;
    http_parser m_parser {};
    http_parser_settings m_settings {};
    qint64 m_maxHeaderBytes = 64 * 1024;
    qint64 m_maxBodyBytes = -1;
    qint64 m_headBytes = 0;
    qint64 m_bodyBytes = 0;
    qint64 m_contentLength = -1;
    bool m_inMessage = false;
    bool m_headComplete = false;
    bool m_expectNoBody = false;
    bool m_expectContinue = false;
    bool m_paused = false;
    bool m_lastWasValue = false;
    // Head scanning state (bare CR, obs-fold): the last bytes seen of the current head.
    int m_scanState = 0;
    bool m_scanDone = false;
    int m_errorStatus = 0;
    QString m_errorDetail;
    QByteArray m_url;
    QByteArray m_reason;
    HttpHeaders m_headers;
};

} // namespace portico::http
