#include "support/LoopbackConnection.h"

#include "support/WebSocketFrame.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

namespace portico::test {

namespace {

constexpr qsizetype kMaxHead = 64 * 1024;
constexpr qint64 kMaxBodyBytes = qint64(512) * 1024 * 1024;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 418:
        return "I'm a teapot";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Status";
    }
}

bool bodyless(int status)
{
    return status < 200 || status == 204 || status == 304;
}

// "300ms", "2s", "1.5s", "1m" or a bare number of milliseconds.
bool parseDurationMs(const QString &text, int *ms)
{
    QString t = text.trimmed();
    double factor = 1;
    if (t.endsWith(QLatin1String("ms"))) {
        t.chop(2);
    } else if (t.endsWith(QLatin1Char('s'))) {
        t.chop(1);
        factor = 1000;
    } else if (t.endsWith(QLatin1Char('m'))) {
        t.chop(1);
        factor = 60000;
    }
    bool ok = false;
    const double value = t.toDouble(&ok) * factor;
    if (!ok || value < 0 || value > 3600000)
        return false;
    *ms = int(value);
    return true;
}

bool parseInt(const QString &text, qint64 min, qint64 max, qint64 *out)
{
    bool ok = false;
    const qint64 v = text.toLongLong(&ok);
    if (!ok || v < min || v > max)
        return false;
    *out = v;
    return true;
}

QByteArray patternBody(qint64 size)
{
    static const QByteArray alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    QByteArray out(qsizetype(size), Qt::Uninitialized);
    for (qsizetype i = 0; i < out.size(); ++i)
        out[i] = alphabet[i % alphabet.size()];
    return out;
}

} // namespace

LoopbackConnection::LoopbackConnection(
    QTcpSocket *socket, std::shared_ptr<LoopbackState> state, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_state(std::move(state))
{
    m_socket->setParent(this);
    m_streamTimer.setParent(this);
    connect(m_socket, &QTcpSocket::readyRead, this, &LoopbackConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    connect(&m_streamTimer, &QTimer::timeout, this, &LoopbackConnection::streamTick);
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &LoopbackConnection::onReadyRead, Qt::QueuedConnection);
}

void LoopbackConnection::onReadyRead()
{
    m_buffer += m_socket->readAll();
    if (m_closing)
        return;
    if (m_webSocket)
        processWebSocketFrames();
    else
        processNext();
}

void LoopbackConnection::processNext()
{
    if (m_busy || m_webSocket || m_closing)
        return;
    const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
    if (headEnd < 0) {
        if (m_buffer.size() > kMaxHead)
            sendError(431, QStringLiteral("request head larger than 64 KiB"));
        return;
    }
    RecordedRequest request;
    QByteArray requestLine;
    if (!wire::parseHead(m_buffer.left(headEnd), &requestLine, &request.headers))
        return sendError(400, QStringLiteral("malformed header line"));
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !parts[2].startsWith("HTTP/1."))
        return sendError(400, QStringLiteral("malformed request line"));
    request.method = parts[0];
    request.version = parts[2];
    const QString target = QString::fromLatin1(parts[1]);
    const qsizetype question = target.indexOf(QLatin1Char('?'));
    request.path = question < 0 ? target : target.left(question);
    request.query = question < 0 ? QString() : target.mid(question + 1);

    const qsizetype bodyStart = headEnd + 4;
    qsizetype consumed = bodyStart;
    const bool needsBody = wire::hasHeader(request.headers, "transfer-encoding")
        || wire::hasHeader(request.headers, "content-length");
    if (wire::headerHasToken(request.headers, "transfer-encoding", "chunked")) {
        const qsizetype n = wire::decodeChunked(m_buffer, bodyStart, &request.body, &request.trailers);
        if (n < 0)
            return sendError(400, QStringLiteral("malformed chunked body"));
        consumed = bodyStart + n;
        if (n == 0)
            consumed = -1;
    } else if (wire::hasHeader(request.headers, "content-length")) {
        bool ok = false;
        const qint64 length = wire::headerValue(request.headers, "content-length").toLongLong(&ok);
        if (!ok || length < 0 || length > kMaxBodyBytes)
            return sendError(400, QStringLiteral("bad Content-Length"));
        if (m_buffer.size() - bodyStart < length) {
            consumed = -1;
        } else {
            request.body = m_buffer.mid(bodyStart, qsizetype(length));
            consumed = bodyStart + qsizetype(length);
        }
    }
    if (consumed < 0) {
        // Body still on its way: a client that waits for "100 Continue" would otherwise stall.
        if (needsBody && !m_sentContinue && wire::headerHasToken(request.headers, "expect", "100-continue")) {
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            m_sentContinue = true;
        }
        return;
    }
    m_buffer.remove(0, consumed);
    m_sentContinue = false;
    m_keepAlive = request.version == "HTTP/1.1"
        ? !wire::headerHasToken(request.headers, "connection", "close")
        : wire::headerHasToken(request.headers, "connection", "keep-alive");
    m_state->record(request);
    m_busy = true;
    handle(request);
}

