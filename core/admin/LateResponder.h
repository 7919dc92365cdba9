#pragma once

#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpSocket>

#include <memory>

namespace portico::admin {

// A responder answered after its handler returned (a replay, a HAR export). QtHttpServer 6.4
// crashes when a responder writes to a socket that is gone, so the socket is watched and checked
// before the answer is written. Copyable into the callbacks that answer.
struct LateResponder
{
    explicit LateResponder(QHttpServerResponder &&r)
        : socket(r.socket())
        , responder(std::make_shared<QHttpServerResponder>(std::move(r)))
    {
    }
    bool clientGone() const { return !socket || socket->state() != QAbstractSocket::ConnectedState; }
    QPointer<QTcpSocket> socket;
    std::shared_ptr<QHttpServerResponder> responder;
};

} // namespace portico::admin
