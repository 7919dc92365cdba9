#pragma once

#include "core/config/Workspace.h"
#include "core/export/ExportResult.h"

namespace portico::exporter {

// Kong Gateway 3.x declarative config (_format_version "3.0"), YAML. Mapping: MAPPING.md beside
// this file. Tags named portico-* carry what Kong has no field for, so importKong() can restore it.
ExportResult exportKong(const config::Workspace &ws);

} // namespace portico::exporter
