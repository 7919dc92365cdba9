#include "ui/dashboard/MetricsSampler.h"

#include "core/common/Metrics.h"

namespace portico::ui {

MetricsSampler::MetricsSampler(int window)
    : m_window(window)
{
}

void MetricsSampler::reset()
{
    m_routes.clear();
    m_overall = {};
}

double MetricsSampler::quantile(const std::vector<double> &bounds, const std::vector<quint64> &counts, double q)
{
    quint64 total = 0;
    for (quint64 c : counts)
        total += c;
    if (total == 0)
        return 0;
    const double rank = q * double(total);
    quint64 cumulative = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
        const quint64 before = cumulative;
        cumulative += counts[i];
        if (double(cumulative) >= rank && counts[i] > 0) {
            const double lower = i == 0 ? 0.0 : bounds[i - 1];
            if (i >= bounds.size())
                return lower; // +Inf bucket: the best known bound
            const double upper = bounds[i];
            const double within = (rank - double(before)) / double(counts[i]);
            return lower + (upper - lower) * std::clamp(within, 0.0, 1.0);
        }
    }
    return bounds.empty() ? 0 : bounds.back();
}

MetricsSampler::Figures MetricsSampler::figuresFor(RouteState &state, quint64 requests, quint64 errors,
                                                   const std::vector<double> &bounds,
                                                   const std::vector<quint64> &buckets, double seconds)
{
    Figures f;
    const quint64 dr = requests >= state.requests ? requests - state.requests : requests;
    const quint64 de = errors >= state.errors ? errors - state.errors : errors;
    f.requests = dr;
    f.requestsPerSecond = seconds > 0 ? double(dr) / seconds : 0;
    f.errorRate = dr ? double(de) / double(dr) : 0;
    state.requests = requests;
    state.errors = errors;

    std::vector<quint64> delta(buckets.size(), 0);
    if (state.buckets.size() == buckets.size()) {
        for (size_t i = 0; i < buckets.size(); ++i)
            delta[i] = buckets[i] >= state.buckets[i] ? buckets[i] - state.buckets[i] : buckets[i];
    } else {
        delta = buckets;
    }
    state.buckets = buckets;
    state.windowDeltas.push_back(delta);
    while (int(state.windowDeltas.size()) > m_window)
        state.windowDeltas.pop_front();
    std::vector<quint64> window(buckets.size(), 0);
    for (const auto &d : state.windowDeltas) {
        for (size_t i = 0; i < d.size() && i < window.size(); ++i)
            window[i] += d[i];
    }
    f.p50 = quantile(bounds, window, 0.50);
    f.p95 = quantile(bounds, window, 0.95);
    f.p99 = quantile(bounds, window, 0.99);
    return f;
}

MetricsSampler::Sample MetricsSampler::sample(const MetricsRegistry &metrics, double seconds)
{
    struct Totals
    {
        quint64 requests = 0;
        quint64 errors = 0;
    };
    QHash<QString, Totals> perRoute;
    Totals all;
    for (const auto &[labels, value] : metrics.counterFamily("portico_requests_total")) {
        QString route;
        int status = 0;
        for (const auto &[k, v] : labels) {
            if (k == "route")
                route = QString::fromUtf8(v);
            else if (k == "status")
                status = v.toInt();
        }
        Totals &t = perRoute[route];
        t.requests += value;
        all.requests += value;
        if (status >= 500) {
            t.errors += value;
            all.errors += value;
        }
    }
    std::vector<double> bounds = MetricsRegistry::defaultLatencyBounds();
    QHash<QString, std::vector<quint64>> bucketsPerRoute;
    std::vector<quint64> allBuckets(bounds.size() + 1, 0);
    for (const auto &[labels, histogram] : metrics.histogramFamily("portico_request_duration_seconds")) {
        QString route;
        for (const auto &[k, v] : labels) {
            if (k == "route")
                route = QString::fromUtf8(v);
        }
        bounds = histogram->bounds();
        std::vector<quint64> b(bounds.size() + 1, 0);
        for (size_t i = 0; i < b.size(); ++i)
            b[i] = histogram->bucketCount(i);
        if (allBuckets.size() != b.size())
            allBuckets.assign(b.size(), 0);
        for (size_t i = 0; i < b.size(); ++i)
            allBuckets[i] += b[i];
        bucketsPerRoute.insert(route, b);
    }

    Sample s;
    s.totalRequests = all.requests;
    s.overall = figuresFor(m_overall, all.requests, all.errors, bounds, allBuckets, seconds);
    for (auto it = perRoute.cbegin(); it != perRoute.cend(); ++it) {
        const std::vector<quint64> b = bucketsPerRoute.value(it.key(), std::vector<quint64>(bounds.size() + 1, 0));
        s.routes.insert(it.key(), figuresFor(m_routes[it.key()], it->requests, it->errors, bounds, b, seconds));
    }
    s.rateLimited = metrics.sumCounter("portico_rate_limited_total");
    s.authFailures = metrics.sumCounter("portico_auth_failures_total");
    return s;
}

} // namespace portico::ui
