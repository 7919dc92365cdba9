#pragma once

#include "core/config/Workspace.h"
#include "core/export/ExportResult.h"

namespace portico::exporter {

// KrakenD v3 configuration (krakend.json, "version": 3): one endpoint per route and method with
// its backends (several for aggregate routes, merged under their keys), auth/validator for JWT
// and qos/ratelimit/router for limits. Mapping: MAPPING.md beside this file.
ExportResult exportKrakend(const config::Workspace &ws);

} // namespace portico::exporter
