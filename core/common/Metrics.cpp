#include "core/common/Metrics.h"

#include <QMutexLocker>

#include <algorithm>
#include <cmath>

namespace portico {

Histogram::Histogram(std::vector<double> bounds)
    : m_bounds(std::move(bounds))
    , m_counts(new std::atomic<quint64>[m_bounds.size() + 1])
{
    for (size_t i = 0; i <= m_bounds.size(); ++i)
        m_counts[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value)
{
    const auto it = std::lower_bound(m_bounds.begin(), m_bounds.end(), value);
    m_counts[size_t(it - m_bounds.begin())].fetch_add(1, std::memory_order_relaxed);
    m_count.fetch_add(1, std::memory_order_relaxed);
    m_sumMicros.fetch_add(qint64(std::llround(value * 1e6)), std::memory_order_relaxed);
}

double Histogram::quantile(double q) const
{
    const quint64 total = count();
    if (total == 0)
        return 0;
    const double rank = q * double(total);
    quint64 seen = 0;
    for (size_t i = 0; i <= m_bounds.size(); ++i) {
        const quint64 c = bucketCount(i);
        if (c > 0 && double(seen + c) >= rank) {
            const double lo = i == 0 ? 0.0 : m_bounds[i - 1];
            const double hi = i < m_bounds.size() ? m_bounds[i] : lo * 2;
            return lo + (hi - lo) * ((rank - double(seen)) / double(c));
        }
        seen += c;
    }
    return m_bounds.empty() ? 0 : m_bounds.back();
}

const std::vector<double> &MetricsRegistry::defaultLatencyBounds()
{
    static const std::vector<double> b { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                         0.1,    0.25,  0.5,    1,     2.5,  5,     10 };
    return b;
}

Counter &MetricsRegistry::counter(const QByteArray &name, const QByteArray &help, const MetricLabels &labels)
{
    QMutexLocker lock(&m_mutex);
    Family &f = m_families[name];
    if (f.type.isEmpty()) {
        f.type = "counter";
        f.help = help;
    }
    auto &slot = f.counters[labels];
    if (!slot)
        slot = std::make_unique<Counter>();
    return *slot;
}

Histogram &MetricsRegistry::histogram(const QByteArray &name, const QByteArray &help,
                                      const MetricLabels &labels, const std::vector<double> &bounds)
{
    QMutexLocker lock(&m_mutex);
    Family &f = m_families[name];
    if (f.type.isEmpty()) {
        f.type = "histogram";
        f.help = help;
    }
    auto &slot = f.histograms[labels];
    if (!slot)
        slot = std::make_unique<Histogram>(bounds);
    return *slot;
}

void MetricsRegistry::gauge(const QByteArray &name, const QByteArray &help, std::function<double()> read,
                            const QByteArray &type)
{
    QMutexLocker lock(&m_mutex);
    Family &f = m_families[name];
    f.type = type;
    f.isFunction = true;
    f.help = help;
    f.gauge = std::move(read);
}

void MetricsRegistry::describe(const QByteArray &name, const QByteArray &help, const QByteArray &type)
{
    QMutexLocker lock(&m_mutex);
    Family &f = m_families[name];
    if (f.type.isEmpty()) {
        f.type = type;
        f.help = help;
    }
}

namespace {

QByteArray escapeLabel(const QByteArray &v)
{
    QByteArray out;
    out.reserve(v.size());
    for (char c : v) {
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

QByteArray renderLabels(const MetricLabels &labels, const QByteArray &extraName = {},
                        const QByteArray &extraValue = {})
{
    if (labels.empty() && extraName.isEmpty())
        return {};
    QByteArray out = "{";
    bool first = true;
    for (const auto &[k, v] : labels) {
        if (!first)
            out += ',';
        out += k + "=\"" + escapeLabel(v) + '"';
        first = false;
    }
    if (!extraName.isEmpty()) {
        if (!first)
            out += ',';
        out += extraName + "=\"" + extraValue + '"';
    }
    out += '}';
    return out;
}

QByteArray number(double v)
{
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    return QByteArray::number(v, 'g', 12);
}

bool labelsInclude(const MetricLabels &labels, const MetricLabels &filter)
{
    for (const auto &f : filter) {
        if (std::find(labels.begin(), labels.end(), f) == labels.end())
            return false;
    }
    return true;
}

} // namespace

QByteArray MetricsRegistry::renderPrometheus() const
{
    QMutexLocker lock(&m_mutex);
    QByteArray out;
    out.reserve(8192);
    for (const auto &[name, f] : m_families) {
        out += "# HELP " + name + ' ' + f.help + '\n';
        out += "# TYPE " + name + ' ' + f.type + '\n';
        if (f.isFunction) {
            out += name + ' ' + number(f.gauge ? f.gauge() : 0) + '\n';
            continue;
        }
        for (const auto &[labels, c] : f.counters)
            out += name + renderLabels(labels) + ' ' + QByteArray::number(c->value()) + '\n';
        for (const auto &[labels, h] : f.histograms) {
            quint64 cumulative = 0;
            const auto &bounds = h->bounds();
            for (size_t i = 0; i < bounds.size(); ++i) {
                cumulative += h->bucketCount(i);
                out += name + "_bucket" + renderLabels(labels, "le", number(bounds[i])) + ' '
                    + QByteArray::number(cumulative) + '\n';
            }
            cumulative += h->bucketCount(bounds.size());
            out += name + "_bucket" + renderLabels(labels, "le", "+Inf") + ' ' + QByteArray::number(cumulative)
                + '\n';
            out += name + "_sum" + renderLabels(labels) + ' ' + number(h->sum()) + '\n';
            out += name + "_count" + renderLabels(labels) + ' ' + QByteArray::number(cumulative) + '\n';
        }
    }
    return out;
}

quint64 MetricsRegistry::sumCounter(const QByteArray &name, const MetricLabels &filter) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_families.find(name);
    if (it == m_families.end())
        return 0;
    quint64 sum = 0;
    for (const auto &[labels, c] : it->second.counters) {
        if (labelsInclude(labels, filter))
            sum += c->value();
    }
    return sum;
}

QList<std::pair<MetricLabels, quint64>> MetricsRegistry::counterFamily(const QByteArray &name) const
{
    QMutexLocker lock(&m_mutex);
    QList<std::pair<MetricLabels, quint64>> out;
    const auto it = m_families.find(name);
    if (it != m_families.end()) {
        for (const auto &[labels, c] : it->second.counters)
            out.append({ labels, c->value() });
    }
    return out;
}

QList<std::pair<MetricLabels, const Histogram *>> MetricsRegistry::histogramFamily(const QByteArray &name) const
{
    QMutexLocker lock(&m_mutex);
    QList<std::pair<MetricLabels, const Histogram *>> out;
    const auto it = m_families.find(name);
    if (it != m_families.end()) {
        for (const auto &[labels, h] : it->second.histograms)
            out.append({ labels, h.get() });
    }
    return out;
}

} // namespace portico
