#include "ui/gateway/GatewayController.h"

#include "core/capture/CaptureStore.h"
#include "core/host/GatewayHost.h"

namespace portico::ui {

namespace {

// The GUI shows the message alone: the document has no file position for a gateway problem.
QStringList messagesOf(const config::Diagnostics &problems)
{
    QStringList out;
    for (const config::Diagnostic &d : problems)
        out << d.message;
    return out;
}

} // namespace

GatewayController::GatewayController(const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_host(std::make_unique<host::GatewayHost>(clock))
{
    host::GatewayHost *h = m_host.get();
    connect(h, &host::GatewayHost::runningChanged, this, &GatewayController::runningChanged);
    connect(h, &host::GatewayHost::captureChanged, this, &GatewayController::captureChanged);
    connect(h, &host::GatewayHost::applied, this, &GatewayController::applied);
    connect(h, &host::GatewayHost::appliedElsewhere, this, &GatewayController::appliedElsewhere);
    connect(h, &host::GatewayHost::adminListening, this,
        [this](const QUrl &url) { Q_EMIT adminChanged(url, QString()); });
    connect(h, &host::GatewayHost::adminStopped, this, [this] { Q_EMIT adminChanged(QUrl(), QString()); });
    connect(h, &host::GatewayHost::adminFailed, this, [this](const QString &error) {
        ++m_adminFailures;
        Q_EMIT adminChanged(adminUrl(), error);
    });
}

GatewayController::~GatewayController() = default;

gateway::Gateway *GatewayController::gateway() const
{
    return &m_host->gateway();
}

bool GatewayController::isRunning() const
{
    return m_host->isRunning();
}

QStringList GatewayController::listenUrls() const
{
    QStringList urls;
    for (const QUrl &u : m_host->listenUrls())
        urls << u.toString();
    return urls;
}

MetricsRegistry &GatewayController::metrics() const
{
    return m_host->metrics();
}

capture::CaptureStore *GatewayController::captureStore() const
{
    return m_host->captureStore();
}

QString GatewayController::captureDatabase() const
{
    return m_host->captureDatabase();
}

qint64 GatewayController::capturedExchanges() const
{
    return m_host->capturedExchanges();
}

QUrl GatewayController::adminUrl() const
{
    return m_host->adminUrl();
}

QStringList GatewayController::start(const config::WorkspacePtr &ws)
{
    const bool wasRunning = m_host->isRunning();
    const int failures = m_adminFailures;
    const QStringList problems = messagesOf(m_host->start(ws));
    // The status bar also learns that a started gateway has no admin API (admin.enabled false).
    if (problems.isEmpty() && !wasRunning && m_host->adminUrl().isEmpty() && failures == m_adminFailures)
        Q_EMIT adminChanged(QUrl(), QString());
    return problems;
}

void GatewayController::stop()
{
    m_host->stop();
}

QStringList GatewayController::apply(const config::WorkspacePtr &ws)
{
    return messagesOf(m_host->apply(ws));
}

config::WorkspacePtr GatewayController::startDemo(const QString &dataDir, QString *error)
{
    return m_host->startDemo(dataDir, error);
}

} // namespace portico::ui
