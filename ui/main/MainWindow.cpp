#include "ui/main/MainWindow.h"

#include "ui/document/WorkspaceDocument.h"
#include "ui/main/MainActions.h"
#include "ui/main/ProblemsPanel.h"
#include "ui/main/RecentFiles.h"
#include "ui/main/SectionList.h"
#include "ui/main/StatusPanel.h"
#include "ui/models/WorkspaceListModel.h"
#include "ui/sections/SectionPage.h"
#include "ui/widgets/NoticeLog.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>

namespace portico::ui {

MainWindow::MainWindow(WorkspaceDocument *document, RecentFiles *recent, QSettings *settings, QWidget *parent)
    : QMainWindow(parent)
    , m_document(document)
    , m_recent(recent)
    , m_settings(settings)
    , m_actions(new MainActions(this, document->undoStack()))
    , m_sections(new SectionList(this))
    , m_pages(new QStackedWidget(this))
    , m_problems(new ProblemsPanel(document, this))
    , m_problemsDock(new QDockWidget(tr("Problems"), this))
    , m_status(new StatusPanel(statusBar()))
    , m_log(new NoticeLog(this))
{
    // After the status panel: at the bar's right end. A message cut short by the bar's width is
    // whole here.
    statusBar()->addPermanentWidget(m_log);
    connect(
        statusBar(), &QStatusBar::messageChanged, m_log, [this](const QString &text) { m_log->add(text); });
    setObjectName(QStringLiteral("mainWindow"));
    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_sections);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);

    m_problemsDock->setObjectName(QStringLiteral("problemsDock"));
    m_problemsDock->setWidget(m_problems);
    addDockWidget(Qt::BottomDockWidgetArea, m_problemsDock);
    // View > Problems (showProblems) opens the dock; its own toggle would list it twice.

    connect(m_sections, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    connect(m_problems, &ProblemsPanel::goToRequested, this, &MainWindow::goTo);
    connect(m_problems, &ProblemsPanel::countChanged, m_status, &StatusPanel::setProblems);
    connect(m_status, &StatusPanel::problemsClicked, this, [this] {
        m_problemsDock->show();
        m_problemsDock->raise();
    });
    connect(m_actions->showProblems, &QAction::triggered, this, [this] {
        m_problemsDock->show();
        m_problems->list()->setFocus();
    });
    connect(m_actions->newWorkspace, &QAction::triggered, this, &MainWindow::newWorkspace);
    connect(m_actions->open, &QAction::triggered, this, &MainWindow::openDialog);
    connect(m_actions->save, &QAction::triggered, this, &MainWindow::saveWorkspace);
    connect(m_actions->saveAs, &QAction::triggered, this, &MainWindow::saveWorkspaceAs);
    connect(m_actions->quit, &QAction::triggered, this, &QWidget::close);
    connect(m_actions->apply, &QAction::triggered, this, &MainWindow::applyRequested);
    connect(m_actions->start, &QAction::triggered, this, &MainWindow::startRequested);
    connect(m_actions->stop, &QAction::triggered, this, &MainWindow::stopRequested);
    connect(m_actions->sampleTraffic, &QAction::toggled, this, &MainWindow::sampleTrafficToggled);
    connect(m_actions->about, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About Portico"),
            tr("<b>Portico %1</b><p>A desktop developer API gateway and traffic inspector.</p>")
                .arg(QStringLiteral(PORTICO_VERSION)));
    });
    connect(m_actions->recentMenu, &QMenu::aboutToShow, this,
        [this] { m_recent->populate(m_actions->recentMenu); });
    connect(m_recent, &RecentFiles::openRequested, this, [this](const QString &path) {
        if (maybeSave())
            openWorkspace(path);
    });
    connect(document, &WorkspaceDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(document, &WorkspaceDocument::filePathChanged, this, &MainWindow::updateTitle);
    // Queued: the section models follow the same signal and must have counted first.
    connect(document, &WorkspaceDocument::changed, this, &MainWindow::updateBadges, Qt::QueuedConnection);
    connect(document, &WorkspaceDocument::externallyChanged, this, &MainWindow::onExternallyChanged);
    connect(document, &WorkspaceDocument::reloaded, this,
        [this] { statusBar()->showMessage(tr("Reloaded: the file was changed outside Portico"), 5000); });
    m_status->setProblems(m_problems->count());
    updateTitle();
}

MainWindow::~MainWindow() = default;

