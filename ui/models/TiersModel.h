#pragma once

#include "ui/models/WorkspaceListModel.h"

namespace portico::ui {

// The tiers (per-consumer plans) and their rate limits.
class TiersModel final : public WorkspaceListModel
{
    Q_OBJECT

public:
    explicit TiersModel(WorkspaceDocument *document, QObject *parent = nullptr);

    QString nameAt(const config::Workspace &ws, int row) const override;
    int appendNew(config::Workspace &ws) const override;
    int duplicate(config::Workspace &ws, int row) const override;
    void remove(config::Workspace &ws, int row) const override;
    void move(config::Workspace &ws, int from, int to) const override;
    QStringList diagnosticPrefixes(const config::Workspace &ws, int row) const override;
    QString noun() const override;

protected:
    int count(const config::Workspace &ws) const override;
    QVariant cell(const config::Workspace &ws, int row, int column) const override;
};

} // namespace portico::ui
