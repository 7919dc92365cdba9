#pragma once

// The checks that need the whole model (references between sections, duplicates, value ranges,
// files on disk). Shared by the loader, which places each issue in the file by its path, and by
// validateWorkspace() for models edited in memory.

#include "core/config/ValidationSink.h"

namespace portico::config {

QList<ValidationIssue> checkWorkspace(const Workspace &ws);

} // namespace portico::config
