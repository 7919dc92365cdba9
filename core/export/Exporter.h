#pragma once

#include "core/config/Workspace.h"
#include "core/export/ExportResult.h"

namespace portico::exporter {

// The targets exportWorkspace() knows, in a stable order: kong, traefik, envoy, nginx, krakend,
// openapi (and "openapi-json" for the same document as JSON).
QStringList exportTargets();

// Maps the workspace to the target's configuration. Deterministic: the same workspace gives
// byte-identical text and the same warnings. An unknown target sets ExportResult::error.
ExportResult exportWorkspace(const config::Workspace &workspace, const QString &target);

} // namespace portico::exporter
