#include "ui/dashboard/DashboardPage.h"

#include "core/capture/CaptureStore.h"
#include "core/common/Metrics.h"
#include "ui/dashboard/GapSeries.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>

namespace portico::ui {

namespace {

QLabel *tile(QWidget *parent, QGridLayout *grid, int column, const QString &caption)
{
    auto *box = new QWidget(parent);
    box->setObjectName(QStringLiteral("dashboardTile"));
    auto *layout = new QVBoxLayout(box);
    auto *value = new QLabel(QStringLiteral("0"), box);
    value->setStyleSheet(QStringLiteral("font-size: 20px; font-weight: 600; color: #1f2330;"));
    auto *label = new QLabel(caption, box);
    label->setStyleSheet(QStringLiteral("color: #6b7280;"));
    layout->addWidget(value);
    layout->addWidget(label);
    box->setStyleSheet(QStringLiteral(
        "#dashboardTile { background: white; border: 1px solid #e3e5ea; border-radius: 6px; }"));
    grid->addWidget(box, 0, column);
    return value;
}

} // namespace

DashboardPage::DashboardPage(QWidget *parent)
    : QWidget(parent)
    , m_timer(new QTimer(this))
    , m_route(new QComboBox(this))
    , m_consumers(new QTableWidget(this))
{
    auto *title = new QLabel(tr("Dashboard"), this);
    title->setObjectName(QStringLiteral("sectionTitle"));
    m_route->addItem(tr("All routes"), QString());
    m_route->setMinimumWidth(160);
    auto *top = new QHBoxLayout;
    top->addWidget(title);
    top->addStretch(1);
    top->addWidget(new QLabel(tr("Show"), this));
    top->addWidget(m_route);

    auto *tiles = new QGridLayout;
    m_total = tile(this, tiles, 0, tr("requests answered"));
    m_rateLimited = tile(this, tiles, 1, tr("rate-limited (429)"));
    m_authFailures = tile(this, tiles, 2, tr("auth failures (401/403)"));

    QChart *rpsChart = makeChart(tr("Requests per second"), &m_rpsAxis);
    QChart *errChart = makeChart(tr("Server errors (5xx, %)"), &m_errorsAxis);
    QChart *latChart = makeChart(tr("Latency (ms)"), &m_latencyAxis);
    m_errorsAxis->setRange(0, 100);
    auto timeAxis = [this](QChart *chart) {
        auto *x = new QDateTimeAxis;
        x->setFormat(QStringLiteral("HH:mm:ss"));
        x->setTickCount(5); // every 30 s of the two minutes
        x->setGridLineColor(QColor(0xee, 0xef, 0xf2));
        chart->addAxis(x, Qt::AlignBottom);
        m_xAxes << x;
        return x;
    };
    m_rps = std::make_unique<GapSeries>(
        rpsChart, timeAxis(rpsChart), m_rpsAxis, tr("requests/s"), QColor(0x4f, 0x46, 0xe5));
    m_errors = std::make_unique<GapSeries>(
        errChart, timeAxis(errChart), m_errorsAxis, tr("5xx %"), QColor(0xdc, 0x26, 0x26));
    QDateTimeAxis *latX = timeAxis(latChart);
    m_p50 = std::make_unique<GapSeries>(
        latChart, latX, m_latencyAxis, QStringLiteral("p50"), QColor(0x22, 0xc5, 0x5e));
    m_p95 = std::make_unique<GapSeries>(
        latChart, latX, m_latencyAxis, QStringLiteral("p95"), QColor(0xf5, 0x9e, 0x0b));
    m_p99 = std::make_unique<GapSeries>(
        latChart, latX, m_latencyAxis, QStringLiteral("p99"), QColor(0xdc, 0x26, 0x26));
    latChart->legend()->show();
    latChart->legend()->setAlignment(Qt::AlignTop);
    slideWindow(QDateTime::currentDateTime());
    auto *gapsNote = new QLabel(tr("A gap: no request was answered, so no latency or error rate (requests/s "
                                   "reads 0). Every line breaks while the gateway is stopped."),
        this);
    gapsNote->setObjectName(QStringLiteral("gapsNote"));
    gapsNote->setWordWrap(true);
    gapsNote->setStyleSheet(QStringLiteral("color: #6b7280;"));

    auto view = [this](QChart *c) {
        auto *v = new QChartView(c, this);
        v->setRenderHint(QPainter::Antialiasing);
        v->setMinimumHeight(180);
        return v;
    };
    m_consumers->setColumnCount(2);
    m_consumers->setHorizontalHeaderLabels({ tr("Top consumers"), tr("Requests") });
    m_consumers->verticalHeader()->hide();
    m_consumers->horizontalHeader()->setStretchLastSection(true);
    m_consumers->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_consumers->setEditTriggers(QAbstractItemView::NoEditTriggers);

    auto *grid = new QGridLayout;
    grid->addWidget(view(rpsChart), 0, 0);
    grid->addWidget(view(errChart), 0, 1);
    grid->addWidget(view(latChart), 1, 0);
    grid->addWidget(m_consumers, 1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->addLayout(top);
    layout->addLayout(tiles);
    layout->addLayout(grid, 1);
    layout->addWidget(gapsNote);

    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &DashboardPage::sampleNow);
    connect(m_route, &QComboBox::activated, this, [this] {
        for (GapSeries *line : lines())
            line->clear();
    });
}

DashboardPage::~DashboardPage() = default;

QList<GapSeries *> DashboardPage::lines() const
{
    return { m_rps.get(), m_errors.get(), m_p50.get(), m_p95.get(), m_p99.get() };
}

const GapSeries *DashboardPage::latencyLine(int which) const
{
    return which == 0 ? m_p50.get() : which == 1 ? m_p95.get() : m_p99.get();
}

void DashboardPage::breakLines()
{
    for (GapSeries *line : lines())
        line->gap();
}

QChart *DashboardPage::makeChart(const QString &title, QValueAxis **axisY)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->hide();
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(6);
    auto *y = new QValueAxis;
    y->setLabelFormat(QStringLiteral("%.0f"));
    y->setRange(0, 10);
    chart->addAxis(y, Qt::AlignLeft);
    *axisY = y;
    return chart;
}

