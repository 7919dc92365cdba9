#pragma once

#include <QByteArray>

namespace portico::gateway {
class Gateway;
}

namespace portico::admin {

// Declares on the gateway's registry every series the contract names for /metrics
// (portico_requests_total, portico_request_duration_seconds, portico_upstream_duration_seconds,
// portico_rate_limited_total, portico_auth_failures_total, portico_capture_dropped_total), so a
// scrape lists them before any traffic, plus portico_capture_stored_total. Safe to call more than
// once. (portico_config_reloads_total is counted by AdminServer, which sees the reloads.)
void registerAdminMetrics(gateway::Gateway &gateway);

// The Prometheus text exposition (version 0.0.4): the registry, then
// portico_upstream_target_healthy{upstream,target} (1 healthy, 0 not) for every configured target.
QByteArray renderMetrics(gateway::Gateway &gateway);

} // namespace portico::admin
