#pragma once

#include "core/config/Workspace.h"

#include <QUndoCommand>

namespace portico::ui {

class WorkspaceDocument;

// One undoable edit: the whole workspace before and after. Workspaces are small and implicitly
// shared underneath (QList/QString), so a snapshot per edit is cheap and can never get out of step
// with the model the way hand-written inverse operations can.
class SnapshotCommand final : public QUndoCommand
{
public:
    SnapshotCommand(WorkspaceDocument *document, const QString &text, config::Workspace before,
                    config::Workspace after);

    void undo() override;
    void redo() override;

private:
    WorkspaceDocument *m_document;
    config::Workspace m_before;
    config::Workspace m_after;
};

} // namespace portico::ui