QString LoopbackConnection::parseBehaviour(const QString &query, Behaviour *out)
{
    const QUrlQuery q(query);
    const auto value
        = [&q](const char *key) { return q.queryItemValue(QLatin1String(key), QUrl::FullyDecoded); };
    qint64 n = 0;
    if (q.hasQueryItem(QStringLiteral("status"))) {
        if (!parseInt(value("status"), 200, 599, &n))
            return QStringLiteral("status must be an integer from 200 to 599");
        out->status = int(n);
    }
    if (q.hasQueryItem(QStringLiteral("delay")) && !parseDurationMs(value("delay"), &out->delayMs))
        return QStringLiteral("delay must be a duration such as 300ms or 2s");
    if (q.hasQueryItem(QStringLiteral("interval")) && !parseDurationMs(value("interval"), &out->intervalMs))
        return QStringLiteral("interval must be a duration such as 50ms");
    out->close = value("close") == QLatin1String("1") || value("close") == QLatin1String("true");
    out->gzip = value("gzip") == QLatin1String("1") || value("gzip") == QLatin1String("true");
    if (q.hasQueryItem(QStringLiteral("sse"))) {
        if (!parseInt(value("sse"), 0, 100000, &n))
            return QStringLiteral("sse must be a number of events from 0 to 100000");
        out->sseEvents = int(n);
    }
    if (q.hasQueryItem(QStringLiteral("chunks"))) {
        if (!parseInt(value("chunks"), 0, 100000, &n))
            return QStringLiteral("chunks must be a number of chunks from 0 to 100000");
        out->chunkCount = int(n);
    }
    if (q.hasQueryItem(QStringLiteral("body_bytes"))) {
        if (!parseInt(value("body_bytes"), 0, kMaxBodyBytes, &out->bodyBytes))
            return QStringLiteral("body_bytes must be a byte count from 0 to 512 MiB");
    }
    if (q.hasQueryItem(QStringLiteral("ctype")))
        out->contentType = value("ctype").toUtf8();
    for (const char *key : { "header", "trailer" }) {
        wire::Headers &fields = qstrcmp(key, "header") == 0 ? out->extraHeaders : out->trailers;
        for (const QString &field : q.allQueryItemValues(QLatin1String(key), QUrl::FullyDecoded)) {
            const qsizetype colon = field.indexOf(QLatin1Char(':'));
            if (colon <= 0)
                return QStringLiteral("%1 must be Name:Value, got \"%2\"").arg(QLatin1String(key), field);
            fields.append({ field.left(colon).trimmed().toUtf8(), field.mid(colon + 1).trimmed().toUtf8() });
        }
    }
    return {};
}

