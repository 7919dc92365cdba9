#include "ui/document/WorkspaceDocument.h"

#include "core/config/WorkspaceLoader.h"
#include "core/config/WorkspaceWriter.h"
#include "ui/document/SnapshotCommand.h"

#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QSaveFile>
#include <QUndoStack>

namespace portico::ui {

WorkspaceDocument::WorkspaceDocument(QObject *parent)
    : QObject(parent)
    , m_undo(new QUndoStack(this))
    , m_watcher(new QFileSystemWatcher(this))
{
    connect(m_undo, &QUndoStack::cleanChanged, this, [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &WorkspaceDocument::onFileChanged);
    revalidate();
}

WorkspaceDocument::~WorkspaceDocument() = default;

config::WorkspacePtr WorkspaceDocument::snapshot() const
{
    return std::make_shared<const config::Workspace>(m_workspace);
}

bool WorkspaceDocument::isModified() const { return !m_undo->isClean(); }

bool WorkspaceDocument::edit(const QString &text, const std::function<void(config::Workspace &)> &change)
{
    config::Workspace after = m_workspace;
    change(after);
    if (after == m_workspace && after.filePath == m_workspace.filePath)
        return false;
    m_undo->push(new SnapshotCommand(this, text, m_workspace, std::move(after)));
    return true;
}

void WorkspaceDocument::replaceWorkspace(const config::Workspace &ws)
{
    const bool pathChanged = ws.filePath != m_workspace.filePath;
    m_workspace = ws;
    revalidate();
    Q_EMIT changed();
    if (pathChanged)
        Q_EMIT filePathChanged(m_workspace.filePath);
}

void WorkspaceDocument::reset(const config::Workspace &ws)
{
    m_undo->clear();
    const bool pathChanged = ws.filePath != m_workspace.filePath;
    m_workspace = ws;
    m_lastDiskContent.clear();
    watch(ws.filePath);
    revalidate();
    Q_EMIT changed();
    if (pathChanged)
        Q_EMIT filePathChanged(m_workspace.filePath);
    Q_EMIT modifiedChanged(false);
}

bool WorkspaceDocument::open(const QString &path, config::Diagnostics *errors)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (errors)
            *errors = { config::Diagnostic { path, 0, 0, {}, file.errorString() } };
        return false;
    }
    const QByteArray text = file.readAll();
    const auto result = config::loadWorkspaceText(text, QFileInfo(path).absoluteFilePath());
    if (!result.workspace) {
        if (errors)
            *errors = result.errors;
        return false;
    }
    config::Workspace ws = *result.workspace;
    ws.filePath = QFileInfo(path).absoluteFilePath();
    reset(ws);
    m_lastDiskContent = text;
    // A file that loads with problems is still opened, so that they can be fixed here.
    if (errors)
        *errors = result.errors;
    return true;
}

bool WorkspaceDocument::save(QString *error)
{
    if (m_workspace.filePath.isEmpty()) {
        if (error)
            *error = tr("The workspace has no file yet: use Save As.");
        return false;
    }
    const QByteArray text = config::writeWorkspaceYaml(m_workspace);
    QSaveFile file(m_workspace.filePath);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(m_workspace.filePath, file.errorString());
        return false;
    }
    m_lastDiskContent = text;
    m_undo->setClean();
    // QSaveFile replaces the file, which drops it from the watcher.
    watch(m_workspace.filePath);
    return true;
}

bool WorkspaceDocument::saveAs(const QString &path, QString *error)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const QString previous = m_workspace.filePath;
    // The path is part of the value (relative paths resolve against it) but not an undo step.
    m_workspace.filePath = absolute;
    if (!save(error)) {
        m_workspace.filePath = previous;
        return false;
    }
    if (absolute != previous) {
        watch(absolute);
        Q_EMIT filePathChanged(absolute);
        revalidate();
    }
    return true;
}

bool WorkspaceDocument::reloadFromDisk(config::Diagnostics *errors)
{
    QFile file(m_workspace.filePath);
    if (!file.open(QIODevice::ReadOnly)) {
        if (errors)
            *errors = { config::Diagnostic { m_workspace.filePath, 0, 0, {}, file.errorString() } };
        return false;
    }
    const QByteArray text = file.readAll();
    const auto result = config::loadWorkspaceText(text, m_workspace.filePath);
    if (errors)
        *errors = result.errors;
    if (!result.workspace)
        return false;
    config::Workspace ws = *result.workspace;
    ws.filePath = m_workspace.filePath;
    m_lastDiskContent = text;
    if (!(ws == m_workspace))
        m_undo->push(new SnapshotCommand(this, tr("Reload from disk"), m_workspace, ws));
    m_undo->setClean();
    return true;
}

void WorkspaceDocument::onFileChanged(const QString &path)
{
    // Editors that save by renaming a new file over the old one remove it from the watcher.
    watch(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return; // removed or mid-write; a later change notification follows
    const QByteArray text = file.readAll();
    if (text == m_lastDiskContent)
        return;
    if (isModified()) {
        m_lastDiskContent = text; // ask once per outside version
        Q_EMIT externallyChanged();
        return;
    }
    config::Diagnostics errors;
    if (reloadFromDisk(&errors))
        Q_EMIT reloaded();
}

void WorkspaceDocument::watch(const QString &path)
{
    if (!m_watcher->files().isEmpty())
        m_watcher->removePaths(m_watcher->files());
    if (!path.isEmpty() && QFileInfo::exists(path))
        m_watcher->addPath(path);
}

void WorkspaceDocument::revalidate()
{
    auto fresh = config::validateWorkspace(m_workspace);
    if (fresh == m_diagnostics)
        return;
    m_diagnostics = std::move(fresh);
    Q_EMIT diagnosticsChanged();
}

} // namespace portico::ui
