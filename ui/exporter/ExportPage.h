#pragma once

#include "core/export/ExportResult.h"

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
    // Writes the output to `path`, and the files it refers to (Envoy's descriptor set) beside it,
    // and says so beside the Save button (savedLabel()).
    bool saveTo(const QString &path);
    // Where Save… proposes to write: defaultSaveFolder() and the target's usual file name.
    QString defaultSavePath() const;
    QLabel *savedLabel() const { return m_saved; }

private:
    WorkspaceDocument *m_document;
    QComboBox *m_target;
    QPlainTextEdit *m_output;
    QListWidget *m_warnings;
    QLabel *m_warningsLabel;
    QPushButton *m_save;
    QLabel *m_saved;
    QTimer *m_debounce;
    QString m_suggestedName;
    QList<exporter::ExportFile> m_files; // of the last regenerate()
};

} // namespace portico::ui
