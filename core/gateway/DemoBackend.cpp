#include "core/gateway/DemoBackend.h"

#include "core/config/WorkspaceLoader.h"
#include "core/http/MessageParser.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

extern const char *porticoDemoWorkspaceYaml; // generated from resources/demo/demo.yaml

namespace portico::gateway {

namespace {

// Parses requests on one demo connection with the same parser as the gateway.
class DemoConnection final : public QObject, private http::MessageParser::Sink
{
public:
    DemoConnection(QTcpSocket *socket, DemoBackend *backend,
                   std::function<QByteArray(const QByteArray &, const QByteArray &, const QByteArray &,
                                            const QList<std::pair<QByteArray, QByteArray>> &, int *)> answer)
        : QObject(socket)
        , m_socket(socket)
        , m_parser(http::MessageParser::Mode::Request, this)
        , m_answer(std::move(answer))
    {
        Q_UNUSED(backend);
        connect(socket, &QTcpSocket::readyRead, this, [this] { onRead(); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

private:
    void onRead()
    {
        m_buffer += m_socket->readAll();
        while (!m_buffer.isEmpty()) {
            const qint64 used = m_parser.feed(m_buffer.constData(), m_buffer.size());
            m_buffer.remove(0, used);
            if (m_parser.failed()) {
                m_socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                m_socket->disconnectFromHost();
                return;
            }
            if (m_parser.paused())
                m_parser.resume();
            else if (used == 0)
                break;
        }
    }
    void onRequestHead(http::RequestHead &&head) override
    {
        m_head = std::move(head);
        m_body.clear();
    }
    void onBody(const char *data, size_t length) override { m_body.append(data, qsizetype(length)); }
    void onMessageComplete() override
    {
        int status = 200;
        const QByteArray body = m_answer(m_head.method, m_head.path, m_body, m_head.headers.entries(), &status);
        QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + http::reasonPhrase(status)
            + "\r\nContent-Type: application/json\r\nServer: portico-demo\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        m_socket->write(out);
    }

    QTcpSocket *m_socket;
    http::MessageParser m_parser;
    std::function<QByteArray(const QByteArray &, const QByteArray &, const QByteArray &,
                             const QList<std::pair<QByteArray, QByteArray>> &, int *)>
        m_answer;
    QByteArray m_buffer;
    http::RequestHead m_head;
    QByteArray m_body;
};

QJsonObject user(int id, const QString &name, const QString &email, bool v2)
{
    QJsonObject u { { QStringLiteral("id"), id }, { QStringLiteral("name"), name }, { QStringLiteral("email"), email },
                    { QStringLiteral("ssn"), QStringLiteral("078-05-11%1").arg(20 + id) } };
    if (v2)
        u.insert(QStringLiteral("plan"), id % 2 ? QStringLiteral("gold") : QStringLiteral("free"));
    return u;
}

} // namespace

DemoBackend::DemoBackend(const QString &name, QObject *parent)
    : QObject(parent)
    , m_name(name)
{
    connect(&m_server, &QTcpServer::newConnection, this, &DemoBackend::onConnection);
}

bool DemoBackend::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

void DemoBackend::onConnection()
{
    while (QTcpSocket *s = m_server.nextPendingConnection()) {
        new DemoConnection(s, this, [this](const QByteArray &m, const QByteArray &p, const QByteArray &b,
                                           const QList<std::pair<QByteArray, QByteArray>> &h, int *status) {
            return answer(m, p, b, h, status);
        });
    }
}

QByteArray DemoBackend::answer(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                               const QList<std::pair<QByteArray, QByteArray>> &headers, int *status)
{
    QJsonObject seen;
    for (const auto &[k, v] : headers) {
        const QByteArray lower = k.toLower();
        if (lower.startsWith("x-consumer") || lower.startsWith("x-forwarded") || lower == "traceparent"
            || lower == "x-request-id" || lower == "x-gateway")
            seen.insert(QString::fromLatin1(lower), QString::fromUtf8(v));
    }
    const bool v2 = m_name.contains(u"v2");
    QJsonObject out;
    if (path == "/healthz") {
        out.insert(QStringLiteral("status"), QStringLiteral("ok"));
    } else if (path.startsWith("/users/me")) {
        out = user(1, QStringLiteral("Alice Liddell"), QStringLiteral("alice@example.com"), v2);
    } else if (path.startsWith("/api/users") || path.startsWith("/users")) {
        if (method == "POST") {
            *status = 201;
            out.insert(QStringLiteral("created"), QJsonDocument::fromJson(body).object());
        } else {
            const QList<QByteArray> parts = path.split('/');
            bool isId = false;
            const int id = parts.size() >= 4 ? parts[3].toInt(&isId) : 0;
            if (isId) {
                if (id < 1 || id > 3) {
                    *status = 404;
                    out.insert(QStringLiteral("error"), QStringLiteral("no user %1").arg(id));
                } else {
                    out = user(id, QStringLiteral("User %1").arg(id), QStringLiteral("user%1@example.com").arg(id), v2);
                }
            } else {
                QJsonArray items { user(1, QStringLiteral("Alice Liddell"), QStringLiteral("alice@example.com"), v2),
                                   user(2, QStringLiteral("Bob Builder"), QStringLiteral("bob@example.com"), v2),
                                   user(3, QStringLiteral("Carol Danvers"), QStringLiteral("carol@example.com"), v2) };
                out.insert(QStringLiteral("items"), items);
                out.insert(QStringLiteral("version"), v2 ? QStringLiteral("v2") : QStringLiteral("v1"));
            }
        }
    } else if (path.startsWith("/api/orders") || path.startsWith("/orders") || path.startsWith("/catalog")) {
        QJsonArray items;
        for (int i = 1; i <= 3; ++i) {
            items.append(QJsonObject { { QStringLiteral("id"), 1000 + i },
                                       { QStringLiteral("item"), QStringLiteral("Widget %1").arg(i) },
                                       { QStringLiteral("total"), 9.5 * i } });
        }
        out.insert(QStringLiteral("items"), items);
    } else {
        *status = 404;
        out.insert(QStringLiteral("error"), QStringLiteral("not found"));
    }
    out.insert(QStringLiteral("served_by"), m_name);
    out.insert(QStringLiteral("gateway_headers"), seen);
    return QJsonDocument(out).toJson(QJsonDocument::Compact);
}

QByteArray demoWorkspaceText(const DemoEnvironment &env)
{
    QByteArray text(porticoDemoWorkspaceYaml);
    const char *keys[] = { "{{USERS_V1_A}}", "{{USERS_V1_B}}", "{{USERS_V2}}", "{{ORDERS}}" };
    for (size_t i = 0; i < env.backends.size() && i < 4; ++i)
        text.replace(keys[i], QByteArray::number(env.backends[i]->port()));
    return text;
}

std::unique_ptr<DemoEnvironment> startDemo(const QString &dataDir, QString *error)
{
    auto env = std::make_unique<DemoEnvironment>();
    for (const char *name : { "users-v1-a", "users-v1-b", "users-v2", "orders" }) {
        auto b = std::make_unique<DemoBackend>(QString::fromLatin1(name));
        if (!b->listen()) {
            *error = QStringLiteral("demo backend %1 cannot listen on loopback").arg(QString::fromLatin1(name));
            return nullptr;
        }
        env->backends.push_back(std::move(b));
    }
    QDir().mkpath(dataDir);
    const QString fileName = QDir(dataDir).filePath(QStringLiteral("demo.yaml"));
    const config::LoadResult r = config::loadWorkspaceText(demoWorkspaceText(*env), fileName);
    if (!r.ok()) {
        QStringList lines;
        for (const auto &d : r.errors)
            lines << d.toString();
        *error = QStringLiteral("the built-in demo workspace is invalid:\n") + lines.join(u'\n');
        return nullptr;
    }
    env->workspace = r.workspace;
    return env;
}

} // namespace portico::gateway
