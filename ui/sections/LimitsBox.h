#pragma once

#include <QGroupBox>

namespace portico::ui {

class DurationEdit;
class FieldBox;
class SizeEdit;
class WorkspaceDocument;

// The gateway's protective limits (gateway.limits): request head and body sizes and the header
// and idle timeouts, each one undoable edit.
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
    FieldBox *m_maxHeaderField;
    FieldBox *m_maxBodyField;
    FieldBox *m_headerTimeoutField;
    FieldBox *m_idleTimeoutField;
};

} // namespace portico::ui
