#include "ui/models/RowsModel.h"

#include <QBrush>
#include <QColor>

namespace portico::ui {

RowsModel::RowsModel(QStringList headers, QObject *parent)
    : QAbstractTableModel(parent)
    , m_headers(std::move(headers))
{
}

void RowsModel::setRows(const QList<QStringList> &rows)
{
    QList<QStringList> padded = rows;
    for (QStringList &r : padded) {
        while (r.size() < m_headers.size())
            r << QString();
    }
    if (padded == m_rows)
        return;
    if (padded.size() == m_rows.size()) {
        m_rows = padded;
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(m_rows.size() - 1, m_headers.size() - 1));
        return;
    }
    beginResetModel();
    m_rows = padded;
    endResetModel();
}

void RowsModel::setPlaceholder(int column, const QString &text) { m_placeholders.insert(column, text); }

int RowsModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int RowsModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_headers.size()); }

void RowsModel::setProblems(const QHash<int, QString> &problems)
{
    if (problems == m_problems)
        return;
    m_problems = problems;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, int(m_headers.size()) - 1),
            { Qt::BackgroundRole, Qt::ToolTipRole });
}

QVariant RowsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QString &cell = m_rows.at(index.row()).at(index.column());
    if (index.column() == m_checkColumn) {
        if (role == Qt::CheckStateRole)
            return cell == QLatin1String("true") ? Qt::Checked : Qt::Unchecked;
        return {};
    }
    switch (role) {
    case Qt::DisplayRole:
        if (cell.isEmpty())
            return m_placeholders.value(index.column());
        return cell;
    case Qt::EditRole:
        return cell;
    case Qt::ForegroundRole:
        if (cell.isEmpty() && m_placeholders.contains(index.column()))
            return QBrush(QColor(0x9e, 0x9e, 0x9e));
        return {};
    case Qt::BackgroundRole:
        if (m_problems.contains(index.row() * 1000 + index.column()))
            return QBrush(QColor(0xfd, 0xe2, 0xe2));
        return {};
    case Qt::ToolTipRole:
        return m_problems.value(index.row() * 1000 + index.column());
    default:
        return {};
    }
}

bool RowsModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    QString text;
    if (index.column() == m_checkColumn) {
        if (role != Qt::CheckStateRole)
            return false;
        text = value.toInt() == Qt::Checked ? QStringLiteral("true") : QStringLiteral("false");
    } else {
        if (role != Qt::EditRole)
            return false;
        text = value.toString().trimmed();
    }
    QString &cell = m_rows[index.row()][index.column()];
    if (cell == text)
        return true;
    cell = text;
    Q_EMIT dataChanged(index, index);
    Q_EMIT rowsEdited(m_rows);
    return true;
}

QVariant RowsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 && section < m_headers.size())
        return m_headers.at(section);
    return QAbstractTableModel::headerData(section, orientation, role);
}

Qt::ItemFlags RowsModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    if (index.column() == m_checkColumn)
        return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable;
}

bool RowsModel::insertRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || row < 0 || row > m_rows.size() || count <= 0)
        return false;
    beginInsertRows({}, row, row + count - 1);
    for (int i = 0; i < count; ++i)
        m_rows.insert(row, QStringList(QList<QString>(m_headers.size())));
    endInsertRows();
    Q_EMIT rowsEdited(m_rows);
    return true;
}

bool RowsModel::removeRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || row < 0 || count <= 0 || row + count > m_rows.size())
        return false;
    beginRemoveRows({}, row, row + count - 1);
    m_rows.remove(row, count);
    endRemoveRows();
    Q_EMIT rowsEdited(m_rows);
    return true;
}

void RowsModel::appendRow(const QStringList &cells)
{
    QStringList row = cells;
    while (row.size() < m_headers.size())
        row << QString();
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows << row;
    endInsertRows();
    Q_EMIT rowsEdited(m_rows);
}

} // namespace portico::ui
