#pragma once

#include "core/export/import/ImportResult.h"

#include <QByteArray>
#include <QUrl>

namespace portico::exporter {

// An OpenAPI 3.x document (YAML or JSON) as a workspace: each path's operations become routes
// (exact paths; {param} templates become path_regex), servers become upstreams (an operation's
// x-amazon-apigateway-integration http_proxy URI takes precedence), security schemes become auth
// schemes. `defaultUpstream` serves the routes when the document names no absolute server URL.
ImportResult importOpenApi(const QByteArray &text, const QUrl &defaultUpstream = {});

} // namespace portico::exporter
