#include "ui/widgets/KeyValueRows.h"

namespace portico::ui {

QList<QStringList> toRows(const config::KeyValues &pairs)
{
    QList<QStringList> rows;
    for (const auto &[k, v] : pairs)
        rows << QStringList { k, v };
    return rows;
}

config::KeyValues toKeyValues(const QList<QStringList> &rows)
{
    config::KeyValues pairs;
    for (const QStringList &r : rows)
        pairs.append({ r.value(0), r.value(1) });
    return pairs;
}

} // namespace portico::ui
