#include "ui/main/LiveState.h"

#include "core/config/WorkspaceWriter.h"
#include "ui/document/WorkspaceDocument.h"

#include <QFileInfo>
#include <QUndoStack>

#include <algorithm>
#include <cstdlib>

namespace portico::ui {

LiveState::LiveState(WorkspaceDocument *document, QObject *parent)
    : QObject(parent)
    , m_document(document)
{
    connect(document, &WorkspaceDocument::changed, this, &LiveState::update);
    connect(document->undoStack(), &QUndoStack::indexChanged, this, &LiveState::update);
    auto opened = [this] {
        m_opened = true;
        update();
    };
    connect(document, &WorkspaceDocument::filePathChanged, this, opened);
    connect(document, &WorkspaceDocument::reloaded, this, opened);
    update();
}

void LiveState::markApplied()
{
    m_running = true;
    m_appliedYaml = config::writeWorkspaceYaml(m_document->workspace());
    m_appliedIndex = m_document->undoStack()->index();
    m_opened = false;
    m_elsewhere = 0;
    update();
}

void LiveState::markAppliedElsewhere(int revision)
{
    m_elsewhere = revision;
    update();
}

void LiveState::setRunning(bool running)
{
    if (running == m_running)
        return;
    m_running = running;
    if (!running) {
        m_appliedYaml.clear();
        m_elsewhere = 0;
    }
    update();
}

void LiveState::update()
{
    const bool wasPending = m_pending;
    const QString wasText = m_text;
    m_changes = 0;
    m_pending = false;
    if (!m_running) {
        m_text = tr("Gateway stopped");
        m_toolTip = tr("Start runs the workspace as it is in the editor (F5)");
    } else if (m_elsewhere > 0) {
        m_pending = true;
        m_text = tr("Live: revision %1 from the admin API").arg(m_elsewhere);
        m_toolTip = tr("The admin API replaced the configuration; Apply would replace it with the editor's");
    } else if (config::writeWorkspaceYaml(m_document->workspace()) == m_appliedYaml) {
        m_text = tr("Live: matches the editor");
        m_toolTip = tr("The running gateway serves the workspace as shown");
    } else if (m_opened) {
        m_pending = true;
        const QString name = QFileInfo(m_document->filePath()).fileName();
        m_text = name.isEmpty() ? tr("New workspace, not applied") : tr("%1 opened, not applied").arg(name);
        m_toolTip = tr("The gateway still serves the workspace it was given before; Apply (Ctrl+Enter) "
                       "serves this one");
    } else {
        m_pending = true;
        m_changes = std::max(1, std::abs(m_document->undoStack()->index() - m_appliedIndex));
        m_text = m_changes == 1 ? tr("1 unapplied change") : tr("%1 unapplied changes").arg(m_changes);
        m_toolTip = tr("The gateway serves the workspace as it was before these edits; Apply "
                       "(Ctrl+Enter) makes them live");
    }
    if (m_pending != wasPending || m_text != wasText)
        Q_EMIT changed();
}

} // namespace portico::ui