void LoopbackConnection::handle(const RecordedRequest &request)
{
    if (wire::headerHasToken(request.headers, "upgrade", "websocket")
        && wire::headerHasToken(request.headers, "connection", "upgrade"))
        return upgradeToWebSocket(request);

    const bool head = request.method == "HEAD";
    if (request.path == QLatin1String("/healthz")) {
        const bool healthy = m_state->healthy.load();
        QJsonObject status { { QStringLiteral("status"),
                                 healthy ? QStringLiteral("ok") : QStringLiteral("unhealthy") },
            { QStringLiteral("server"), m_state->name } };
        return sendComplete(healthy ? 200 : 503, "application/json",
            QJsonDocument(status).toJson(QJsonDocument::Compact), {}, head);
    }

    Behaviour behaviour;
    const QString problem = parseBehaviour(request.query, &behaviour);
    if (!problem.isEmpty())
        return sendError(400, problem);
    if (behaviour.delayMs > 0) {
        // A timer, not a sleep: the server thread keeps serving other connections meanwhile.
        QTimer::singleShot(
            behaviour.delayMs, this, [this, request, behaviour] { respond(request, behaviour); });
        return;
    }
    respond(request, behaviour);
}

void LoopbackConnection::respond(const RecordedRequest &request, const Behaviour &behaviour)
{
    if (behaviour.close) {
        m_closing = true;
        m_socket->abort();
        deleteLater();
        return;
    }
    const bool head = request.method == "HEAD";
    if (behaviour.sseEvents >= 0 || behaviour.chunkCount >= 0) {
        m_streamSse = behaviour.sseEvents >= 0;
        m_streamTotal = m_streamSse ? behaviour.sseEvents : behaviour.chunkCount;
        return startStream(behaviour.status, behaviour);
    }
    QByteArray body;
    QByteArray contentType = "application/json";
    if (behaviour.bodyBytes >= 0) {
        body = patternBody(behaviour.bodyBytes);
        contentType = "application/octet-stream";
    } else {
        QJsonObject headers;
        for (const auto &[name, value] : request.headers) {
            const QString key = QString::fromLatin1(name).toLower();
            if (!headers.contains(key))
                headers.insert(key, QString::fromUtf8(request.header(name)));
        }
        const QJsonObject echo {
            { QStringLiteral("method"), QString::fromLatin1(request.method) },
            { QStringLiteral("path"), request.path },
            { QStringLiteral("query"), request.query },
            { QStringLiteral("headers"), headers },
            { QStringLiteral("body"), QString::fromUtf8(request.body) },
            { QStringLiteral("server"), m_state->name },
        };
        body = QJsonDocument(echo).toJson(QJsonDocument::Compact);
    }
    if (!behaviour.contentType.isEmpty())
        contentType = behaviour.contentType;
    sendComplete(behaviour.status, contentType, body, behaviour.extraHeaders, head, behaviour.gzip);
}

void LoopbackConnection::sendComplete(
    int status, QByteArray contentType, QByteArray body, const wire::Headers &extra, bool headOnly, bool gzip)
{
    wire::Headers headers = extra;
    if (bodyless(status))
        body.clear();
    if (gzip && !body.isEmpty()) {
        body = wire::gzip(body);
        headers.append({ QByteArray("Content-Encoding"), "gzip" });
    }
    if (!bodyless(status)) {
        headers.append({ QByteArray("Content-Type"), contentType });
        headers.append({ QByteArray("Content-Length"), QByteArray::number(body.size()) });
    }
    writeHead(status, headers);
    if (!headOnly)
        m_socket->write(body);
    finishResponse();
}

void LoopbackConnection::sendError(int status, const QString &message)
{
    // The request framing may be broken, so the connection cannot be reused after this answer.
    m_busy = true;
    m_keepAlive = false;
    m_buffer.clear();
    const QJsonObject error { { QStringLiteral("error"), message },
        { QStringLiteral("server"), m_state->name } };
    sendComplete(status, "application/json", QJsonDocument(error).toJson(QJsonDocument::Compact), {}, false);
}

