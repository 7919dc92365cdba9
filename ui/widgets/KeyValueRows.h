#pragma once

#include "core/config/Workspace.h"

namespace portico::ui {

// KeyValues <-> RowsModel rows (two columns).
QList<QStringList> toRows(const config::KeyValues &pairs);
config::KeyValues toKeyValues(const QList<QStringList> &rows);

} // namespace portico::ui
