#include "ui/models/TiersModel.h"

#include "ui/models/ListHelpers.h"

namespace portico::ui {

using config::Tier;

TiersModel::TiersModel(WorkspaceDocument *document, QObject *parent)
    : WorkspaceListModel(document, { tr("Name"), tr("Rate limit"), tr("Consumers") }, parent)
{
}

int TiersModel::count(const config::Workspace &ws) const { return int(ws.tiers.size()); }

QString TiersModel::nameAt(const config::Workspace &ws, int row) const { return ws.tiers.value(row).name; }

QString TiersModel::noun() const { return tr("tier"); }

QVariant TiersModel::cell(const config::Workspace &ws, int row, int column) const
{
    const Tier &t = ws.tiers.at(row);
    switch (column) {
    case 0:
        return t.name;
    case 1:
        if (!t.rateLimit)
            return tr("unlimited");
        return tr("%1 / %2").arg(t.rateLimit->requests).arg(config::formatDuration(t.rateLimit->per));
    case 2: {
        int n = 0;
        for (const auto &c : ws.consumers)
            n += c.tier == t.name ? 1 : 0;
        return n;
    }
    }
    return {};
}

int TiersModel::appendNew(config::Workspace &ws) const
{
    Tier t;
    t.name = freshName(QStringLiteral("tier"), list::names(ws.tiers));
    config::RateLimit limit;
    limit.requests = 100;
    limit.per = std::chrono::minutes(1);
    t.rateLimit = limit;
    ws.tiers << t;
    return int(ws.tiers.size()) - 1;
}

int TiersModel::duplicate(config::Workspace &ws, int row) const
{
    Tier t = ws.tiers.at(row);
    t.name = freshName(t.name, list::names(ws.tiers));
    ws.tiers.insert(row + 1, t);
    return row + 1;
}

void TiersModel::remove(config::Workspace &ws, int row) const { ws.tiers.removeAt(row); }

void TiersModel::move(config::Workspace &ws, int from, int to) const { list::move(ws.tiers, from, to); }

QStringList TiersModel::diagnosticPrefixes(const config::Workspace &ws, int row) const
{
    return { QStringLiteral("tiers.") + ws.tiers.at(row).name };
}

} // namespace portico::ui
