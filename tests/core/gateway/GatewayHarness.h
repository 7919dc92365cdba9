#pragma once

// A real Gateway inside the test process, built from a workspace YAML written to a temporary
// directory, plus the small request helpers every gateway test needs. The gateway's workers are
// threads, so the blocking RawClient calls made from the test thread are fine; only health checks
// and drain need the test's event loop (QTRY_* spins it).

#include "core/config/WorkspaceLoader.h"
#include "core/gateway/Gateway.h"
#include "support/FakeClock.h"
#include "support/LoopbackUpstream.h"
#include "support/RawClient.h"
#include "support/TempWorkspace.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <memory>

namespace portico::test {

// The gateway section most tests want: an ephemeral loopback port, two workers, capture and admin
// off. `extra` is spliced into `gateway:` (indented by the caller with two spaces), e.g. limits.
inline QString gatewayHeader(const QString &extra = {})
{
    return QStringLiteral("version: 1\n"
                          "gateway:\n"
                          "  listen: 127.0.0.1:0\n"
                          "  workers: 2\n")
        + extra
        + QStringLiteral("capture: {enabled: false}\n"
                         "admin: {enabled: false}\n");
}

class GatewayHarness
{
public:
    GatewayHarness()
        : m_gateway(std::make_unique<gateway::Gateway>(m_clock))
    {
    }
    ~GatewayHarness()
    {
        if (m_gateway->isRunning())
            m_gateway->drain(std::chrono::milliseconds(0));
    }
    GatewayHarness(const GatewayHarness &) = delete;
    GatewayHarness &operator=(const GatewayHarness &) = delete;

    // Loads a workspace file written from `yaml` (placeholders from `vars`). Returns null with
    // *problems filled when the loader refuses it.
    config::WorkspacePtr load(const QString &yaml, const QHash<QString, QString> &vars = {},
        QStringList *problems = nullptr, const QString &fileName = QStringLiteral("portico.yaml"))
    {
        const QString path = m_dir.writeWorkspace(yaml, vars, fileName);
        const config::LoadResult result = config::loadWorkspaceFile(path);
        if (!result.ok()) {
            if (problems) {
                for (const config::Diagnostic &d : result.errors)
                    problems->append(d.toString());
            }
            return nullptr;
        }
        return result.workspace;
    }

    // Loads, applies and starts. Returns the problems joined by newlines (empty = running).
    QString start(const QString &yaml, const QHash<QString, QString> &vars = {})
    {
        QStringList problems;
        const config::WorkspacePtr ws = load(yaml, vars, &problems);
        if (!ws)
            return problems.join(u'\n');
        problems = m_gateway->apply(ws);
        if (problems.isEmpty())
            problems = m_gateway->start();
        if (problems.isEmpty() && m_gateway->listenUrls().isEmpty())
            problems << QStringLiteral("the gateway reports no listener");
        return problems.join(u'\n');
    }

    // Hot reload: loads another file and applies it. Returns the problems (loader or gateway).
    QStringList reload(const QString &yaml, const QHash<QString, QString> &vars = {},
        const QString &fileName = QStringLiteral("portico.yaml"))
    {
        QStringList problems;
        const config::WorkspacePtr ws = load(yaml, vars, &problems, fileName);
        if (!ws)
            return problems;
        return m_gateway->apply(ws);
    }

    gateway::Gateway &gateway() { return *m_gateway; }
    TempWorkspace &dir() { return m_dir; }
    FakeClock &clock() { return m_clock; }
    quint16 port() const
    {
        const QList<QUrl> urls = m_gateway->listenUrls();
        return urls.isEmpty() ? 0 : quint16(urls.first().port());
    }

    // One request on a fresh connection. `raw` is sent as is.
    RawResponse send(const QByteArray &raw, int timeoutMs = 5000, bool headRequest = false) const
    {
        RawClient client;
        if (!client.connectTo(QStringLiteral("127.0.0.1"), port())) {
            RawResponse failed;
            failed.error = client.errorString();
            return failed;
        }
        if (!client.send(raw)) {
            RawResponse failed;
            failed.error = client.errorString();
            return failed;
        }
        return client.readResponse(timeoutMs, headRequest);
    }

    RawResponse get(const QByteArray &target, const wire::Headers &headers = {}, int timeoutMs = 5000) const
    {
        wire::Headers h = headers;
        if (!wire::hasHeader(h, "host"))
            h.prepend({ "Host", "gateway.test" });
        return send(httpRequest("GET", target, h), timeoutMs);
    }

    RawResponse request(const QByteArray &method, const QByteArray &target, const QByteArray &body = {},
        const wire::Headers &headers = {}) const
    {
        wire::Headers h = headers;
        if (!wire::hasHeader(h, "host"))
            h.prepend({ "Host", "gateway.test" });
        return send(httpRequest(method, target, h, body), 5000, method == "HEAD");
    }

private:
    FakeClock m_clock;
    TempWorkspace m_dir;
    std::unique_ptr<gateway::Gateway> m_gateway;
};

inline QJsonObject jsonOf(const RawResponse &response)
{
    return QJsonDocument::fromJson(response.body).object();
}

// "name: {targets: [{url: URL}]}" lines for an `upstreams:` section.
inline QString upstreamEntry(const QString &name, const LoopbackUpstream &upstream, const QString &extra = {})
{
    return QStringLiteral("  %1:\n    targets: [{url: %2}]\n").arg(name, upstream.url().toString()) + extra;
}

} // namespace portico::test
