#pragma once

// Saving a workspace model: as YAML for files (the GUI saves through this) and as JSON for the admin
// API. Both share one structure, the same as the workspace file's.

#include "core/config/Workspace.h"

#include <QByteArray>
#include <QJsonObject>

namespace portico::config {

// Sections in the example file's order, keys in a fixed order, lists in model order, most
// defaults left out. A value that came from ${NAME} is written back as its template (from
// Workspace::envTemplates), never as the expanded value, so secrets stay out of the file; whoever
// edits such a value must drop its envTemplates entry. loadWorkspaceText(writeWorkspaceYaml(ws))
// gives a workspace equal to ws.
QByteArray writeWorkspaceYaml(const Workspace &ws);

// The same structure as JSON (for GET /config). Secrets (admin.token, auth secrets) appear as their
// ${TEMPLATE}, or as "[redacted]" when they were written literally; other values are the running ones.
QJsonObject workspaceToJson(const Workspace &ws);

// The placeholder workspaceToJson() shows for a literal secret.
inline constexpr const char *kRedacted = "[redacted]";

// For a config sent back after GET /config (PUT /config): every secret still reading "[redacted]"
// takes the running workspace's value (auth schemes matched by name), so that GET -> edit -> PUT
// does not replace secrets by the placeholder.
void restoreRedactedSecrets(Workspace &incoming, const Workspace &running);

} // namespace portico::config
