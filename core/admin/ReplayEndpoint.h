#pragma once

#include <QObject>
#include <QUrl>

class QHttpServerRequest;
class QHttpServerResponder;

namespace portico::gateway {
class Gateway;
}

namespace portico::admin {

class ExchangesEndpoint;

// POST /exchanges/{id}/replay[?target=URL&header=Name:Value...]: the admin API's one asynchronous
// call. An application/json body replaces a unary gRPC call's request message (proto3 JSON,
// encoded with the running schema; 400 invalid-grpc-message when it does not fit, nothing sent). Answers when
// the replay finishes (or at once when it cannot start); a client that left meanwhile is not written to.
class ReplayEndpoint final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplayEndpoint)

public:
    ReplayEndpoint(gateway::Gateway &gateway, ExchangesEndpoint &exchanges, QObject *parent);

    void start(const QString &id, const QHttpServerRequest &request, QHttpServerResponder &&responder);

private:
    // ?target=: this machine (loopback literals, localhost), one of the gateway's listeners, or a
    // configured upstream target; never anywhere else.
    bool targetAllowed(const QUrl &target) const;

    gateway::Gateway &m_gateway;
    ExchangesEndpoint &m_exchanges;
};

} // namespace portico::admin