void MainWindow::addSection(const QString &name, const QString &symbol, QWidget *page, const QString &path)
{
    m_sections->addSection(name, symbol);
    m_pages->addWidget(page);
    if (!path.isEmpty())
        m_pathOwners.insert(path, name);
    const int index = m_pages->count() - 1;
    if (index < 9) {
        // "Consumers & Keys": a lone '&' would mark the next letter as a mnemonic and vanish.
        auto *go = new QAction(tr("Show %1").arg(QString(name).replace(u'&', QStringLiteral("&&"))), this);
        go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + index)));
        connect(go, &QAction::triggered, this, [this, index] { m_sections->setCurrentRow(index); });
        m_actions->viewMenu->addAction(go);
    }
    if (m_sections->currentRow() < 0)
        m_sections->setCurrentRow(0);
    updateBadges();
}

bool MainWindow::showSection(const QString &name)
{
    const QString wanted = name.trimmed();
    if (wanted.isEmpty())
        return false;
    int prefixRow = -1;
    int prefixMatches = 0;
    for (int i = 0; i < m_sections->count(); ++i) {
        const QString section = m_sections->item(i)->data(Qt::UserRole).toString();
        if (section.compare(wanted, Qt::CaseInsensitive) == 0) {
            m_sections->setCurrentRow(i);
            return true;
        }
        if (section.startsWith(wanted, Qt::CaseInsensitive)) {
            prefixRow = i;
            ++prefixMatches;
        }
    }
    if (prefixMatches != 1)
        return false;
    m_sections->setCurrentRow(prefixRow);
    return true;
}

QStringList MainWindow::sectionNames() const
{
    QStringList names;
    for (int i = 0; i < m_sections->count(); ++i)
        names << m_sections->item(i)->data(Qt::UserRole).toString();
    return names;
}

