#pragma once

#include "core/config/Workspace.h"
#include "core/export/ExportResult.h"

namespace portico::exporter {

// Traefik v3 dynamic configuration for the file provider (YAML): routers, services,
// middlewares, servers transports and TLS certificates. Mapping: MAPPING.md beside this file.
ExportResult exportTraefik(const config::Workspace &ws);

} // namespace portico::exporter
