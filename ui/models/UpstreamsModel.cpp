#include "ui/models/UpstreamsModel.h"

#include "ui/models/ListHelpers.h"

namespace portico::ui {

using config::Upstream;

UpstreamsModel::UpstreamsModel(WorkspaceDocument *document, QObject *parent)
    : WorkspaceListModel(document, { tr("Name"), tr("Targets"), tr("Balance") }, parent)
{
}

int UpstreamsModel::count(const config::Workspace &ws) const { return int(ws.upstreams.size()); }

QString UpstreamsModel::nameAt(const config::Workspace &ws, int row) const { return ws.upstreams.value(row).name; }

QString UpstreamsModel::noun() const { return tr("upstream"); }

QVariant UpstreamsModel::cell(const config::Workspace &ws, int row, int column) const
{
    const Upstream &u = ws.upstreams.at(row);
    switch (column) {
    case 0:
        return u.name;
    case 1: {
        QStringList urls;
        for (const auto &t : u.targets)
            urls << t.url.toString();
        return urls.join(QStringLiteral(", "));
    }
    case 2:
        return config::balanceName(u.balance);
    }
    return {};
}

int UpstreamsModel::appendNew(config::Workspace &ws) const
{
    Upstream u;
    u.name = freshName(QStringLiteral("upstream"), list::names(ws.upstreams));
    u.targets << config::Target { QUrl(QStringLiteral("http://127.0.0.1:9000")), 1 };
    ws.upstreams << u;
    return int(ws.upstreams.size()) - 1;
}

int UpstreamsModel::duplicate(config::Workspace &ws, int row) const
{
    Upstream u = ws.upstreams.at(row);
    u.name = freshName(u.name, list::names(ws.upstreams));
    ws.upstreams.insert(row + 1, u);
    return row + 1;
}

void UpstreamsModel::remove(config::Workspace &ws, int row) const { ws.upstreams.removeAt(row); }

void UpstreamsModel::move(config::Workspace &ws, int from, int to) const { list::move(ws.upstreams, from, to); }

QStringList UpstreamsModel::diagnosticPrefixes(const config::Workspace &ws, int row) const
{
    return { QStringLiteral("upstreams.") + ws.upstreams.at(row).name };
}

} // namespace portico::ui
