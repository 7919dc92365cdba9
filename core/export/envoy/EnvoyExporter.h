#pragma once

#include "core/config/Workspace.h"
#include "core/export/ExportResult.h"

namespace portico::exporter {

// Envoy v3 static bootstrap (YAML): one listener per gateway address with an
// HttpConnectionManager (route config with virtual hosts, jwt_authn with remote JWKS,
// local_ratelimit, header mutations) and one cluster per upstream with health checks.
// Mapping: MAPPING.md beside this file.
ExportResult exportEnvoy(const config::Workspace &ws);

} // namespace portico::exporter
