#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTimer;

namespace portico::ui {

class WorkspaceDocument;

// The Export section: the workspace turned into a production gateway's config (core/export), the
// features that target cannot express listed as warnings, and Save.
class ExportPage final : public QWidget
{
    Q_OBJECT

public:
    explicit ExportPage(WorkspaceDocument *document, QWidget *parent = nullptr);

    QComboBox *targetCombo() const { return m_target; }
    QPlainTextEdit *output() const { return m_output; }
    QListWidget *warnings() const { return m_warnings; }
    // Regenerates now (it also follows the document, debounced).
    void regenerate();
    bool saveTo(const QString &path);

private:
    WorkspaceDocument *m_document;
    QComboBox *m_target;
    QPlainTextEdit *m_output;
    QListWidget *m_warnings;
    QLabel *m_warningsLabel;
    QPushButton *m_save;
    QTimer *m_debounce;
    QString m_suggestedName;
};

} // namespace portico::ui
