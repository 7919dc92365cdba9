#pragma once

// Helpers for the filter integration tests (tst_it_*.cpp): the filters of a route run inside a real
// Gateway (GatewayHarness) and are checked from the wire, on both sides of the proxy.
//
// Auth servers the tests start themselves (JWKS, token introspection: ScriptedHttpServer) live on the
// test thread, so a request whose filter calls them must not block that thread: sendSpinning()
// sends from a helper thread while the test's event loop keeps those servers answering.

#include "GatewayHarness.h"
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QTcpServer>
#include <QTest>

#include <future>

namespace portico::test {

// gatewayHeader() with a capture database ("traffic.db" next to the workspace file) instead of
// capture off, for tests that read what the gateway recorded.
inline QString gatewayHeaderWithCapture(const QString &extra = {})
{
    return QStringLiteral("version: 1\n"
                          "gateway:\n"
                          "  listen: 127.0.0.1:0\n"
                          "  workers: 2\n")
        + extra
        + QStringLiteral("capture: {database: traffic.db, max_body_bytes: 64KiB}\n"
                         "admin: {enabled: false}\n");
}

// The echo LoopbackUpstream answers with: {"method","path","query","headers":{...},"body"}.
inline QJsonObject echoOf(const RawResponse &r)
{
    return jsonOf(r);
}

inline QString echoHeader(const RawResponse &r, const QString &lowerName)
{
    return jsonOf(r).value(QStringLiteral("headers")).toObject().value(lowerName).toString();
}

// Runs `work` (blocking client code) on a helper thread and spins this thread's event loop until
// it returns, so servers living on the test thread keep serving meanwhile.
template<typename Work> auto runSpinning(Work work, int timeoutMs = 10000) -> decltype(work())
{
    auto pending = std::async(std::launch::async, std::move(work));
    QElapsedTimer timer;
    timer.start();
    while (pending.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        if (timer.elapsed() > timeoutMs)
            break; // the work's own deadlines have passed; get() below returns promptly
        pending.wait_for(std::chrono::milliseconds(1));
    }
    return pending.get();
}

// Sends `raw` on a fresh connection from another thread while spinning (see runSpinning).
inline RawResponse sendSpinning(const GatewayHarness &gw, const QByteArray &raw, int timeoutMs = 8000)
{
    const quint16 port = gw.port();
    return runSpinning(
        [port, raw, timeoutMs] {
            RawClient client;
            RawResponse failed;
            if (!client.connectTo(QStringLiteral("127.0.0.1"), port) || !client.send(raw)) {
                failed.error = client.errorString();
                return failed;
            }
            return client.readResponse(timeoutMs);
        },
        timeoutMs + 2000);
}

inline RawResponse getSpinning(
    const GatewayHarness &gw, const QByteArray &target, const wire::Headers &headers = {})
{
    wire::Headers h = headers;
    if (!wire::hasHeader(h, "host"))
        h.prepend({ "Host", "gateway.test" });
    return sendSpinning(gw, httpRequest("GET", target, h));
}

// A loopback port nothing listens on (bound for a moment, then released), for "connection
// refused" upstreams and auth servers.
inline quint16 closedLoopbackPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// Every exchange the gateway captured so far, oldest first (flushes the writer first).
inline QList<capture::Exchange> capturedExchanges(GatewayHarness &gw, QString *error = nullptr)
{
    QList<capture::Exchange> out;
    capture::CaptureStore *store = gw.gateway().captureStore();
    if (!store) {
        if (error)
            *error = QStringLiteral("capture is off");
        return out;
    }
    store->flush();
    capture::CaptureReader reader;
    if (!reader.open(gw.dir().path(QStringLiteral("traffic.db")), error))
        return out;
    const QList<capture::ExchangeSummary> rows = reader.listAscending({}, 1000);
    for (const capture::ExchangeSummary &s : rows) {
        if (auto e = reader.get(s.id))
            out.append(*e);
    }
    return out;
}

} // namespace portico::test
