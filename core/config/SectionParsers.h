#pragma once

// One function per section of the workspace file; each reads what it can and reports the rest
// through the YamlReader, so a mistake in one place never hides one elsewhere.

#include "core/config/Workspace.h"
#include "core/config/YamlReader.h"

namespace portico::config {

GatewaySettings parseGateway(YamlReader &r, const YAML::Node &node, const QString &path);
AdminSettings parseAdmin(YamlReader &r, const YAML::Node &node, const QString &path);
CaptureSettings parseCapture(YamlReader &r, const YAML::Node &node, const QString &path);
TracingSettings parseTracing(YamlReader &r, const YAML::Node &node, const QString &path);
QList<Upstream> parseUpstreams(YamlReader &r, const YAML::Node &node, const QString &path);
QList<Tier> parseTiers(YamlReader &r, const YAML::Node &node, const QString &path);
QList<Consumer> parseConsumers(YamlReader &r, const YAML::Node &node, const QString &path);
// The auth section is the auth filter's (parseAuthSchemes, core/filters/auth/AuthConfig.h); a
// tier's rate_limit is read by the rate_limit filter's parseRateLimit.
QList<Route> parseRoutes(YamlReader &r, const YAML::Node &node, const QString &path);

} // namespace portico::config
