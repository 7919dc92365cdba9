#pragma once

#include "core/config/Diagnostic.h"
#include "core/config/Workspace.h"

#include <QByteArray>
#include <QObject>

#include <functional>

class QFileSystemWatcher;
class QUndoStack;

namespace portico::ui {

// The workspace being edited: the current config::Workspace value, its undo history, the file it
// lives in and whether it differs from that file. Every edit goes through edit(), which records a
// snapshot command, so undo/redo, the dirty flag and the views all see one sequence of values.
//
// The file is watched: a change made outside the app is reloaded at once when there are no unsaved
// edits; otherwise externallyChanged() is emitted and the window decides (reloadFromDisk()).
class WorkspaceDocument final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkspaceDocument)

public:
    explicit WorkspaceDocument(QObject *parent = nullptr);
    ~WorkspaceDocument() override;

    const config::Workspace &workspace() const { return m_workspace; }
    // An immutable copy to hand to the gateway.
    config::WorkspacePtr snapshot() const;
    QUndoStack *undoStack() const { return m_undo; }

    QString filePath() const { return m_workspace.filePath; }
    bool isModified() const;
    // Problems found by validateWorkspace() in the current value (kept up to date on every change).
    const config::Diagnostics &diagnostics() const { return m_diagnostics; }

    // Applies `change` to a copy of the workspace and, when the copy differs, pushes it as one undo
    // step named `text`. Returns false when nothing changed.
    bool edit(const QString &text, const std::function<void(config::Workspace &)> &change);

    // Starts over with `ws` (no history, unmodified). `ws.filePath` says where it is saved.
    void reset(const config::Workspace &ws);
    // Loads a workspace file; on failure the document is unchanged and *errors says why.
    bool open(const QString &path, config::Diagnostics *errors);
    // Writes YAML through the core writer. save() needs a file path (see saveAs()).
    bool save(QString *error);
    bool saveAs(const QString &path, QString *error);
    // Re-reads the file after an outside change, as an undoable step; false + *errors if unreadable.
    bool reloadFromDisk(config::Diagnostics *errors);

    // Used by SnapshotCommand only.
    void replaceWorkspace(const config::Workspace &ws);

Q_SIGNALS:
    void changed();
    void diagnosticsChanged();
    void filePathChanged(const QString &path);
    void modifiedChanged(bool modified);
    // The file was changed by another program while there are unsaved edits here.
    void externallyChanged();
    // The file was changed by another program and reloaded (there were no unsaved edits).
    void reloaded();

private:
    void onFileChanged(const QString &path);
    void watch(const QString &path);
    void revalidate();

    config::Workspace m_workspace;
    config::Diagnostics m_diagnostics;
    QUndoStack *m_undo;
    QFileSystemWatcher *m_watcher;
    QByteArray m_lastDiskContent; // what we last read or wrote, to ignore our own writes
};

} // namespace portico::ui