QString MainWindow::currentSection() const
{
    const auto *item = m_sections->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

QWidget *MainWindow::section(const QString &name) const
{
    for (int i = 0; i < m_sections->count(); ++i) {
        if (m_sections->item(i)->data(Qt::UserRole).toString() == name)
            return m_pages->widget(i);
    }
    return nullptr;
}

bool MainWindow::goTo(const QString &path)
{
    // "routes[2].x" -> (routes, index 2); "upstreams.users.x" -> (upstreams, name users).
    static const QRegularExpression re(QStringLiteral("^([a-z_]+)(?:\\[(\\d+)\\]|\\.([^.\\[]+))?"));
    const auto m = re.match(path);
    if (!m.hasMatch() || !m_pathOwners.contains(m.captured(1)))
        return false;
    const QString name = m_pathOwners.value(m.captured(1));
    showSection(name);
    if (auto *page = qobject_cast<SectionPage *>(section(name))) {
        if (!m.captured(2).isEmpty())
            page->selectRow(m.captured(2).toInt());
        else if (!m.captured(3).isEmpty())
            page->selectName(m.captured(3));
    }
    return true;
}

bool MainWindow::openWorkspace(const QString &path)
{
    config::Diagnostics errors;
    if (!m_document->open(path, &errors)) {
        QStringList lines;
        for (const auto &d : errors)
            lines << d.toString();
        QMessageBox::warning(this, tr("Cannot open workspace"),
            tr("%1 could not be opened:\n\n%2").arg(QFileInfo(path).fileName(), lines.join(u'\n')));
        return false;
    }
    m_recent->add(path);
    m_settings->setValue(QStringLiteral("lastWorkspace"), QFileInfo(path).absoluteFilePath());
    statusBar()->showMessage(tr("Opened %1").arg(path), 4000);
    Q_EMIT workspaceOpened();
    return true;
}

bool MainWindow::maybeSave()
{
    if (!m_document->isModified())
        return true;
    const auto answer = QMessageBox::warning(this, tr("Unsaved changes"),
        tr("The workspace has unsaved changes. Save them?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Save)
        return saveWorkspace();
    return answer == QMessageBox::Discard;
}

void MainWindow::restoreLayout()
{
    if (!restoreGeometry(m_settings->value(QStringLiteral("window/geometry")).toByteArray())) {
        // 1280x800, or the whole screen of a smaller one (a laptop with a dock): never a window
        // wider or taller than the screen, whose right edge and status bar would be out of reach.
        const QSize available = screen() ? screen()->availableGeometry().size() : QSize(1280, 800);
        resize(QSize(1280, 800).boundedTo(available));
    }
    if (!restoreState(m_settings->value(QStringLiteral("window/state")).toByteArray())) {
        m_sizeDocks = true;
        if (isVisible())
            showEvent(nullptr);
    }
    const int section = m_settings->value(QStringLiteral("window/section"), 0).toInt();
    if (section >= 0 && section < m_sections->count())
        m_sections->setCurrentRow(section);
}

void MainWindow::showEvent(QShowEvent *event)
{
    if (event)
        QMainWindow::showEvent(event);
    if (!m_sizeDocks)
        return;
    m_sizeDocks = false;
    // Three rows of problems to start with (it was 60 px: the title and two cut lines). Dock sizes
    // only stick once the shown window is laid out.
    QTimer::singleShot(0, this, [this] {
        // The dock's size includes its title bar.
        resizeDocks({ m_problemsDock }, { m_problemsDock->minimumSizeHint().height() }, Qt::Vertical);
    });
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    m_settings->setValue(QStringLiteral("window/geometry"), saveGeometry());
    m_settings->setValue(QStringLiteral("window/state"), saveState());
    m_settings->setValue(QStringLiteral("window/section"), m_sections->currentRow());
    event->accept();
}

void MainWindow::updateTitle()
{
    const QString path = m_document->filePath();
    setWindowFilePath(path);
    setWindowTitle(
        QStringLiteral("%1[*] — Portico").arg(path.isEmpty() ? tr("Untitled") : QFileInfo(path).fileName()));
    setWindowModified(m_document->isModified());
    m_actions->save->setEnabled(m_document->isModified() || path.isEmpty());
}

void MainWindow::updateBadges()
{
    for (int i = 0; i < m_pages->count(); ++i) {
        if (auto *page = qobject_cast<SectionPage *>(m_pages->widget(i)))
            m_sections->setBadge(i, QString::number(page->model()->rowCount()));
    }
}

bool MainWindow::saveWorkspace()
{
    if (m_document->filePath().isEmpty())
        return saveWorkspaceAs();
    if (!confirmSaveWithProblems())
        return false;
    QString error;
    if (!m_document->save(&error)) {
        QMessageBox::warning(this, tr("Cannot save"), error);
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(m_document->filePath()), 3000);
    return true;
}

bool MainWindow::confirmSaveWithProblems()
{
    const config::Diagnostics &problems = m_document->diagnostics();
    if (problems.isEmpty())
        return true;
    QStringList lines;
    for (qsizetype i = 0; i < problems.size() && i < 5; ++i)
        lines << QStringLiteral("• %1: %2").arg(problems.at(i).path, problems.at(i).message);
    if (problems.size() > 5)
        lines << tr("… and %n more (View → Problems)", nullptr, int(problems.size() - 5));
    QMessageBox box(QMessageBox::Warning, tr("Save a workspace with problems?"),
        tr("The workspace has %n problem(s). Saved as it is, the file will not load (nor start the gateway) "
           "until they are fixed; what you typed is written as typed.",
            nullptr, int(problems.size())),
        QMessageBox::NoButton, this);
    box.setObjectName(QStringLiteral("saveWithProblems"));
    box.setInformativeText(lines.join(u'\n'));
    QPushButton *save = box.addButton(tr("Save Anyway"), QMessageBox::AcceptRole);
    QPushButton *keep = box.addButton(tr("Keep Editing"), QMessageBox::RejectRole);
    box.setDefaultButton(keep);
    box.exec();
    if (box.clickedButton() != save) {
        statusBar()->showMessage(
            tr("Not saved: %n problem(s) to fix first", nullptr, int(problems.size())), 5000);
        return false;
    }
    return true;
}

bool MainWindow::saveWorkspaceAs()
{
    if (!confirmSaveWithProblems())
        return false;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Workspace"), m_document->filePath(), tr("Workspace files (*.yaml *.yml)"));
    if (path.isEmpty())
        return false;
    QString error;
    if (!m_document->saveAs(path, &error)) {
        QMessageBox::warning(this, tr("Cannot save"), error);
        return false;
    }
    m_recent->add(path);
    m_settings->setValue(QStringLiteral("lastWorkspace"), m_document->filePath());
    return true;
}

void MainWindow::openDialog()
{
    if (!maybeSave())
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Workspace"),
        QFileInfo(m_document->filePath()).path(), tr("Workspace files (*.yaml *.yml *.json);;All files (*)"));
    if (!path.isEmpty())
        openWorkspace(path);
}

void MainWindow::newWorkspace()
{
    if (!maybeSave())
        return;
    m_document->reset(config::Workspace {});
}

void MainWindow::onExternallyChanged()
{
    const auto answer = QMessageBox::question(this, tr("File changed on disk"),
        tr("%1 was changed by another program, and you have unsaved changes here.\n\n"
           "Reload it and lose your changes? (Reloading can be undone.)")
            .arg(QFileInfo(m_document->filePath()).fileName()),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer != QMessageBox::Yes)
        return;
    config::Diagnostics errors;
    if (!m_document->reloadFromDisk(&errors) && !errors.isEmpty())
        QMessageBox::warning(this, tr("Cannot reload"), errors.first().toString());
}

} // namespace portico::ui