void LoopbackConnection::startStream(int status, const Behaviour &behaviour)
{
    wire::Headers headers = behaviour.extraHeaders;
    QByteArray contentType = m_streamSse ? "text/event-stream" : "text/plain";
    if (!behaviour.contentType.isEmpty())
        contentType = behaviour.contentType;
    headers.append({ QByteArray("Content-Type"), contentType });
    if (m_streamSse)
        headers.append({ QByteArray("Cache-Control"), "no-cache" });
    headers.append({ QByteArray("Transfer-Encoding"), "chunked" });
    writeHead(status, headers);
    m_streamSent = 0;
    m_streamTrailers = behaviour.trailers;
    m_streamTimer.setInterval(behaviour.intervalMs);
    streamTick(); // the first piece goes out at once, the rest one interval apart
    if (m_busy)
        m_streamTimer.start();
}

void LoopbackConnection::streamTick()
{
    if (m_streamSent >= m_streamTotal) {
        m_streamTimer.stop();
        QByteArray last = "0\r\n";
        for (const auto &[name, value] : m_streamTrailers)
            last += name + ": " + value + "\r\n";
        m_socket->write(last + "\r\n");
        finishResponse();
        return;
    }
    const QByteArray n = QByteArray::number(m_streamSent);
    const QByteArray piece = m_streamSse ? "id: " + n + "\nevent: message\ndata: {\"n\":" + n
            + ",\"server\":\"" + m_state->name.toUtf8() + "\"}\n\n"
                                         : "chunk " + n + "\n";
    m_socket->write(wire::encodeChunk(piece));
    m_socket->flush();
    ++m_streamSent;
    if (m_streamSent >= m_streamTotal && m_streamTimer.interval() == 0)
        streamTick();
}

void LoopbackConnection::finishResponse()
{
    m_busy = false;
    if (!m_keepAlive) {
        m_closing = true;
        m_socket->disconnectFromHost();
        return;
    }
    if (!m_buffer.isEmpty())
        QMetaObject::invokeMethod(this, &LoopbackConnection::processNext, Qt::QueuedConnection);
}

void LoopbackConnection::writeHead(int status, const wire::Headers &headers)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    head += "X-Upstream-Name: " + m_state->name.toUtf8() + "\r\n";
    if (status != 101)
        head += m_keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    for (const auto &[name, value] : headers)
        head += name + ": " + value + "\r\n";
    head += "\r\n";
    m_socket->write(head);
}

void LoopbackConnection::upgradeToWebSocket(const RecordedRequest &request)
{
    const QByteArray key = request.header("sec-websocket-key");
    if (key.isEmpty() || request.method != "GET")
        return sendError(400, QStringLiteral("WebSocket upgrade needs GET and Sec-WebSocket-Key"));
    wire::Headers headers { { "Upgrade", "websocket" }, { "Connection", "Upgrade" },
        { "Sec-WebSocket-Accept", WebSocketFrame::acceptKey(key) } };
    const QByteArray protocols = request.header("sec-websocket-protocol");
    if (!protocols.isEmpty())
        headers.append({ QByteArray("Sec-WebSocket-Protocol"), protocols.split(',').first().trimmed() });
    writeHead(101, headers);
    m_webSocket = true;
    m_busy = false;
    processWebSocketFrames();
}

void LoopbackConnection::processWebSocketFrames()
{
    while (!m_closing) {
        WebSocketFrame frame;
        const qsizetype used = WebSocketFrame::decode(m_buffer, &frame);
        if (used == 0)
            return;
        if (used < 0 || !frame.masked) {
            // RFC 6455 7.4.1: 1002 protocol error (client frames must be masked).
            WebSocketFrame close { true, WebSocketFrame::Close, WebSocketFrame::closePayload(1002), false };
            m_socket->write(close.encode(false));
            m_closing = true;
            m_socket->disconnectFromHost();
            return;
        }
        m_buffer.remove(0, used);
        switch (frame.opcode) {
        case WebSocketFrame::Ping:
            frame.opcode = WebSocketFrame::Pong;
            m_socket->write(frame.encode(false));
            break;
        case WebSocketFrame::Pong:
            break;
        case WebSocketFrame::Close:
            m_socket->write(frame.encode(false));
            m_closing = true;
            m_socket->disconnectFromHost();
            return;
        default:
            m_socket->write(frame.encode(false));
            break;
        }
    }
}

} // namespace portico::test
