#include "core/host/GatewayHost.h"

#include "core/admin/AccessLog.h"
#include "core/admin/AdminServer.h"
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/config/WorkspaceLoader.h"
#include "core/gateway/DemoBackend.h"
#include "core/gateway/Gateway.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>

#include <algorithm>

namespace portico::host {

namespace {

QByteArray fileDigest(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

} // namespace

GatewayHost::GatewayHost(const Clock &clock, QObject *parent)
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
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(150);
    connect(&m_debounce, &QTimer::timeout, this, [this] {
        if (!m_watcher->files().contains(m_file) && QFileInfo::exists(m_file))
            m_watcher->addPath(m_file);
        reload(false);
    });
}

GatewayHost::~GatewayHost()
{
    m_watcher.reset();
    m_admin.reset();
    if (m_gateway->isRunning())
        m_gateway->stop();
    m_gateway.reset();
}

bool GatewayHost::openAccessLog(const QString &destination, QString *error)
{
    // Workers may be writing to an installed log: it is never replaced.
    if (m_accessLog || m_gateway->isRunning()) {
        if (error)
            *error = QStringLiteral("the access log is opened once, before the gateway starts");
        return false;
    }
    auto log = std::make_unique<admin::AccessLog>();
    if (!log->open(destination, error))
        return false;
    m_gateway->state().setExchangeSink(log.get());
    log->exportMetrics(m_gateway->metrics());
    m_accessLog = std::move(log);
    return true;
}

config::WorkspacePtr GatewayHost::startDemo(const QString &dataDir, QString *error)
{
    auto env = gateway::startDemo(dataDir, error);
    if (!env)
        return nullptr;
    m_demo = std::move(env);
    return m_demo->workspace;
}

bool GatewayHost::isRunning() const
{
    return m_gateway->isRunning();
}

int GatewayHost::revision() const
{
    return m_gateway->revision();
}

QList<QUrl> GatewayHost::listenUrls() const
{
    return m_gateway->listenUrls();
}

MetricsRegistry &GatewayHost::metrics() const
{
    return m_gateway->metrics();
}

capture::CaptureStore *GatewayHost::captureStore() const
{
    return m_gateway->captureStore();
}

QUrl GatewayHost::adminUrl() const
{
    return m_admin && m_admin->isListening() ? m_admin->url() : QUrl();
}

config::Diagnostics GatewayHost::problemsOf(const QStringList &problems, const QString &source) const
{
    config::Diagnostics out;
    for (const QString &p : problems) {
        config::Diagnostic d;
        d.file = source;
        d.message = p;
        out << d;
    }
    return out;
}

config::Diagnostics GatewayHost::start(const config::WorkspacePtr &ws, const QString &source)
{
    m_source = !source.isEmpty()        ? source
        : ws && !ws->filePath.isEmpty() ? ws->filePath
                                        : QStringLiteral("workspace");
    if (m_gateway->isRunning())
        return apply(ws);
    m_applying = true;
    QStringList problems = m_gateway->apply(ws);
    m_applying = false;
    if (problems.isEmpty())
        problems = m_gateway->start();
    if (!problems.isEmpty())
        return problemsOf(problems, m_source);
    announceCapture();
    Q_EMIT runningChanged(true);
    startAdmin();
    return {};
}

config::LoadResult GatewayHost::loadFile(const QString &path)
{
    m_file = QFileInfo(path).absoluteFilePath();
    m_digest = fileDigest(m_file);
    return config::loadWorkspaceFile(m_file);
}

config::Diagnostics GatewayHost::startFile(const QString &path)
{
    const config::LoadResult r = loadFile(path);
    if (!r.ok())
        return r.errors;
    return start(r.workspace, m_file);
}

config::Diagnostics GatewayHost::apply(const config::WorkspacePtr &ws)
{
    m_applying = true;
    const QStringList problems = m_gateway->apply(ws);
    m_applying = false;
    if (!problems.isEmpty())
        return problemsOf(problems, !m_file.isEmpty() ? m_file : m_source);
    Q_EMIT applied(m_gateway->revision());
    announceCapture();
    return {};
}

GatewayHost::ReloadResult GatewayHost::reload(bool force)
{
    if (m_file.isEmpty())
        return ReloadResult::Unchanged;
    const QByteArray now = fileDigest(m_file);
    if (!force && (now.isEmpty() || now == m_digest))
        return ReloadResult::Unchanged;
    m_digest = now;
    const config::LoadResult r = config::loadWorkspaceFile(m_file);
    config::Diagnostics problems = r.ok() ? apply(r.workspace) : r.errors;
    if (!problems.isEmpty()) {
        Q_EMIT reloadFailed(problems);
        return ReloadResult::Failed;
    }
    Q_EMIT reloaded(m_gateway->revision());
    return ReloadResult::Applied;
}

void GatewayHost::watchFile()
{
    if (m_file.isEmpty() || m_watcher)
        return;
    m_watcher = std::make_unique<QFileSystemWatcher>();
    m_watcher->addPath(m_file);
    m_watcher->addPath(QFileInfo(m_file).absolutePath());
    connect(m_watcher.get(), &QFileSystemWatcher::fileChanged, &m_debounce, qOverload<>(&QTimer::start));
    connect(m_watcher.get(), &QFileSystemWatcher::directoryChanged, &m_debounce, qOverload<>(&QTimer::start));
}

void GatewayHost::drain(std::chrono::milliseconds timeout)
{
    m_debounce.stop();
    m_watcher.reset();
    m_gateway->drain(timeout);
}

void GatewayHost::stop()
{
    if (!m_gateway->isRunning())
        return;
    if (m_admin) {
        m_admin.reset();
        Q_EMIT adminStopped();
    }
    m_gateway->stop();
    Q_EMIT runningChanged(false);
    announceCapture();
}

void GatewayHost::startAdmin()
{
    // A busy admin port does not stop the data plane: it is reported and the gateway keeps serving.
    m_admin = std::make_unique<admin::AdminServer>(*m_gateway);
    connect(m_admin.get(), &admin::AdminServer::addressChanged, this, &GatewayHost::adminListening);
    connect(m_admin.get(), &admin::AdminServer::stopped, this, &GatewayHost::adminStopped);
    connect(m_admin.get(), &admin::AdminServer::addressChangeFailed, this, &GatewayHost::adminFailed);
    QString error;
    if (!m_admin->startFollowing(&error))
        Q_EMIT adminFailed(error);
    else if (m_admin->isListening())
        Q_EMIT adminListening(m_admin->url());
}

qint64 GatewayHost::capturedExchanges() const
{
    capture::CaptureStore *store = captureStore();
    if (!store || store != m_announcedStore)
        return 0;
    const qint64 total = m_captureBaseline + qint64(store->storedRows());
    const qint64 cap = store->options().maxExchanges;
    return cap > 0 ? std::min(total, cap) : total;
}

void GatewayHost::announceCapture()
{
    capture::CaptureStore *store = m_gateway->isRunning() ? m_gateway->captureStore() : nullptr;
    QString path;
    if (const auto ws = m_gateway->workspace(); ws && ws->capture.enabled)
        path = ws->resolvePath(ws->capture.database);
    if (store == m_announcedStore && path == m_capturePath)
        return;
    m_announcedStore = store;
    m_capturePath = path;
    // Counted once here (on the control thread, an index count): the store's own counter grows
    // from 0.
    m_captureBaseline = 0;
    if (store) {
        capture::CaptureReader reader;
        if (reader.open(path))
            m_captureBaseline = std::max<qint64>(0, reader.count() - qint64(store->storedRows()));
    }
    Q_EMIT captureChanged(store, path);
}

} // namespace portico::host
