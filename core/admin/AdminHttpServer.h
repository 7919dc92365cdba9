#pragma once

#include <QAbstractHttpServer>
#include <QHttpServerResponder>

#include <functional>

namespace portico::admin {

// QtHttpServer's request plumbing with one handler for every request: AdminServer does its own
// routing (auth first, then 404/405 problems), which QHttpServer's router cannot express.
class AdminHttpServer final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminHttpServer)

public:
    using Handler = std::function<void(const QHttpServerRequest &request, QHttpServerResponder &&responder)>;

    explicit AdminHttpServer(Handler handler, QObject *parent = nullptr);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    Handler m_handler;
};

} // namespace portico::admin
