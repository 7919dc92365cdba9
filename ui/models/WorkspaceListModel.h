#pragma once

#include "core/config/Workspace.h"

#include <QAbstractTableModel>
#include <QStringList>

namespace portico::ui {

class WorkspaceDocument;

// A read-only table over one list of the document's workspace (routes, upstreams, ...). Subclasses
// say how many rows there are, what each cell shows, and how to add, remove and locate an item;
// the base follows the document: same row count -> one dataChanged, otherwise a reset. Edits are made
// by the section's form through WorkspaceDocument::edit(), never through setData().
class WorkspaceListModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    WorkspaceListModel(WorkspaceDocument *document, QStringList headers, QObject *parent = nullptr);

    WorkspaceDocument *document() const { return m_document; }

    // The item's name (first column), used to keep the selection across changes.
    virtual QString nameAt(const config::Workspace &ws, int row) const = 0;
    // Adds a new item with a fresh name; returns its row.
    virtual int appendNew(config::Workspace &ws) const = 0;
    virtual int duplicate(config::Workspace &ws, int row) const = 0;
    virtual void remove(config::Workspace &ws, int row) const = 0;
    // Moves row `from` to `to` (both valid rows); lists without a meaningful order may ignore it.
    virtual void move(config::Workspace &ws, int from, int to) const;
    // Diagnostic path prefixes that belong to the item ("routes[2]", "upstreams.users-v1").
    virtual QStringList diagnosticPrefixes(const config::Workspace &ws, int row) const = 0;
    // The singular noun for undo texts ("route").
    virtual QString noun() const = 0;
    // Row of the item named `name`, or -1.
    int rowOf(const QString &name) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    virtual int count(const config::Workspace &ws) const = 0;
    virtual QVariant cell(const config::Workspace &ws, int row, int column) const = 0;
    // A name not used yet: base, base-2, base-3 ...
    static QString freshName(const QString &base, const QStringList &taken);

private:
    void refresh();
    bool hasProblem(int row) const;

    WorkspaceDocument *m_document;
    QStringList m_headers;
    mutable int m_rows = -1; // -1 = not counted yet
};

} // namespace portico::ui