void DashboardPage::setMetrics(MetricsRegistry *metrics)
{
    m_metrics = metrics;
    m_sampler.reset();
    m_clock.start();
    breakLines(); // no line across the time the gateway was not running
    if (metrics) {
        m_sampler.sample(*metrics, 1.0); // baseline: the next sample shows only new traffic
        m_timer->start();
    } else {
        m_timer->stop();
    }
}

void DashboardPage::setCaptureStore(capture::CaptureStore *store)
{
    disconnect(m_feed);
    if (store)
        m_feed
            = connect(store, &capture::CaptureStore::exchangesStored, this, &DashboardPage::countConsumers);
}

void DashboardPage::sampleNow()
{
    if (!m_metrics)
        return;
    const double seconds = std::max(0.001, double(m_clock.restart()) / 1000.0);
    const MetricsSampler::Sample s = m_sampler.sample(*m_metrics, seconds);
    const QString route = m_route->currentData().toString();
    QStringList routes = s.routes.keys();
    routes.sort();
    for (const QString &r : routes) {
        if (m_route->findData(r) < 0)
            m_route->addItem(r, r);
    }
    addSample(QDateTime::currentDateTime(), route.isEmpty() ? s.overall : s.routes.value(route));
    m_total->setText(QLocale().toString(s.totalRequests));
    m_rateLimited->setText(QLocale().toString(s.rateLimited));
    m_authFailures->setText(QLocale().toString(s.authFailures));
}

void DashboardPage::addSample(const QDateTime &at, const MetricsSampler::Figures &f)
{
    const qint64 ms = at.toMSecsSinceEpoch();
    m_rps->append(ms, f.requestsPerSecond);
    if (f.requests > 0) {
        m_errors->append(ms, f.errorRate * 100.0);
        m_p50->append(ms, f.p50 * 1000.0);
        m_p95->append(ms, f.p95 * 1000.0);
        m_p99->append(ms, f.p99 * 1000.0);
    } else {
        // Nothing answered: no error rate, no latency. A gap, not a measurement of 0.
        for (GapSeries *line : { m_errors.get(), m_p50.get(), m_p95.get(), m_p99.get() })
            line->gap();
    }
    slideWindow(at);
}

void DashboardPage::slideWindow(const QDateTime &now)
{
    const QDateTime from = now.addSecs(-kWindowSeconds);
    for (GapSeries *line : lines())
        line->dropBefore(from.toMSecsSinceEpoch());
    for (QDateTimeAxis *axis : std::as_const(m_xAxes))
        axis->setRange(from, now);
    fitAxis(m_rpsAxis, std::max(1.0, m_rps->maxValue()));
    fitAxis(m_latencyAxis, std::max({ 1.0, m_p50->maxValue(), m_p95->maxValue(), m_p99->maxValue() }));
}

void DashboardPage::fitAxis(QValueAxis *axis, qreal top)
{
    // About four intervals of 1, 2, 2.5 or 5 times a power of ten, with headroom above `top`.
    const qreal raw = std::max<qreal>(top, 1e-9) * 1.1 / 4;
    const qreal magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    qreal step = 10 * magnitude;
    for (qreal m : { 1.0, 2.0, 2.5, 5.0 }) {
        if (raw <= m * magnitude * (1 + 1e-9)) {
            step = m * magnitude;
            break;
        }
    }
    const int intervals = std::max(1, int(std::ceil(top * 1.1 / step - 1e-9)));
    axis->setTickType(QValueAxis::TicksFixed);
    axis->setRange(0, step * intervals);
    axis->setTickCount(intervals + 1);
    // As many decimals as the step needs, so that every label is the value at its grid line.
    int decimals = 0;
    while (decimals < 6) {
        const qreal scaled = step * std::pow(10.0, decimals);
        if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max<qreal>(1, scaled))
            break;
        ++decimals;
    }
    axis->setLabelFormat(QStringLiteral("%.%1f").arg(decimals));
}

void DashboardPage::countConsumers(const QList<capture::ExchangeSummary> &rows)
{
    for (const auto &r : rows) {
        // An aggregate route's upstream calls are stored as children of the client's request;
        // counting them too would credit the consumer once per upstream.
        if (r.parentId != 0)
            continue;
        ++m_consumerCounts[r.consumer.isEmpty() ? tr("(anonymous)") : r.consumer];
    }
    QList<std::pair<quint64, QString>> sorted;
    for (auto it = m_consumerCounts.cbegin(); it != m_consumerCounts.cend(); ++it)
        sorted.append({ it.value(), it.key() });
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    const int n = std::min<int>(10, int(sorted.size()));
    m_consumers->setRowCount(n);
    for (int i = 0; i < n; ++i) {
        m_consumers->setItem(i, 0, new QTableWidgetItem(sorted.at(i).second));
        auto *count = new QTableWidgetItem(QLocale().toString(sorted.at(i).first));
        count->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_consumers->setItem(i, 1, count);
    }
}

} // namespace portico::ui
