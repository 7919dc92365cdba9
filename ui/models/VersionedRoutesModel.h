#pragma once

#include "ui/models/WorkspaceListModel.h"

namespace portico::ui {

// The routes that map API versions to upstreams (routes with `versions`), for the Versions section.
class VersionedRoutesModel final : public WorkspaceListModel
{
    Q_OBJECT

public:
    explicit VersionedRoutesModel(WorkspaceDocument *document, QObject *parent = nullptr);

    // Index into ws.routes of the row-th versioned route, or -1.
    static int routeIndex(const config::Workspace &ws, int row);

    QString nameAt(const config::Workspace &ws, int row) const override;
    int appendNew(config::Workspace &ws) const override;
    int duplicate(config::Workspace &ws, int row) const override;
    void remove(config::Workspace &ws, int row) const override;
    QStringList diagnosticPrefixes(const config::Workspace &ws, int row) const override;
    QString noun() const override;

protected:
    int count(const config::Workspace &ws) const override;
    QVariant cell(const config::Workspace &ws, int row, int column) const override;
};

} // namespace portico::ui
