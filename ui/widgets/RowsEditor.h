#pragma once

#include <QStringList>
#include <QWidget>

class QTableView;
class QToolButton;

namespace portico::ui {

class RowsDelegate;
class RowsModel;

// A compact editable table with add/remove buttons over a RowsModel: header maps, targets,
// version maps, aggregate parts.
class RowsEditor final : public QWidget
{
    Q_OBJECT

public:
    explicit RowsEditor(const QStringList &headers, QWidget *parent = nullptr);

    RowsModel *model() const { return m_model; }
    RowsDelegate *delegate() const { return m_delegate; }
    QTableView *view() const { return m_view; }
    QToolButton *addButton() const { return m_add; }
    QToolButton *removeButton() const { return m_remove; }

    void setRows(const QList<QStringList> &rows);
    // The cells a new row starts with (e.g. a weight of 1).
    void setNewRow(const QStringList &cells) { m_newRow = cells; }

Q_SIGNALS:
    void rowsEdited(const QList<QStringList> &rows);

private:
    void updateHeight();

    RowsModel *m_model;
    RowsDelegate *m_delegate;
    QTableView *m_view;
    QToolButton *m_add;
    QToolButton *m_remove;
    QStringList m_newRow;
};

} // namespace portico::ui
