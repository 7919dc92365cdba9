#pragma once

#include "core/config/Workspace.h"

namespace portico::config {

// Renaming an item also renames what refers to it, so that a rename (in the GUI's forms, say)
// never leaves dangling references (the file has no ids: names are the references). `index` must
// be a valid index of the list it names.
//  - an upstream: routes' upstream, their versions map and their aggregate parts;
//  - a tier: consumers' tier;
//  - an auth scheme: routes' auth lists and the ${ENV} secrets remembered under auth.NAME.*.
void renameUpstream(Workspace &ws, int index, const QString &name);
void renameTier(Workspace &ws, int index, const QString &name);
void renameAuthScheme(Workspace &ws, int index, const QString &name);

} // namespace portico::config
