#pragma once

#include "ui/dashboard/MetricsSampler.h"

#include <QElapsedTimer>
#include <QHash>
#include <QWidget>

#include <memory>

class QChart;
class QDateTime;
class QDateTimeAxis;
class QComboBox;
class QLabel;
class QTableWidget;
class QTimer;
class QValueAxis;

namespace portico {
class MetricsRegistry;
namespace capture {
class CaptureStore;
struct ExchangeSummary;
} // namespace capture
} // namespace portico

namespace portico::ui {

class GapSeries;

// Live charts of the running gateway, sampled once a second from its MetricsRegistry: requests
// per second, error rate and p50/p95/p99 latency (overall or for one route), the counters for
// rate-limited and auth-failed requests, and the busiest consumers (from the capture feed). The
// charts run over wall-clock time (the last kWindowSeconds). A second in which no request was
// answered has no error rate and no latency: those lines break there (a gap, not 0 ms), while
// requests/s reads 0, which it was. While the gateway is stopped every line breaks.
class DashboardPage final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kWindowSeconds = 120; // two minutes at one sample per second

    explicit DashboardPage(QWidget *parent = nullptr);
    ~DashboardPage() override;

    // `metrics` may be null (gateway stopped): sampling pauses.
    void setMetrics(MetricsRegistry *metrics);
    void setCaptureStore(capture::CaptureStore *store);
    // Takes one sample now (the timer calls it every second).
    void sampleNow();
    // Adds the figures of the second that ended at `at` to the charts and slides their window.
    void addSample(const QDateTime &at, const MetricsSampler::Figures &f);
    // Sets a value axis to 0..a round number above `top`, its grid lines at round steps and its
    // labels with the decimals those steps need (a "%.0f" label on a 2.5 step would read 2 for 2.5).
    static void fitAxis(QValueAxis *axis, qreal top);

    QComboBox *routeCombo() const { return m_route; }
    const GapSeries *requestsLine() const { return m_rps.get(); }
    const GapSeries *errorsLine() const { return m_errors.get(); }
    // 0: p50, 1: p95, 2: p99.
    const GapSeries *latencyLine(int which) const;
    QList<QDateTimeAxis *> timeAxes() const { return m_xAxes; }
    QValueAxis *latencyAxis() const { return m_latencyAxis; }
    QLabel *rateLimitedLabel() const { return m_rateLimited; }
    QTableWidget *consumersTable() const { return m_consumers; }

private:
    QList<GapSeries *> lines() const;
    void breakLines();
    // Shows the kWindowSeconds up to `now`, dropping what slid out, and fits the value axes.
    void slideWindow(const QDateTime &now);
    void countConsumers(const QList<capture::ExchangeSummary> &rows);
    QChart *makeChart(const QString &title, QValueAxis **axisY);

    MetricsRegistry *m_metrics = nullptr;
    MetricsSampler m_sampler;
    QElapsedTimer m_clock;
    QTimer *m_timer;
    QComboBox *m_route;
    QLabel *m_total;
    QLabel *m_rateLimited;
    QLabel *m_authFailures;
    std::unique_ptr<GapSeries> m_rps;
    std::unique_ptr<GapSeries> m_errors;
    std::unique_ptr<GapSeries> m_p50;
    std::unique_ptr<GapSeries> m_p95;
    std::unique_ptr<GapSeries> m_p99;
    QValueAxis *m_rpsAxis = nullptr;
    QValueAxis *m_errorsAxis = nullptr;
    QValueAxis *m_latencyAxis = nullptr;
    QList<QDateTimeAxis *> m_xAxes;
    QTableWidget *m_consumers;
    QHash<QString, quint64> m_consumerCounts;
    QMetaObject::Connection m_feed;
};

} // namespace portico::ui
