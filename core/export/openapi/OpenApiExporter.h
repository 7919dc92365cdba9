#pragma once

#include "core/config/Workspace.h"
#include "core/export/ExportResult.h"

namespace portico::exporter {

// OpenAPI 3.0.3 describing the gateway's public API: paths and methods of the routes, security
// schemes, servers from the listeners, and x-amazon-apigateway-integration per operation so the
// document imports into AWS API Gateway. YAML, or JSON with `json`. Mapping: MAPPING.md.
ExportResult exportOpenApi(const config::Workspace &ws, bool json = false);

} // namespace portico::exporter
