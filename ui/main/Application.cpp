#include "ui/main/Application.h"

#include "core/capture/CaptureStore.h"
#include "core/common/Clock.h"
#include "core/gateway/Gateway.h"
#include "ui/dashboard/DashboardPage.h"
#include "ui/document/WorkspaceDocument.h"
#include "ui/exporter/ExportPage.h"
#include "ui/gateway/GatewayController.h"
#include "ui/gateway/SampleTraffic.h"
#include "ui/gateway/TargetHealth.h"
#include "ui/intercept/InterceptPage.h"
#include "ui/main/LiveState.h"
#include "ui/main/MainActions.h"
#include "ui/main/MainWindow.h"
#include "ui/main/RecentFiles.h"
#include "ui/main/StatusPanel.h"
#include "ui/models/AuthSchemesModel.h"
#include "ui/models/ConsumersModel.h"
#include "ui/models/RoutesModel.h"
#include "ui/models/TiersModel.h"
#include "ui/models/UpstreamsModel.h"
#include "ui/models/VersionedRoutesModel.h"
#include "ui/sections/AuthForm.h"
#include "ui/sections/ConsumerForm.h"
#include "ui/sections/LimitsBox.h"
#include "ui/sections/RouteForm.h"
#include "ui/sections/SectionPage.h"
#include "ui/sections/SettingsPage.h"
#include "ui/sections/TierForm.h"
#include "ui/sections/UpstreamForm.h"
#include "ui/sections/VersionsForm.h"
#include "ui/traffic/TrafficPage.h"
#include "ui/traffic/TrafficTable.h"
#include "ui/widgets/NoticeLog.h"

#include <QAction>
#include <QApplication>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyleFactory>
#include <QTimer>

