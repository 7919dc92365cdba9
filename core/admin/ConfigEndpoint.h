#pragma once

#include "core/admin/AdminReply.h"

namespace portico::gateway {
class Gateway;
}

namespace portico::admin {

// GET /config: the running workspace as JSON (secrets as their ${TEMPLATE} or "[redacted]"),
// with its revision in the X-Config-Revision header.
AdminReply getConfig(const gateway::Gateway &gateway);

// PUT /config: a whole workspace, JSON or YAML (Content-Type application/yaml, text/yaml or
// their x- forms; JSON otherwise). Relative paths resolve against the running workspace's file.
// A secret sent back as "[redacted]" (as GET /config shows it) keeps its running value, so that
// GET -> edit -> PUT works. Invalid: 400 problem+json listing every problem, nothing changes.
// Valid: applied atomically through Gateway::apply, 200 {"revision": N}.
AdminReply putConfig(gateway::Gateway &gateway, const QByteArray &body, const QByteArray &contentType);

} // namespace portico::admin
