#include "ui/models/VersionedRoutesModel.h"

#include "ui/models/ListHelpers.h"

namespace portico::ui {

VersionedRoutesModel::VersionedRoutesModel(WorkspaceDocument *document, QObject *parent)
    : WorkspaceListModel(document, { tr("Route"), tr("Versions"), tr("Default"), tr("Deprecated") }, parent)
{
}

int VersionedRoutesModel::routeIndex(const config::Workspace &ws, int row)
{
    int seen = 0;
    for (int i = 0; i < ws.routes.size(); ++i) {
        if (ws.routes.at(i).versions && seen++ == row)
            return i;
    }
    return -1;
}

int VersionedRoutesModel::count(const config::Workspace &ws) const
{
    return int(std::count_if(ws.routes.begin(), ws.routes.end(), [](const auto &r) { return r.versions.has_value(); }));
}

QString VersionedRoutesModel::nameAt(const config::Workspace &ws, int row) const
{
    const int i = routeIndex(ws, row);
    return i < 0 ? QString() : ws.routes.at(i).name;
}

QString VersionedRoutesModel::noun() const { return tr("versioned route"); }

QVariant VersionedRoutesModel::cell(const config::Workspace &ws, int row, int column) const
{
    const config::Route &r = ws.routes.at(routeIndex(ws, row));
    const config::Versions &v = *r.versions;
    switch (column) {
    case 0:
        return r.name;
    case 1: {
        QStringList parts;
        for (const auto &[version, upstream] : v.map)
            parts << QStringLiteral("%1→%2").arg(version, upstream);
        return parts.join(QStringLiteral(", "));
    }
    case 2:
        return v.defaultVersion;
    case 3: {
        QStringList parts;
        for (const auto &[version, d] : v.deprecated)
            parts << (d.sunset.isValid() ? QStringLiteral("%1 (sunset %2)").arg(version, d.sunset.toString(Qt::ISODate))
                                         : version);
        return parts.join(QStringLiteral(", "));
    }
    }
    return {};
}

int VersionedRoutesModel::appendNew(config::Workspace &ws) const
{
    config::Route r;
    r.name = freshName(QStringLiteral("versioned"), list::names(ws.routes));
    r.match.path = QStringLiteral("/") + r.name;
    config::Versions v;
    v.map.append({ QStringLiteral("v1"), ws.upstreams.isEmpty() ? QString() : ws.upstreams.first().name });
    v.defaultVersion = QStringLiteral("v1");
    r.versions = v;
    ws.routes << r;
    return count(ws) - 1;
}

int VersionedRoutesModel::duplicate(config::Workspace &ws, int row) const
{
    const int i = routeIndex(ws, row);
    config::Route r = ws.routes.at(i);
    r.name = freshName(r.name, list::names(ws.routes));
    ws.routes.insert(i + 1, r);
    return row + 1;
}

void VersionedRoutesModel::remove(config::Workspace &ws, int row) const { ws.routes.removeAt(routeIndex(ws, row)); }

QStringList VersionedRoutesModel::diagnosticPrefixes(const config::Workspace &ws, int row) const
{
    return { QStringLiteral("routes[%1]").arg(routeIndex(ws, row)) };
}

} // namespace portico::ui
