#include "ui/document/SnapshotCommand.h"

#include "ui/document/WorkspaceDocument.h"

namespace portico::ui {

SnapshotCommand::SnapshotCommand(WorkspaceDocument *document, const QString &text, config::Workspace before,
                                 config::Workspace after)
    : QUndoCommand(text)
    , m_document(document)
    , m_before(std::move(before))
    , m_after(std::move(after))
{
}

void SnapshotCommand::undo() { m_document->replaceWorkspace(m_before); }

void SnapshotCommand::redo() { m_document->replaceWorkspace(m_after); }

} // namespace portico::ui
