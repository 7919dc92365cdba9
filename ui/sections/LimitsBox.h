#pragma once

#include <QGroupBox>

class QCheckBox;
class QComboBox;
class QSpinBox;

namespace portico::ui {

class DurationEdit;
class FieldBox;
class SizeEdit;
class WorkspaceDocument;

// The gateway's protective limits (gateway.limits): request head and body sizes, the header and
// idle timeouts and the connection cap, and how paths are read (gateway.paths); each one undoable edit.
class LimitsBox final : public QGroupBox
{
    Q_OBJECT

public:
    explicit LimitsBox(WorkspaceDocument *document, QWidget *parent = nullptr);

    SizeEdit *maxBodyEdit() const { return m_maxBody; }
    FieldBox *maxBodyField() const { return m_maxBodyField; }

private:
    void load();
    void showDiagnostics();

    WorkspaceDocument *m_document;
    SizeEdit *m_maxHeader;
    SizeEdit *m_maxBody;
    DurationEdit *m_headerTimeout;
    DurationEdit *m_idleTimeout;
    QSpinBox *m_maxConnections;
    QCheckBox *m_mergeSlashes;
    QComboBox *m_escapedSlashes;
    FieldBox *m_maxHeaderField;
    FieldBox *m_maxBodyField;
    FieldBox *m_headerTimeoutField;
    FieldBox *m_idleTimeoutField;
    FieldBox *m_maxConnectionsField;
};

} // namespace portico::ui
