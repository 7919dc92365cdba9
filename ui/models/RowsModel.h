#pragma once

#include <QAbstractTableModel>
#include <QStringList>

namespace portico::ui {

// An editable table of text cells, the common shape of the workspace's small nested lists
// (header maps, targets and weights, version maps, aggregate parts). Forms convert their struct to
// rows and back; every change made through the view is reported by rowsEdited() with the full list.
class RowsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    explicit RowsModel(QStringList headers, QObject *parent = nullptr);

    // Replaces the contents; does nothing when they are equal (keeps the view's selection and editor).
    void setRows(const QList<QStringList> &rows);
    const QList<QStringList> &rows() const { return m_rows; }
    // Cells whose column holds a check box ("true"/"false" text) instead of text.
    void setCheckColumn(int column) { m_checkColumn = column; }
    // Cells shown in grey when empty.
    void setPlaceholder(int column, const QString &text);
    // Marks cells as wrong (a red tint, the message as tooltip): key row * 1000 + column. Replaces
    // the previous marks.
    void setProblems(const QHash<int, QString> &problems);
    QString problem(int row, int column) const { return m_problems.value(row * 1000 + column); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool insertRows(int row, int count, const QModelIndex &parent = {}) override;
    bool removeRows(int row, int count, const QModelIndex &parent = {}) override;

    // Appends a row of `cells` (padded to the column count) and reports it.
    void appendRow(const QStringList &cells);

Q_SIGNALS:
    void rowsEdited(const QList<QStringList> &rows);

private:
    QStringList m_headers;
    QList<QStringList> m_rows;
    QHash<int, QString> m_placeholders;
    QHash<int, QString> m_problems;
    int m_checkColumn = -1;
};

} // namespace portico::ui
