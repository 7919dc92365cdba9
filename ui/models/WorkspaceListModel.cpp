#include "ui/models/WorkspaceListModel.h"

#include "ui/document/WorkspaceDocument.h"

#include <QApplication>
#include <QIcon>
#include <QStyle>

namespace portico::ui {

WorkspaceListModel::WorkspaceListModel(WorkspaceDocument *document, QStringList headers, QObject *parent)
    : QAbstractTableModel(parent)
    , m_document(document)
    , m_headers(std::move(headers))
{
    connect(document, &WorkspaceDocument::changed, this, &WorkspaceListModel::refresh);
    connect(document, &WorkspaceDocument::diagnosticsChanged, this, [this] {
        if (m_rows > 0)
            Q_EMIT dataChanged(index(0, 0), index(m_rows - 1, 0), { Qt::DecorationRole, Qt::ToolTipRole });
    });
}

void WorkspaceListModel::move(config::Workspace &, int, int) const { }

int WorkspaceListModel::rowOf(const QString &name) const
{
    for (int r = 0; r < rowCount(); ++r) {
        if (nameAt(m_document->workspace(), r) == name)
            return r;
    }
    return -1;
}

void WorkspaceListModel::refresh()
{
    const int fresh = count(m_document->workspace());
    if (m_rows < 0) {
        m_rows = fresh; // nobody has seen the old count yet
        return;
    }
    if (fresh != m_rows) {
        beginResetModel();
        m_rows = fresh;
        endResetModel();
        return;
    }
    if (m_rows > 0)
        Q_EMIT dataChanged(index(0, 0), index(m_rows - 1, columnCount() - 1));
}

int WorkspaceListModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    // Subclasses cannot be asked for their count in the base constructor: count on first use.
    if (m_rows < 0)
        m_rows = count(m_document->workspace());
    return m_rows;
}

int WorkspaceListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_headers.size());
}

QVariant WorkspaceListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const config::Workspace &ws = m_document->workspace();
    if (index.row() >= count(ws))
        return {};
    if (role == Qt::DisplayRole)
        return cell(ws, index.row(), index.column());
    if (index.column() == 0 && role == Qt::DecorationRole && hasProblem(index.row()))
        return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
    if (index.column() == 0 && role == Qt::ToolTipRole && hasProblem(index.row()))
        return tr("This %1 has problems: see the form or the Problems panel").arg(noun());
    return {};
}

QVariant WorkspaceListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 && section < m_headers.size())
        return m_headers.at(section);
    return QAbstractTableModel::headerData(section, orientation, role);
}

QString WorkspaceListModel::freshName(const QString &base, const QStringList &taken)
{
    if (!taken.contains(base))
        return base;
    for (int i = 2;; ++i) {
        const QString candidate = QStringLiteral("%1-%2").arg(base).arg(i);
        if (!taken.contains(candidate))
            return candidate;
    }
}

bool WorkspaceListModel::hasProblem(int row) const
{
    const QStringList prefixes = diagnosticPrefixes(m_document->workspace(), row);
    for (const auto &d : m_document->diagnostics()) {
        for (const QString &p : prefixes) {
            if (d.path == p || d.path.startsWith(p + u'.') || d.path.startsWith(p + u'['))
                return true;
        }
    }
    return false;
}

} // namespace portico::ui
