#pragma once

#include "core/export/import/ImportResult.h"

#include <QByteArray>

namespace portico::exporter {

// A Kong declarative config (_format_version "3.0", YAML or JSON) as a workspace: services and
// routes become routes, upstreams and service hosts upstreams, consumers with their key
// credentials and ACL groups consumers, and the plugins Portico knows (key-auth, jwt, acl,
// rate-limiting, request/response-transformer, request-termination, request-size-limiting) their
// workspace features. The portico-* tags exportKong() writes restore versions and tiers, so
// export -> import -> export gives the same file.
ImportResult importKong(const QByteArray &text);

} // namespace portico::exporter
