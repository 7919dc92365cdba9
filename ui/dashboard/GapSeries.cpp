#include "ui/dashboard/GapSeries.h"

#include <QChart>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>

namespace portico::ui {

GapSeries::GapSeries(
    QChart *chart, QAbstractAxis *x, QAbstractAxis *y, const QString &name, const QColor &color)
    : m_chart(chart)
    , m_x(x)
    , m_y(y)
    , m_color(color)
    , m_legend(newSeries(name))
{
}

GapSeries::~GapSeries()
{
    // The chart owns the series it holds and deletes them with itself; a GapSeries that goes
    // first takes its own along.
    clear();
    m_chart->removeSeries(m_legend);
    delete m_legend;
}

QLineSeries *GapSeries::newSeries(const QString &name)
{
    auto *s = new QLineSeries;
    s->setName(name);
    QPen pen(m_color);
    pen.setWidthF(2);
    s->setPen(pen);
    s->setColor(m_color);
    s->setMarkerSize(6);
    m_chart->addSeries(s);
    s->attachAxis(m_x);
    s->attachAxis(m_y);
    return s;
}

void GapSeries::showLoneDot(QLineSeries *s)
{
    // A line needs two points; a run of one value would otherwise not be drawn at all.
    const bool lone = s->count() == 1;
    if (s->pointsVisible() != lone)
        s->setPointsVisible(lone);
}

void GapSeries::append(qint64 ms, double value)
{
    if (!m_open || m_segments.empty()) {
        QLineSeries *s = newSeries(m_legend->name());
        for (QLegendMarker *marker : m_chart->legend()->markers(s))
            marker->setVisible(false); // the legend names the line once (m_legend)
        m_segments.push_back(s);
        m_open = true;
    }
    QLineSeries *s = m_segments.back();
    s->append(qreal(ms), value);
    showLoneDot(s);
}

void GapSeries::dropBefore(qint64 ms)
{
    while (!m_segments.empty()) {
        QLineSeries *s = m_segments.front();
        int old = 0;
        while (old < s->count() && s->at(old).x() < qreal(ms))
            ++old;
        if (old < s->count()) {
            if (old > 0) {
                s->removePoints(0, old);
                showLoneDot(s);
            }
            return;
        }
        m_segments.pop_front();
        m_chart->removeSeries(s);
        delete s;
        if (m_segments.empty())
            m_open = false;
    }
}

void GapSeries::clear()
{
    for (QLineSeries *s : m_segments) {
        m_chart->removeSeries(s);
        delete s;
    }
    m_segments.clear();
    m_open = false;
}

int GapSeries::pointCount() const
{
    int n = 0;
    for (const QLineSeries *s : m_segments)
        n += s->count();
    return n;
}

double GapSeries::maxValue() const
{
    double top = 0;
    for (const QLineSeries *s : m_segments) {
        for (const QPointF &p : s->points())
            top = std::max(top, p.y());
    }
    return top;
}

} // namespace portico::ui
