#pragma once

#include "core/config/Workspace.h"
#include "core/export/ExportResult.h"

namespace portico::exporter {

// A complete nginx.conf (main context: worker_processes, events, http). It sets no pid or
// error_log, so `nginx -c FILE -g 'pid ...; error_log ...;'` can place them. Mapping: MAPPING.md.
ExportResult exportNginx(const config::Workspace &ws);

} // namespace portico::exporter
