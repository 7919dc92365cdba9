#pragma once

#include "ui/dashboard/MetricsSampler.h"

#include <QElapsedTimer>
#include <QHash>
#include <QWidget>

class QChart;
class QComboBox;
class QLabel;
class QLineSeries;
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

// Live charts of the running gateway, sampled once a second from its MetricsRegistry: requests
// per second, error rate and p50/p95/p99 latency (overall or for one route), the counters for
// rate-limited and auth-failed requests, and the busiest consumers (from the capture feed).
class DashboardPage final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kPoints = 120; // two minutes at one sample per second

    explicit DashboardPage(QWidget *parent = nullptr);

    // `metrics` may be null (gateway stopped): sampling pauses.
    void setMetrics(MetricsRegistry *metrics);
    void setCaptureStore(capture::CaptureStore *store);
    // Takes one sample now (the timer calls it every second).
    void sampleNow();
    // Sets a value axis to 0..a round number above `top`, its grid lines at round steps and its
    // labels with the decimals those steps need (a "%.0f" label on a 2.5 step would read 2 for 2.5).
    static void fitAxis(QValueAxis *axis, qreal top);

    QComboBox *routeCombo() const { return m_route; }
    QLineSeries *requestsSeries() const { return m_rps; }
    QLabel *rateLimitedLabel() const { return m_rateLimited; }
    QTableWidget *consumersTable() const { return m_consumers; }

private:
    void addPoint(const MetricsSampler::Figures &f);
    void countConsumers(const QList<capture::ExchangeSummary> &rows);
    QChart *makeChart(const QString &title, QValueAxis **axisY);

    MetricsRegistry *m_metrics = nullptr;
    MetricsSampler m_sampler;
    QElapsedTimer m_clock;
    QTimer *m_timer;
    int m_tick = 0;
    QComboBox *m_route;
    QLabel *m_total;
    QLabel *m_rateLimited;
    QLabel *m_authFailures;
    QLineSeries *m_rps;
    QLineSeries *m_errors;
    QLineSeries *m_p50;
    QLineSeries *m_p95;
    QLineSeries *m_p99;
    QValueAxis *m_rpsAxis = nullptr;
    QValueAxis *m_errorsAxis = nullptr;
    QValueAxis *m_latencyAxis = nullptr;
    QList<QValueAxis *> m_xAxes;
    QTableWidget *m_consumers;
    QHash<QString, quint64> m_consumerCounts;
    QMetaObject::Connection m_feed;
};

} // namespace portico::ui
