#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

namespace portico::ui {

class WorkspaceDocument;

// Whether the editor differs from what the running gateway serves, in words for the tool bar:
// "Gateway stopped", "Live: matches the editor", "3 unapplied changes", "portico.yaml opened,
// not applied", or that the admin API replaced the configuration. The window calls
// markApplied() after the gateway started with, or applied, the document's current value; the
// count is the undo steps between that point and now (at least one when the values differ).
class LiveState final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveState)

public:
    explicit LiveState(WorkspaceDocument *document, QObject *parent = nullptr);

    void markApplied();
    void markAppliedElsewhere(int revision);
    void setRunning(bool running);

    // True when Apply would change what the gateway serves.
    bool pending() const { return m_pending; }
    int unappliedChanges() const { return m_changes; }
    QString text() const { return m_text; }
    QString toolTip() const { return m_toolTip; }

Q_SIGNALS:
    void changed();

private:
    void update();

    WorkspaceDocument *m_document;
    bool m_running = false;
    QByteArray m_appliedYaml; // the document as last applied
    int m_appliedIndex = 0; // the undo stack's index then
    bool m_opened = false; // a file was opened or reloaded since
    int m_elsewhere = 0; // revision the admin API applied, 0 = none since
    bool m_pending = false;
    int m_changes = 0;
    QString m_text;
    QString m_toolTip;
};

} // namespace portico::ui
