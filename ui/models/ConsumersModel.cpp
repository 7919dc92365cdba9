#include "ui/models/ConsumersModel.h"

#include "ui/models/ListHelpers.h"

namespace portico::ui {

using config::Consumer;

ConsumersModel::ConsumersModel(WorkspaceDocument *document, QObject *parent)
    : WorkspaceListModel(document, { tr("Name"), tr("Tier"), tr("Groups"), tr("Keys") }, parent)
{
}

int ConsumersModel::count(const config::Workspace &ws) const { return int(ws.consumers.size()); }

QString ConsumersModel::nameAt(const config::Workspace &ws, int row) const { return ws.consumers.value(row).name; }

QString ConsumersModel::noun() const { return tr("consumer"); }

QVariant ConsumersModel::cell(const config::Workspace &ws, int row, int column) const
{
    const Consumer &c = ws.consumers.at(row);
    switch (column) {
    case 0:
        return c.name;
    case 1:
        return c.tier.isEmpty() ? QStringLiteral("—") : c.tier;
    case 2:
        return c.groups.join(QStringLiteral(", "));
    case 3: {
        QString text = QString::number(c.apiKeys.size());
        if (!c.jwtSubject.isEmpty())
            text += tr(" + JWT");
        return text;
    }
    }
    return {};
}

int ConsumersModel::appendNew(config::Workspace &ws) const
{
    Consumer c;
    c.name = freshName(QStringLiteral("consumer"), list::names(ws.consumers));
    ws.consumers << c;
    return int(ws.consumers.size()) - 1;
}

int ConsumersModel::duplicate(config::Workspace &ws, int row) const
{
    Consumer c = ws.consumers.at(row);
    c.name = freshName(c.name, list::names(ws.consumers));
    // Keys and subjects identify exactly one consumer: a copy starts without them.
    c.apiKeys.clear();
    c.jwtSubject.clear();
    ws.consumers.insert(row + 1, c);
    return row + 1;
}

void ConsumersModel::remove(config::Workspace &ws, int row) const { ws.consumers.removeAt(row); }

void ConsumersModel::move(config::Workspace &ws, int from, int to) const { list::move(ws.consumers, from, to); }

QStringList ConsumersModel::diagnosticPrefixes(const config::Workspace &, int row) const
{
    return { QStringLiteral("consumers[%1]").arg(row) };
}

} // namespace portico::ui
