#pragma once

#include <QColor>
#include <QList>
#include <QString>

#include <deque>

class QAbstractAxis;
class QChart;
class QLineSeries;

namespace portico::ui {

// One line of a dashboard chart over wall-clock time (x: milliseconds since the epoch, for a
// QDateTimeAxis), drawn as one QLineSeries per contiguous run of values. A second without a value
// (no request answered, so no latency or error rate; or the gateway stopped) ends the run: the
// chart shows a gap there instead of a line at 0 that reads as a measurement. The runs share the
// axes, the colour and one legend entry (an empty series that only carries the name). A run of a
// single value shows as a dot. Memory stays bounded: dropBefore() removes what slid out of the
// window, and a run left empty is deleted.
class GapSeries final
{
public:
    GapSeries(QChart *chart, QAbstractAxis *x, QAbstractAxis *y, const QString &name, const QColor &color);
    ~GapSeries();
    GapSeries(const GapSeries &) = delete;
    GapSeries &operator=(const GapSeries &) = delete;

    // Adds a value at `ms` to the current run (a new run after a gap).
    void append(qint64 ms, double value);
    // No value at this time: the next append() starts a new run.
    void gap() { m_open = false; }
    // Removes the values before `ms`; runs left empty are deleted from the chart.
    void dropBefore(qint64 ms);
    void clear();

    // The runs, oldest first.
    QList<QLineSeries *> segments() const { return { m_segments.begin(), m_segments.end() }; }
    int pointCount() const;
    double maxValue() const; // 0 without values
    // The series that carries the legend entry (never any points).
    QLineSeries *legendSeries() const { return m_legend; }

private:
    QLineSeries *newSeries(const QString &name);
    static void showLoneDot(QLineSeries *s);

    QChart *m_chart;
    QAbstractAxis *m_x;
    QAbstractAxis *m_y;
    QColor m_color;
    QLineSeries *m_legend;
    std::deque<QLineSeries *> m_segments;
    bool m_open = false;
};

} // namespace portico::ui
