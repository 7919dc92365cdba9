#pragma once

#include <QHash>
#include <QList>
#include <QString>

#include <deque>
#include <vector>

namespace portico {
class MetricsRegistry;
}

namespace portico::ui {

// Turns the gateway's cumulative counters and histograms into per-interval figures for the
// dashboard: requests per second and error rate since the last sample, latency quantiles over
// the last `window` samples (from histogram bucket differences, so old traffic does not flatten
// them), overall and per route.
class MetricsSampler
{
public:
    struct Figures
    {
        double requestsPerSecond = 0;
        double errorRate = 0; // share of 5xx answers, 0..1
        double p50 = 0;       // seconds
        double p95 = 0;
        double p99 = 0;
        quint64 requests = 0; // in this interval
    };
    struct Sample
    {
        Figures overall;
        QHash<QString, Figures> routes;
        quint64 totalRequests = 0; // cumulative
        quint64 rateLimited = 0;   // cumulative
        quint64 authFailures = 0;  // cumulative
    };

    explicit MetricsSampler(int window = 10);

    // `seconds` is the time since the previous call.
    Sample sample(const MetricsRegistry &metrics, double seconds);
    void reset();

    // Quantile q (0..1) of a histogram given by upper bounds and per-bucket counts (one more
    // count than bounds: the last is +Inf), interpolating linearly inside the bucket.
    static double quantile(const std::vector<double> &bounds, const std::vector<quint64> &counts, double q);

private:
    struct RouteState
    {
        quint64 requests = 0;
        quint64 errors = 0;
        std::vector<quint64> buckets;                 // cumulative per bucket at the last sample
        std::deque<std::vector<quint64>> windowDeltas; // per-sample bucket increases
    };
    Figures figuresFor(RouteState &state, quint64 requests, quint64 errors, const std::vector<double> &bounds,
                       const std::vector<quint64> &buckets, double seconds);

    int m_window;
    QHash<QString, RouteState> m_routes;
    RouteState m_overall;
};

} // namespace portico::ui
