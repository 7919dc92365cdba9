#include "ui/models/RoutesModel.h"

#include "ui/models/ListHelpers.h"

namespace portico::ui {

using config::Route;

RoutesModel::RoutesModel(WorkspaceDocument *document, QObject *parent)
    : WorkspaceListModel(document, { tr("Name"), tr("Match"), tr("Backend"), tr("Auth") }, parent)
{
}

int RoutesModel::count(const config::Workspace &ws) const { return int(ws.routes.size()); }

QString RoutesModel::nameAt(const config::Workspace &ws, int row) const { return ws.routes.value(row).name; }

QString RoutesModel::noun() const { return tr("route"); }

QVariant RoutesModel::cell(const config::Workspace &ws, int row, int column) const
{
    const Route &r = ws.routes.at(row);
    switch (column) {
    case 0:
        return r.name;
    case 1: {
        const QString methods = r.match.methods.isEmpty() ? QStringLiteral("*") : r.match.methods.join(u',');
        const QString suffix = r.match.pathKind == config::RouteMatch::PathKind::Prefix ? QStringLiteral("…")
            : r.match.pathKind == config::RouteMatch::PathKind::Regex                   ? QStringLiteral(" (regex)")
                                                                                        : QString();
        return QStringLiteral("%1 %2%3").arg(methods, r.match.path, suffix);
    }
    case 2:
        if (!r.upstream.isEmpty() && r.grpc && r.grpc->transcode)
            return tr("gRPC → %1").arg(r.upstream);
        if (!r.upstream.isEmpty())
            return QStringLiteral("→ %1").arg(r.upstream);
        if (r.versions)
            return tr("versions (%1)").arg(r.versions->map.size());
        if (!r.aggregate.isEmpty())
            return tr("aggregate (%1)").arg(r.aggregate.size());
        if (r.mock)
            return tr("mock %1").arg(r.mock->status);
        return tr("(none)");
    case 3: {
        const QStringList &auth = r.filters.value<config::AuthConfig>().schemes;
        return auth.isEmpty() ? tr("public") : auth.join(QStringLiteral(", "));
    }
    }
    return {};
}

int RoutesModel::appendNew(config::Workspace &ws) const
{
    Route r;
    r.name = freshName(QStringLiteral("route"), list::names(ws.routes));
    r.match.path = QStringLiteral("/") + r.name;
    if (!ws.upstreams.isEmpty())
        r.upstream = ws.upstreams.first().name;
    else
        r.mock = config::Mock {};
    ws.routes << r;
    return int(ws.routes.size()) - 1;
}

int RoutesModel::duplicate(config::Workspace &ws, int row) const
{
    Route r = ws.routes.at(row);
    r.name = freshName(r.name, list::names(ws.routes));
    ws.routes.insert(row + 1, r);
    return row + 1;
}

void RoutesModel::remove(config::Workspace &ws, int row) const { ws.routes.removeAt(row); }

void RoutesModel::move(config::Workspace &ws, int from, int to) const { list::move(ws.routes, from, to); }

QStringList RoutesModel::diagnosticPrefixes(const config::Workspace &, int row) const
{
    return { QStringLiteral("routes[%1]").arg(row) };
}

} // namespace portico::ui
