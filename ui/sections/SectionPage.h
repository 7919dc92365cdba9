#pragma once

#include <QWidget>

class QLabel;
class QSplitter;
class QTableView;
class QToolButton;

namespace portico::ui {

class ItemForm;
class WorkspaceDocument;
class WorkspaceListModel;

// A workspace section: a table of its items with add / duplicate / remove / move buttons on the
// left, the selected item's form on the right. The selection follows the item across edits (by
// name, else by row) so that undo, redo and outside reloads keep the user where they were.
class SectionPage : public QWidget
{
    Q_OBJECT

public:
    SectionPage(const QString &title, const QString &hint, WorkspaceListModel *model, ItemForm *form,
        QWidget *parent = nullptr);

    WorkspaceListModel *model() const { return m_model; }
    ItemForm *form() const { return m_form; }
    QTableView *table() const { return m_table; }
    QToolButton *addButton() const { return m_add; }
    QToolButton *removeButton() const { return m_remove; }
    QToolButton *duplicateButton() const { return m_duplicate; }
    int currentRow() const;
    void selectRow(int row);
    // Selects the item named `name` (used by the problems panel); false if there is none.
    bool selectName(const QString &name);
    // Extra content under the form (e.g. gateway limits on the tiers page).
    void addBelowForm(QWidget *widget);

    void addItem();
    void removeCurrent();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // Columns as wide as their contents (60..220 px); when that is wider than the table, the
    // widest columns but the name give way (elided) down to kMinColumn, so the name is read whole
    // and every column stays in view.
    void fitColumns();
    static constexpr int kMinColumn = 70;
    void onDocumentChanged();
    void onCurrentChanged();
    void moveCurrent(int delta);
    void refreshForm();
    void updateButtons();

    WorkspaceDocument *m_document;
    WorkspaceListModel *m_model;
    ItemForm *m_form;
    QTableView *m_table;
    QToolButton *m_add;
    QToolButton *m_duplicate;
    QToolButton *m_remove;
    QToolButton *m_up;
    QToolButton *m_down;
    QWidget *m_formHolder;
    QString m_currentName;
    int m_lastRow = -1;
    int m_pendingRow = -1; // the row to select after the edit in progress
};

} // namespace portico::ui
