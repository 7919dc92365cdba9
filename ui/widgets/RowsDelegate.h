#pragma once

#include <QHash>
#include <QStringList>
#include <QStyledItemDelegate>

namespace portico::ui {

// Editors for RowsModel cells: a combo box for columns that name something in the workspace (an
// upstream), a date editor for ISO dates, a plain line edit otherwise.
class RowsDelegate final : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit RowsDelegate(QObject *parent = nullptr);

    void setChoices(int column, const QStringList &choices) { m_choices.insert(column, choices); }
    void setDateColumn(int column) { m_dateColumns << column; }

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override;

private:
    QHash<int, QStringList> m_choices;
    QList<int> m_dateColumns;
};

} // namespace portico::ui
