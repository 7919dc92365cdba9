#pragma once

// The proxy section: Portico as a forward proxy for an app's own calls (issue 18). Read,
// checked and written here; served by core/proxy.

#include "core/config/ValidationSink.h"
#include "core/config/WorkspaceTree.h"
#include "core/config/YamlReader.h"

namespace portico::config {

ProxySettings parseProxy(YamlReader &r, const YAML::Node &node, const QString &path);
std::optional<WorkspaceTree> writeProxy(const TreeWriter &w, const std::optional<ProxySettings> &p);

// A listen address other machines can reach needs credentials (anyone could use it to reach
// this machine's network otherwise); the port is not one of the gateway's or the admin API's;
// passthrough globs are host patterns; upstream_ca exists.
void validateProxy(ValidationSink &sink, const Workspace &ws);

// Whether `host` (lower case) matches a passthrough pattern: "api.example.com" exactly, or
// "*.example.com" for any name below example.com (not example.com itself).
bool hostMatchesGlob(QStringView host, QStringView pattern);

// The URL a client is given for the proxy: http://listen-address:port (an "any" address as
// 127.0.0.1), with proxy.auth's credentials when set.
QUrl proxyClientUrl(const ProxySettings &p);

} // namespace portico::config
