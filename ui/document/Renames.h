#pragma once

#include "core/config/Workspace.h"

namespace portico::ui {

// Renaming an item also renames what refers to it, so that a rename in the GUI never leaves
// dangling references (the file has no ids: names are the references).
void renameUpstream(config::Workspace &ws, int index, const QString &name);
void renameTier(config::Workspace &ws, int index, const QString &name);
void renameAuthScheme(config::Workspace &ws, int index, const QString &name);

} // namespace portico::ui
