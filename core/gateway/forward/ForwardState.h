#pragma once

#include "core/gateway/forward/ForwardProxy.h"
#include "core/http/Transport.h"

#include <QHostAddress>
#include <QObject>

#include <memory>

class QSocketNotifier;

namespace portico::gateway {

// What a ProxyExchange keeps while it serves the forward proxy (ProxyExchangeForward.cpp): the
// origin the app named, a CONNECT's resolved address, the sniffing of a tunnel's first bytes and
// a passthrough tunnel's server side. The QObject owns the DNS lookup's and the notifier's
// lifetime: destroyed with the exchange, their callbacks never run on a deleted one.
struct ForwardState
{
    ForwardOrigin origin;
    bool originKnown = false;
    bool connect = false; // a CONNECT on proxy.listen
    bool answered = false; // the 200 Connection established went out
    QHostAddress address; // of the CONNECT host
    std::unique_ptr<QObject> context = std::make_unique<QObject>();
    QSocketNotifier *sniffer = nullptr; // child of context
    qint64 sniffSinceMs = 0;
    std::unique_ptr<http::Transport> peer; // a passthrough tunnel's server
    bool peerConnected = false;
    qint64 connectSinceMs = 0; // the passthrough connect started (steady ms)
};

} // namespace portico::gateway
