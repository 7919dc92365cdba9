#pragma once

// Helpers shared by the auth / jwt / acl / ratelimit filter tests: fake FilterCallbacks that record
// what a filter did, a request context builder, and a tiny loopback HTTP server whose answers the
// test scripts (JWKS documents, introspection responses).

#include "core/filters/Filter.h"

#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace portico::test {

class FakeCallbacks final : public filters::FilterCallbacks
{
public:
    void resume() override
    {
        if (!m_cancelled) {
            resumedOn = QThread::currentThread();
            ++resumed;
        }
    }
    void sendLocalReply(filters::LocalReply r) override
    {
        if (!m_cancelled)
            reply = std::move(r);
    }
    void sendResponse(http::ResponseHead head, QByteArray body) override
    {
        if (!m_cancelled)
            response = { std::move(head), std::move(body) };
    }
    bool cancelled() const override { return m_cancelled; }
    QNetworkAccessManager &network() override
    {
        if (!m_nam)
            m_nam = std::make_unique<QNetworkAccessManager>();
        return *m_nam;
    }
    void cancel() { m_cancelled = true; }
    // The worker's client going away (shutdown): deletes the replies it has in flight.
    void dropNetwork() { m_nam.reset(); }
    bool done() const { return resumed > 0 || reply.has_value(); }

    std::atomic<int> resumed { 0 };
    std::atomic<QThread *> resumedOn { nullptr };
    std::optional<filters::LocalReply> reply;
    std::optional<std::pair<http::ResponseHead, QByteArray>> response;

private:
    bool m_cancelled = false;
    std::unique_ptr<QNetworkAccessManager> m_nam;
};

// A request plus its context, kept together so ctx.request stays valid.
struct TestRequest
{
    explicit TestRequest(const config::Workspace &ws, const config::Route &route, QByteArray path = "/api")
    {
        head.method = "GET";
        head.path = std::move(path);
        head.target = head.path;
        ctx.request = &head;
        ctx.workspace = &ws;
        ctx.route = &route;
        ctx.clientAddress = QHostAddress(QStringLiteral("127.0.0.1"));
        callbacks = std::make_shared<FakeCallbacks>();
    }
    TestRequest(const TestRequest &) = delete;
    TestRequest &operator=(const TestRequest &) = delete;

    void setQuery(const QByteArray &q)
    {
        head.query = q;
        head.target = head.pathAndQuery();
    }

    http::RequestHead head;
    filters::RequestContext ctx;
    std::shared_ptr<FakeCallbacks> callbacks;
};

// One-response-per-connection HTTP server on loopback port 0. `handler` gets the raw request
// (head + body) and returns the full response bytes, or an empty array to never answer.
class ScriptedHttpServer
{
public:
    using Handler = std::function<QByteArray(const QByteArray &head, const QByteArray &body)>;

    explicit ScriptedHttpServer(Handler handler)
        : m_handler(std::move(handler))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
                QObject::connect(s, &QTcpSocket::readyRead, s, [this, s] { onData(s); });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }

    quint16 port() const { return m_server.serverPort(); }
    QString url(const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path);
    }
    int requests() const { return m_requests.load(); }
    QByteArray lastHead() const { return m_lastHead; }
    QByteArray lastBody() const { return m_lastBody; }
    void close() { m_server.close(); }
    // Answers every request the handler left unanswered, with `response`.
    void answerHeld(const QByteArray &response)
    {
        for (const QPointer<QTcpSocket> &s : std::as_const(m_held)) {
            if (s) {
                s->write(response);
                s->disconnectFromHost();
            }
        }
        m_held.clear();
    }

    static QByteArray response(
        int status, const QByteArray &body, const QByteArray &contentType = "application/json")
    {
        return "HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Type: " + contentType
            + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n"
            + body;
    }

private:
    void onData(QTcpSocket *s)
    {
        QByteArray &buf = m_buffers[s];
        buf += s->readAll();
        const qsizetype end = buf.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QByteArray head = buf.left(end);
        qsizetype length = 0;
        for (const QByteArray &line : head.split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        if (buf.size() < end + 4 + length)
            return;
        const QByteArray body = buf.mid(end + 4, length);
        m_buffers.remove(s);
        m_lastHead = head;
        m_lastBody = body;
        ++m_requests;
        const QByteArray out = m_handler(head, body);
        if (out.isEmpty()) {
            m_held.append(QPointer<QTcpSocket>(s));
            return;
        }
        s->write(out);
        s->disconnectFromHost();
    }

    Handler m_handler;
    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<QPointer<QTcpSocket>> m_held;
    std::atomic<int> m_requests { 0 };
    QByteArray m_lastHead;
    QByteArray m_lastBody;
};

} // namespace portico::test
