#pragma once

#include <QWidget>

class QListWidget;

namespace portico::ui {

class WorkspaceDocument;

// The workspace's problems (validateWorkspace), the same messages `portico-cli check` prints;
// activating one asks the window to show the field it is about.
class ProblemsPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit ProblemsPanel(WorkspaceDocument *document, QWidget *parent = nullptr);

    QListWidget *list() const { return m_list; }
    int count() const;
    // The height of one row of the list (the list is at least three rows tall).
    int rowHeight() const;

Q_SIGNALS:
    void goToRequested(const QString &path);
    void countChanged(int count);

private:
    void refresh();

    WorkspaceDocument *m_document;
    QListWidget *m_list;
};

} // namespace portico::ui
