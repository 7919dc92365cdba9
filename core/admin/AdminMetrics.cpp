#include "core/admin/AdminMetrics.h"

#include "core/capture/CaptureStore.h"
#include "core/gateway/Cluster.h"
#include "core/gateway/Gateway.h"

namespace portico::admin {

namespace {

QByteArray escapeLabel(const QString &value)
{
    QByteArray out;
    for (char c : value.toUtf8()) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

} // namespace

void registerAdminMetrics(gateway::Gateway &gateway)
{
    // Help texts match the ones the engine and filters use when they create the first series.
    MetricsRegistry &m = gateway.metrics();
    m.describe(
        "portico_requests_total", "Requests answered, by route, method, status and protocol.", "counter");
    m.describe("portico_request_duration_seconds",
        "Time from the first request byte to the last response byte.", "histogram");
    m.describe("portico_upstream_duration_seconds",
        "Time spent waiting on the upstream, from connect to the last byte.", "histogram");
    m.describe("portico_rate_limited_total", "Requests refused with 429 by a rate limit", "counter");
    m.describe("portico_auth_failures_total", "Requests refused by authentication", "counter");
    // portico_capture_dropped_total is registered by the gateway itself (a counter read at scrape).
    gateway::Gateway *gw = &gateway;
    m.gauge(
        "portico_capture_stored_total", "Exchanges the capture store committed to its database.",
        [gw] { return gw->captureStore() ? double(gw->captureStore()->storedRows()) : 0.0; }, "counter");
}

QByteArray renderMetrics(gateway::Gateway &gateway)
{
    QByteArray out = gateway.metrics().renderPrometheus();
    out += "# HELP portico_upstream_target_healthy Whether an upstream target is considered healthy (1) or "
           "not (0).\n"
           "# TYPE portico_upstream_target_healthy gauge\n";
    if (const auto config = gateway.state().config()) {
        for (const auto &cluster : config->clusters()) {
            for (const auto &target : cluster->targets()) {
                out += "portico_upstream_target_healthy{upstream=\"" + escapeLabel(cluster->name())
                    + "\",target=\"" + escapeLabel(target->url.toString()) + "\"} "
                    + (target->healthy.load(std::memory_order_relaxed) ? "1" : "0") + '\n';
            }
        }
    }
    return out;
}

} // namespace portico::admin
