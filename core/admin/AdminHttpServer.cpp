#include "core/admin/AdminHttpServer.h"

namespace portico::admin {

AdminHttpServer::AdminHttpServer(Handler handler, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_handler(std::move(handler))
{
}

bool AdminHttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    m_handler(request, makeResponder(request, socket));
    return true;
}

void AdminHttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // Not reached: handleRequest() answers everything.
    m_handler(request, makeResponder(request, socket));
}

} // namespace portico::admin
