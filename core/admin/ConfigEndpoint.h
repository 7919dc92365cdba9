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
// GET -> edit -> PUT works. Every file the config names (mock body_file, TLS cert and key, JWT
// public_key, capture.database) must be inside the running workspace's folder, or be a file the
// running config already names: otherwise 400 naming the key. Invalid: 400 problem+json listing
// every problem, nothing changes.
// Valid: applied atomically through Gateway::apply, 200 {"revision": N}.
AdminReply putConfig(gateway::Gateway &gateway, const QByteArray &body, const QByteArray &contentType);

} // namespace portico::admin
