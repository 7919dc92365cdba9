#include "support/RawClient.h"

#include <QDeadlineTimer>
#include <QSslConfiguration>
#include <QSslSocket>

namespace portico::test {

RawClient::RawClient()
    : m_socket(std::make_unique<QSslSocket>())
{
}

RawClient::~RawClient() = default;

bool RawClient::connectTo(const QString &host, quint16 port, int timeoutMs)
{
    close();
    m_socket->connectToHost(host, port);
    if (!m_socket->waitForConnected(timeoutMs)) {
        m_error = QStringLiteral("connect to %1:%2: %3").arg(host).arg(port).arg(m_socket->errorString());
        return false;
    }
    return true;
}

bool RawClient::connectTls(
    const QString &host, quint16 port, const QString &caCertPath, const QString &peerName, int timeoutMs)
{
    close();
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    if (!caCertPath.isEmpty()) {
        const QList<QSslCertificate> cas = QSslCertificate::fromPath(caCertPath, QSsl::Pem);
        if (cas.isEmpty()) {
            m_error = QStringLiteral("cannot read CA certificate %1").arg(caCertPath);
            return false;
        }
        config.addCaCertificates(cas);
    }
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    m_socket->setSslConfiguration(config);
    m_socket->connectToHostEncrypted(host, port, peerName.isEmpty() ? host : peerName);
    if (!m_socket->waitForEncrypted(timeoutMs)) {
        QStringList why { m_socket->errorString() };
        for (const QSslError &e : m_socket->sslHandshakeErrors())
            why << e.errorString();
        m_error = QStringLiteral("TLS connect to %1:%2: %3")
                      .arg(host)
                      .arg(port)
                      .arg(why.join(QLatin1String("; ")));
        return false;
    }
    return true;
}

bool RawClient::isConnected() const
{
    return m_socket->state() == QAbstractSocket::ConnectedState;
}

bool RawClient::send(const QByteArray &bytes, int timeoutMs)
{
    if (!isConnected()) {
        m_error = QStringLiteral("send: not connected");
        return false;
    }
    m_socket->write(bytes);
    const QDeadlineTimer deadline(timeoutMs);
    while (m_socket->bytesToWrite() > 0) {
        if (deadline.hasExpired() || !m_socket->waitForBytesWritten(int(deadline.remainingTime()))) {
            m_error = QStringLiteral("send: %1").arg(m_socket->errorString());
            return false;
        }
    }
    return true;
}

bool RawClient::fill(qint64 remainingMs)
{
    if (m_socket->bytesAvailable() > 0) {
        m_buffer += m_socket->readAll();
        return true;
    }
    if (m_peerClosed || m_socket->state() != QAbstractSocket::ConnectedState) {
        m_peerClosed = true;
        return false;
    }
    // Even with no time left, poll once: that is how a close which already happened gets noticed.
    if (m_socket->waitForReadyRead(int(qMax<qint64>(remainingMs, 0)))) {
        m_buffer += m_socket->readAll();
        return true;
    }
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        m_buffer += m_socket->readAll();
        m_peerClosed = true;
    }
    return false;
}

