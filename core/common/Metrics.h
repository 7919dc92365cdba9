#pragma once

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QString>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace portico {

// Labels of one series, in a fixed order: {{"route","users"},{"method","GET"}}.
using MetricLabels = std::vector<std::pair<QByteArray, QByteArray>>;

class Counter
{
public:
    void inc(quint64 n = 1) { m_value.fetch_add(n, std::memory_order_relaxed); }
    quint64 value() const { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<quint64> m_value { 0 };
};

// A Prometheus histogram: cumulative buckets rendered at scrape time from per-bucket counts.
class Histogram
{
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double value);
    const std::vector<double> &bounds() const { return m_bounds; }
    quint64 bucketCount(size_t i) const { return m_counts[i].load(std::memory_order_relaxed); }
    quint64 count() const { return m_count.load(std::memory_order_relaxed); }
    double sum() const { return double(m_sumMicros.load(std::memory_order_relaxed)) / 1e6; }
    // Estimated quantile (0..1) by linear interpolation inside the bucket; 0 when empty.
    double quantile(double q) const;

private:
    std::vector<double> m_bounds;
    std::unique_ptr<std::atomic<quint64>[]> m_counts; // one per bound, plus +Inf
    std::atomic<quint64> m_count { 0 };
    std::atomic<qint64> m_sumMicros { 0 };
};

// Named, labelled counters and histograms that feed the admin /metrics endpoint and the GUI.
// Looking a series up takes a lock: callers on hot paths keep the returned reference (series are
// never removed, so references stay valid for the registry's lifetime).
class MetricsRegistry
{
public:
    Counter &counter(const QByteArray &name, const QByteArray &help, const MetricLabels &labels = {});
    Histogram &histogram(const QByteArray &name, const QByteArray &help, const MetricLabels &labels = {},
                         const std::vector<double> &bounds = defaultLatencyBounds());
    // A value read at scrape time (e.g. the capture store's queue length).
    // `type` is "gauge", or "counter" for a monotonic total kept elsewhere (e.g. drop counters).
    void gauge(const QByteArray &name, const QByteArray &help, std::function<double()> read,
               const QByteArray &type = "gauge");

    // Declares a family before its first series, so that a scrape lists it (HELP and TYPE, no
    // samples) from the start. `type` is "counter" or "histogram"; an existing family is kept as is.
    void describe(const QByteArray &name, const QByteArray &help, const QByteArray &type);

    QByteArray renderPrometheus() const;

    // Sum of a counter over all label sets whose labels include `filter` (all if empty).
    quint64 sumCounter(const QByteArray &name, const MetricLabels &filter = {}) const;
    // Snapshot of a counter family: labels -> value.
    QList<std::pair<MetricLabels, quint64>> counterFamily(const QByteArray &name) const;
    QList<std::pair<MetricLabels, const Histogram *>> histogramFamily(const QByteArray &name) const;

    static const std::vector<double> &defaultLatencyBounds();

private:
    struct Family
    {
        QByteArray help;
        QByteArray type; // counter | histogram | gauge
        std::map<MetricLabels, std::unique_ptr<Counter>> counters;
        std::map<MetricLabels, std::unique_ptr<Histogram>> histograms;
        std::function<double()> gauge;
        bool isFunction = false;
    };
    mutable QMutex m_mutex;
    std::map<QByteArray, Family> m_families;
};

} // namespace portico
