#pragma once

// The checks that need the whole model (references between sections, duplicates, value ranges,
// files on disk). Shared by the loader, which places each issue in the file by its path, and by
// validateWorkspace() for models edited in memory.

#include "core/config/Workspace.h"

namespace portico::config {

struct ValidationIssue
{
    QString path; // dotted model path: "routes[2].upstream"
    QString message;
    bool atKey = false; // point at the key named by path (e.g. "missing ..."), not at its value
    QString refersTo; // for "names X, which does not exist": the section X belongs in ("upstreams")
};

QList<ValidationIssue> checkWorkspace(const Workspace &ws);

} // namespace portico::config
