#include "ui/gateway/GatewayController.h"

#include "core/admin/AdminServer.h"
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/gateway/DemoBackend.h"
#include "core/gateway/Gateway.h"

#include <QUrl>

namespace portico::ui {

GatewayController::GatewayController(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_gateway(std::make_unique<gateway::Gateway>(clock))
{
    connect(m_gateway.get(), &gateway::Gateway::configApplied, this, [this](int revision) {
        if (m_applying)
            return;
        announceCapture();
        Q_EMIT applied(revision);
        Q_EMIT appliedElsewhere(revision);
    });
}

GatewayController::~GatewayController()
{
    m_admin.reset();
    if (m_gateway->isRunning())
        m_gateway->stop();
}

bool GatewayController::isRunning() const { return m_gateway->isRunning(); }

QStringList GatewayController::listenUrls() const
{
    QStringList urls;
    for (const QUrl &u : m_gateway->listenUrls())
        urls << u.toString();
    return urls;
}

MetricsRegistry &GatewayController::metrics() const { return m_gateway->metrics(); }

capture::CaptureStore *GatewayController::captureStore() const { return m_gateway->captureStore(); }

QStringList GatewayController::start(const config::WorkspacePtr &ws)
{
    if (m_gateway->isRunning())
        return apply(ws);
    m_applying = true;
    QStringList problems = m_gateway->apply(ws);
    m_applying = false;
    if (problems.isEmpty())
        problems = m_gateway->start();
    if (!problems.isEmpty())
        return problems;
    Q_EMIT runningChanged(true);
    announceCapture();
    startAdmin();
    return {};
}

void GatewayController::stop()
{
    if (!m_gateway->isRunning())
        return;
    if (m_admin) {
        m_admin.reset();
        Q_EMIT adminChanged(QUrl(), QString());
    }
    m_gateway->stop();
    Q_EMIT runningChanged(false);
    announceCapture();
}

QStringList GatewayController::apply(const config::WorkspacePtr &ws)
{
    m_applying = true;
    const QStringList problems = m_gateway->apply(ws);
    m_applying = false;
    if (problems.isEmpty()) {
        Q_EMIT applied(m_gateway->revision());
        announceCapture();
    }
    return problems;
}

config::WorkspacePtr GatewayController::startDemo(const QString &dataDir, QString *error)
{
    auto env = gateway::startDemo(dataDir, error);
    if (!env)
        return nullptr;
    m_demo = std::move(env);
    return m_demo->workspace;
}

QUrl GatewayController::adminUrl() const
{
    return m_admin && m_admin->isListening() ? m_admin->url() : QUrl();
}

void GatewayController::startAdmin()
{
    m_admin = std::make_unique<admin::AdminServer>(*m_gateway);
    // A busy admin port does not stop the data plane (as with `serve`): it is reported.
    connect(m_admin.get(), &admin::AdminServer::addressChanged, this,
        [this](const QUrl &url) { Q_EMIT adminChanged(url, QString()); });
    connect(m_admin.get(), &admin::AdminServer::stopped, this,
        [this] { Q_EMIT adminChanged(QUrl(), QString()); });
    connect(m_admin.get(), &admin::AdminServer::addressChangeFailed, this,
        [this](const QString &error) { Q_EMIT adminChanged(adminUrl(), error); });
    QString error;
    if (!m_admin->startFollowing(&error))
        Q_EMIT adminChanged(QUrl(), error);
    else
        Q_EMIT adminChanged(adminUrl(), QString());
}

qint64 GatewayController::capturedExchanges() const
{
    capture::CaptureStore *store = captureStore();
    if (!store || store != m_announcedStore)
        return 0;
    const qint64 total = m_captureBaseline + qint64(store->storedRows());
    const qint64 cap = store->options().maxExchanges;
    return cap > 0 ? std::min(total, cap) : total;
}

void GatewayController::announceCapture()
{
    capture::CaptureStore *store = m_gateway->isRunning() ? m_gateway->captureStore() : nullptr;
    QString path;
    if (const auto ws = m_gateway->workspace(); ws && ws->capture.enabled)
        path = ws->resolvePath(ws->capture.database);
    if (store == m_announcedStore && path == m_capturePath)
        return;
    m_announcedStore = store;
    m_capturePath = path;
    // Counted once here (on the GUI thread, an index count): the store's own counter grows from 0.
    m_captureBaseline = 0;
    if (store) {
        capture::CaptureReader reader;
        if (reader.open(path))
            m_captureBaseline = std::max<qint64>(0, reader.count() - qint64(store->storedRows()));
    }
    Q_EMIT captureChanged(store, path);
}

} // namespace portico::ui
