#include "ui/models/AuthSchemesModel.h"

#include "ui/models/ListHelpers.h"

namespace portico::ui {

using config::AuthScheme;

AuthSchemesModel::AuthSchemesModel(WorkspaceDocument *document, QObject *parent)
    : WorkspaceListModel(document, { tr("Name"), tr("Type"), tr("Used by") }, parent)
{
}

int AuthSchemesModel::count(const config::Workspace &ws) const { return int(ws.auth.size()); }

QString AuthSchemesModel::nameAt(const config::Workspace &ws, int row) const { return ws.auth.value(row).name; }

QString AuthSchemesModel::noun() const { return tr("auth scheme"); }

QVariant AuthSchemesModel::cell(const config::Workspace &ws, int row, int column) const
{
    const AuthScheme &a = ws.auth.at(row);
    switch (column) {
    case 0:
        return a.name;
    case 1:
        return config::authTypeName(a.type);
    case 2: {
        QStringList routes;
        for (const auto &r : ws.routes) {
            if (r.filters.value<config::AuthConfig>().schemes.contains(a.name))
                routes << r.name;
        }
        return routes.join(QStringLiteral(", "));
    }
    }
    return {};
}

int AuthSchemesModel::appendNew(config::Workspace &ws) const
{
    AuthScheme a;
    a.name = freshName(QStringLiteral("keys"), list::names(ws.auth));
    a.header = QStringLiteral("X-API-Key");
    ws.auth << a;
    return int(ws.auth.size()) - 1;
}

int AuthSchemesModel::duplicate(config::Workspace &ws, int row) const
{
    AuthScheme a = ws.auth.at(row);
    a.name = freshName(a.name, list::names(ws.auth));
    ws.auth.insert(row + 1, a);
    return row + 1;
}

void AuthSchemesModel::remove(config::Workspace &ws, int row) const { ws.auth.removeAt(row); }

void AuthSchemesModel::move(config::Workspace &ws, int from, int to) const { list::move(ws.auth, from, to); }

QStringList AuthSchemesModel::diagnosticPrefixes(const config::Workspace &ws, int row) const
{
    return { QStringLiteral("auth.") + ws.auth.at(row).name };
}

} // namespace portico::ui