namespace portico::ui {

Application::Application(QSettings *settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_document(new WorkspaceDocument(this))
    , m_recent(new RecentFiles(settings, this))
    , m_gateway(new GatewayController(SystemClock::instance(), this))
    , m_sample(new SampleTraffic(this))
    , m_window(new MainWindow(m_document, m_recent, settings))
{
    buildSections();
    wireGateway();
}

Application::~Application()
{
    m_sample->setRunning(false);
    // Stopping announces runningChanged; the window it would update is gone by then.
    disconnect(m_gateway, nullptr, this, nullptr);
    delete m_window;
    m_gateway->stop();
}

void Application::wireGateway()
{
    MainActions *actions = m_window->actions();
    actions->stop->setEnabled(false);
    m_live = new LiveState(m_document, this);
    auto showLive = [this, actions] {
        actions->liveLabel->setText(m_live->text());
        actions->liveLabel->setToolTip(m_live->toolTip());
        actions->setApplyPending(m_live->pending());
    };
    connect(m_live, &LiveState::changed, this, showLive);
    showLive();
    connect(m_window, &MainWindow::startRequested, this, &Application::startGateway);
    connect(m_window, &MainWindow::stopRequested, m_gateway, &GatewayController::stop);
    connect(m_window, &MainWindow::applyRequested, this, &Application::applyToGateway);
    connect(m_window, &MainWindow::sampleTrafficToggled, this, [this](bool on) {
        if (on && !m_gateway->isRunning())
            startGateway();
        m_sample->setRunning(on && m_gateway->isRunning());
    });
    connect(m_gateway, &GatewayController::runningChanged, this, [this, actions](bool running) {
        m_live->setRunning(running);
        actions->start->setEnabled(!running);
        actions->stop->setEnabled(running);
        m_window->status()->setListeners(m_gateway->listenUrls());
        const QStringList urls = m_gateway->listenUrls();
        m_sample->setTarget(urls.isEmpty() ? QUrl() : QUrl(urls.first()), m_gateway->gateway()->workspace());
        m_sample->setRunning(running && actions->sampleTraffic->isChecked());
        m_lastTotal = m_gateway->gateway()->totalRequests();
    });
    connect(m_gateway, &GatewayController::adminChanged, m_window->status(), &StatusPanel::setAdmin);
    connect(m_gateway, &GatewayController::captureChanged, this,
        [this](capture::CaptureStore *store) { m_sample->markStore(store); });
    // Sample traffic belongs to the demo: with another workspace open the switch is off.
    auto sampleAvailable = [this, actions] {
        const bool demo = m_sample->isDemo(m_document->workspace());
        actions->sampleTraffic->setEnabled(demo);
        if (!demo)
            actions->sampleTraffic->setChecked(false);
    };
    connect(m_document, &WorkspaceDocument::filePathChanged, this, sampleAvailable);
    sampleAvailable();
    connect(m_gateway, &GatewayController::appliedElsewhere, this, [this](int revision) {
        m_live->markAppliedElsewhere(revision);
        m_window->statusBar()->showMessage(
            tr("The admin API applied a new configuration (revision %1); Apply to Gateway would replace it")
                .arg(revision),
            15000);
    });
    connect(m_gateway, &GatewayController::applied, this, [this] {
        const QStringList urls = m_gateway->listenUrls();
        m_sample->setTarget(urls.isEmpty() ? QUrl() : QUrl(urls.first()), m_gateway->gateway()->workspace());
        m_window->status()->setListeners(urls);
    });
    auto *timer = new QTimer(this);
    timer->setInterval(1000);
    connect(timer, &QTimer::timeout, this, &Application::sampleStatus);
    timer->start();
}

void Application::showRateLimitStore()
{
    const config::WorkspacePtr ws = m_gateway->gateway()->workspace();
    const auto &store = m_gateway->gateway()->state().services.sharedRateLimits;
    // No store yet, or an older one, while no route of this config has a limit.
    if (!ws || !ws->rateLimitStore.shared() || !store || store->settings() != ws->rateLimitStore
        || !m_gateway->isRunning()) {
        m_window->status()->setRateLimitStore(QString(), -1, QString());
        return;
    }
    QString error;
    const auto address = config::parseRedisUrl(ws->rateLimitStore.redis, &error);
    const QString where = address
        ? QStringLiteral("%1:%2/%3").arg(address->host).arg(address->port).arg(address->db)
        : QString();
    using State = filters::ratelimit::RedisRateLimitStore::State;
    const State state = store->state();
    m_window->status()->setRateLimitStore(where,
        state == State::Up         ? 1
            : state == State::Down ? 0
                                   : -1,
        config::onErrorName(ws->rateLimitStore.onError));
}

void Application::sampleStatus()
{
    const quint64 total = m_gateway->gateway()->totalRequests();
    m_window->status()->setRequestsPerSecond(m_gateway->isRunning() ? double(total - m_lastTotal) : 0.0);
    m_lastTotal = total;
    showRateLimitStore();
    if (m_gateway->captureStore()) {
        // In WAL mode recent batches live in the -wal file until a checkpoint moves them over.
        const QString db = m_gateway->captureDatabase();
        const qint64 bytes = QFileInfo(db).size() + QFileInfo(db + QStringLiteral("-wal")).size();
        m_window->status()->setCaptureSize(m_gateway->capturedExchanges(), bytes);
    }
}

bool Application::startGateway()
{
    if (!m_document->diagnostics().isEmpty()) {
        m_window->goTo(m_document->diagnostics().first().path);
        QMessageBox::warning(m_window, tr("Cannot start the gateway"),
            tr("The workspace has problems; fix them first:\n\n%1")
                .arg(m_document->diagnostics().first().toString()));
        return false;
    }
    const QStringList problems = m_gateway->start(m_document->snapshot());
    if (!problems.isEmpty()) {
        QMessageBox::warning(m_window, tr("Cannot start the gateway"), problems.join(u'\n'));
        return false;
    }
    m_live->markApplied();
    m_window->statusBar()->showMessage(tr("Gateway started"), 3000);
    return true;
}

bool Application::applyToGateway()
{
    if (!m_document->diagnostics().isEmpty()) {
        m_window->goTo(m_document->diagnostics().first().path);
        m_window->statusBar()->showMessage(
            tr("Not applied: %n problem(s) in the workspace", nullptr, int(m_document->diagnostics().size())),
            5000);
        return false;
    }
    if (!m_gateway->isRunning())
        return startGateway();
    const QStringList problems = m_gateway->apply(m_document->snapshot());
    if (!problems.isEmpty()) {
        QMessageBox::warning(m_window, tr("Not applied"), problems.join(u'\n'));
        return false;
    }
    m_live->markApplied();
    m_window->statusBar()->showMessage(
        tr("Applied: revision %1 is live").arg(m_gateway->gateway()->revision()), 4000);
    return true;
}

bool Application::openDemo()
{
    QString error;
    const QString dir
        = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/demo");
    const config::WorkspacePtr ws = m_gateway->startDemo(dir, &error);
    if (!ws) {
        m_window->statusBar()->showMessage(tr("Demo unavailable: %1").arg(error), 8000);
        return false;
    }
    m_sample->setPlan(ws);
    m_document->reset(*ws);
    if (!startGateway())
        return false;
    m_window->actions()->sampleTraffic->setChecked(true);
    return true;
}

void Application::buildSections()
{
    WorkspaceDocument *doc = m_document;
    m_window->addSection(tr("Routes"), QStringLiteral("⇄"),
        new SectionPage(tr("Routes"), tr("Matched top to bottom; the first match wins."),
            new RoutesModel(doc), new RouteForm(doc)),
        QStringLiteral("routes"));
    auto *upstreamForm = new UpstreamForm(doc);
    auto *health = new TargetHealth(this);
    upstreamForm->setHealth(health);
    connect(m_gateway, &GatewayController::runningChanged, health, &TargetHealth::setRunning);
    connect(m_gateway->gateway(), &gateway::Gateway::targetHealthChanged, health, &TargetHealth::update);
    m_window->addSection(tr("Upstreams"), QStringLiteral("⛁"),
        new SectionPage(
            tr("Upstreams"), tr("The services behind the gateway."), new UpstreamsModel(doc), upstreamForm),
        QStringLiteral("upstreams"));
    m_window->addSection(tr("Consumers & Keys"), QStringLiteral("☺"),
        new SectionPage(tr("Consumers & Keys"), tr("Who calls the API, with which keys and plan."),
            new ConsumersModel(doc), new ConsumerForm(doc)),
        QStringLiteral("consumers"));
    m_window->addSection(tr("Auth"), QStringLiteral("⚷"),
        new SectionPage(tr("Auth"), tr("Named schemes; routes list the ones they accept."),
            new AuthSchemesModel(doc), new AuthForm(doc)),
        QStringLiteral("auth"));
    auto *tiers = new SectionPage(tr("Tiers & Limits"),
        tr("Per-consumer plans, and the gateway's own limits."), new TiersModel(doc), new TierForm(doc));
    tiers->addBelowForm(new LimitsBox(doc));
    m_window->addSection(tr("Tiers & Limits"), QStringLiteral("◔"), tiers, QStringLiteral("tiers"));
    m_window->addSection(tr("Versions"), QStringLiteral("⎇"),
        new SectionPage(tr("Versions"), tr("Routes that map API versions to upstreams."),
            new VersionedRoutesModel(doc), new VersionsForm(doc)));
    auto *traffic = new TrafficPage;
    connect(m_gateway, &GatewayController::captureChanged, traffic, &TrafficPage::setSource);
    traffic->table()->setSettings(m_settings);
    connect(traffic, &TrafficPage::noticeShown, m_window->noticeLog(), &NoticeLog::add);
    traffic->setWorkspaceProvider([this] {
        const gateway::Gateway *g = m_gateway->gateway();
        return g && m_gateway->isRunning() ? ReplayWorkspace { g->workspace(), g->listenUrls() }
                                           : ReplayWorkspace {};
    });
    // With the gateway stopped, the inspector still shows the workspace's capture history.
    connect(doc, &WorkspaceDocument::filePathChanged, traffic, [this, traffic] {
        const config::Workspace &ws = m_document->workspace();
        if (!m_gateway->isRunning() && ws.capture.enabled && !ws.filePath.isEmpty())
            traffic->setSource(nullptr, ws.resolvePath(ws.capture.database));
    });
    m_window->addSection(tr("Traffic"), QStringLiteral("☰"), traffic);
    auto *dashboard = new DashboardPage;
    connect(m_gateway, &GatewayController::captureChanged, dashboard, &DashboardPage::setCaptureStore);
    connect(m_gateway, &GatewayController::runningChanged, dashboard, [this, dashboard](bool running) {
        dashboard->setMetrics(running ? &m_gateway->metrics() : nullptr);
    });
    m_window->addSection(tr("Dashboard"), QStringLiteral("▤"), dashboard);
    auto *intercept
        = new InterceptPage(doc, m_gateway, m_window->actions()->start, m_window->actions()->stop);
    // The status bar's messages also go to its notice log (MainWindow).
    connect(intercept, &InterceptPage::noticeShown, m_window,
        [this](const QString &text) { m_window->statusBar()->showMessage(text, 6000); });
    m_window->addSection(tr("Intercept"), QStringLiteral("⇆"), intercept, QStringLiteral("proxy"));
    m_window->addSection(tr("Export"), QStringLiteral("⇪"), new ExportPage(doc));
    m_window->addSection(
        tr("Settings"), QStringLiteral("⚙"), new SettingsPage(doc), QStringLiteral("gateway"));
}

void Application::start(const QString &path)
{
    m_window->restoreLayout();
    const QString last = m_settings->value(QStringLiteral("lastWorkspace")).toString();
    bool opened = false;
    if (!path.isEmpty())
        opened = m_window->openWorkspace(path);
    else if (!last.isEmpty() && QFileInfo::exists(last))
        opened = m_window->openWorkspace(last);
    if (!opened && !openDemo())
        m_document->reset(config::Workspace {});
    m_window->show();
}

void Application::startDemo()
{
    m_window->restoreLayout();
    if (!openDemo())
        m_document->reset(config::Workspace {});
    m_window->show();
}

void Application::applyStyle()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p = QApplication::palette();
    p.setColor(QPalette::Window, QColor(0xf6, 0xf7, 0xf9));
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(0xf8, 0xf9, 0xfb));
    p.setColor(QPalette::Highlight, QColor(0x4f, 0x46, 0xe5));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Button, QColor(0xfb, 0xfb, 0xfc));
    QApplication::setPalette(p);
    qApp->setStyleSheet(QStringLiteral(R"(
QListWidget#sectionList { background: #23262e; color: #d5d8de; border: none; padding-top: 8px; outline: 0; }
QListWidget#sectionList::item { padding-left: 12px; border-left: 3px solid transparent; }
QListWidget#sectionList::item:selected { background: #30343e; color: white; border-left: 3px solid #818cf8; }
QListWidget#sectionList::item:hover:!selected { background: #2a2e37; }
QLabel#sectionTitle { font-size: 16px; font-weight: 600; color: #1f2330; }
QLabel#sectionHint { color: #6b7280; }
QLabel#formTitle { font-size: 13px; padding-bottom: 4px; }
QGroupBox { font-weight: 600; border: 1px solid #e3e5ea; border-radius: 6px; margin-top: 10px; padding-top: 6px; background: white; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; color: #374151; }
QGroupBox QLabel, QGroupBox QCheckBox { font-weight: normal; }
QTableView { border: 1px solid #e3e5ea; gridline-color: #eceef2; selection-background-color: #e0e7ff; selection-color: #1e1b4b; }
QHeaderView::section { background: #f3f4f6; border: none; border-bottom: 1px solid #e3e5ea; padding: 4px 6px; color: #4b5563; }
*[problem="true"] { border: 1px solid #d32f2f; border-radius: 3px; }
QToolBar#mainToolBar { border-bottom: 1px solid #e3e5ea; spacing: 4px; }
QToolBar#mainToolBar QToolButton[pending="true"] { background: #fde68a; border: 1px solid #f59e0b; border-radius: 3px; font-weight: 600; }
QLabel#liveState { color: #6b7280; }
QLabel#liveState[pending="true"] { color: #92400e; font-weight: 600; }
QStatusBar { border-top: 1px solid #e3e5ea; }
)"));
}

} // namespace portico::ui