bool RawClient::parseResponse(RawResponse *response, bool headRequest, bool allowCloseDelimited)
{
    qsizetype start = 0;
    while (true) {
        const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n", start);
        if (headEnd < 0)
            return false;
        QByteArray statusLine;
        wire::Headers headers;
        if (!wire::parseHead(m_buffer.mid(start, headEnd - start), &statusLine, &headers)) {
            response->error = QStringLiteral("malformed response head");
            return true;
        }
        const QList<QByteArray> parts = statusLine.split(' ');
        bool ok = false;
        const int status = parts.size() >= 2 ? parts[1].toInt(&ok) : 0;
        if (!ok || !parts[0].startsWith("HTTP/")) {
            response->error
                = QStringLiteral("malformed status line: %1").arg(QString::fromLatin1(statusLine));
            return true;
        }
        if (status >= 100 && status < 200 && status != 101) {
            start = headEnd + 4; // interim response (100 Continue): the real one follows
            continue;
        }
        response->version = parts[0];
        response->status = status;
        response->reason = statusLine.mid(parts[0].size() + parts[1].size() + 2);
        response->headers = headers;
        const qsizetype bodyStart = headEnd + 4;
        qsizetype end = bodyStart;
        if (headRequest || status < 200 || status == 204 || status == 304) {
            response->body.clear();
        } else if (wire::headerHasToken(headers, "transfer-encoding", "chunked")) {
            const qsizetype n = wire::decodeChunked(m_buffer, bodyStart, &response->body);
            if (n < 0) {
                response->error = QStringLiteral("malformed chunked body");
                return true;
            }
            if (n == 0)
                return false;
            end = bodyStart + n;
        } else if (wire::hasHeader(headers, "content-length")) {
            const qint64 length = wire::headerValue(headers, "content-length").toLongLong(&ok);
            if (!ok || length < 0) {
                response->error = QStringLiteral("bad Content-Length");
                return true;
            }
            if (m_buffer.size() - bodyStart < length)
                return false;
            response->body = m_buffer.mid(bodyStart, qsizetype(length));
            end = bodyStart + qsizetype(length);
        } else {
            if (!allowCloseDelimited)
                return false;
            response->body = m_buffer.mid(bodyStart);
            end = m_buffer.size();
        }
        response->raw = m_buffer.left(end);
        response->complete = true;
        m_buffer.remove(0, end);
        return true;
    }
}

RawResponse RawClient::readResponse(int timeoutMs, bool headRequest)
{
    RawResponse response;
    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        // A body without length ends only with the connection, so it is complete only then.
        if (parseResponse(&response, headRequest, m_peerClosed))
            break;
        if (!fill(deadline.remainingTime())) {
            if (m_peerClosed && parseResponse(&response, headRequest, true))
                break;
            response.error = m_peerClosed
                ? (m_buffer.isEmpty() ? QStringLiteral("connection closed before any response")
                                      : QStringLiteral("connection closed in the middle of a response"))
                : QStringLiteral("timed out after %1 ms waiting for a response").arg(timeoutMs);
            response.raw = m_buffer;
            return response;
        }
    }
    if (!response.complete)
        response.raw = m_buffer;
    return response;
}

RawResponse RawClient::roundTrip(const QByteArray &request, int timeoutMs)
{
    if (!send(request, timeoutMs)) {
        RawResponse response;
        response.error = m_error;
        return response;
    }
    return readResponse(timeoutMs, request.startsWith("HEAD "));
}

QByteArray RawClient::readUntil(QByteArrayView marker, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        const qsizetype at = m_buffer.indexOf(marker);
        if (at >= 0) {
            const QByteArray out = m_buffer.left(at + marker.size());
            m_buffer.remove(0, out.size());
            return out;
        }
        if (!fill(deadline.remainingTime()))
            return {};
    }
}

QByteArray RawClient::readExactly(qsizetype n, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (m_buffer.size() < n && fill(deadline.remainingTime())) { }
    const QByteArray out = m_buffer.left(n);
    m_buffer.remove(0, out.size());
    return out;
}

QByteArray RawClient::readUntilClosed(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (fill(deadline.remainingTime())) { }
    const QByteArray out = m_buffer;
    m_buffer.clear();
    return out;
}

bool RawClient::isClosed(int waitMs)
{
    const QDeadlineTimer deadline(waitMs);
    while (!m_peerClosed) {
        if (!fill(deadline.remainingTime()) && !m_peerClosed)
            return m_socket->state() == QAbstractSocket::UnconnectedState;
    }
    return true;
}

void RawClient::close()
{
    m_socket->abort();
    m_buffer.clear();
    m_peerClosed = false;
    m_error.clear();
}

QByteArray httpRequest(const QByteArray &method, const QByteArray &target, const wire::Headers &headers,
    const QByteArray &body, bool keepAlive)
{
    QByteArray out = method + ' ' + target + " HTTP/1.1\r\n";
    if (!wire::hasHeader(headers, "host"))
        out += "Host: 127.0.0.1\r\n";
    for (const auto &[name, value] : headers)
        out += name + ": " + value + "\r\n";
    if (!wire::hasHeader(headers, "connection"))
        out += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    if (!body.isEmpty() && !wire::hasHeader(headers, "content-length")
        && !wire::hasHeader(headers, "transfer-encoding"))
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return out + "\r\n" + body;
}

} // namespace portico::test
