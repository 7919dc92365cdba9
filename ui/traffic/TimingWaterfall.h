#pragma once

#include "core/capture/Exchange.h"

#include <QWidget>

namespace portico::ui {

// The phases of one exchange as horizontal bars on a shared time axis: receive request, connect
// to the upstream, wait for its first byte, receive the response. Phases that did not happen
// (a mock has no upstream) are left out.
class TimingWaterfall final : public QWidget
{
    Q_OBJECT

public:
    struct Phase
    {
        QString name;
        qint64 startUs;
        qint64 endUs;
        QColor color;
    };

    explicit TimingWaterfall(QWidget *parent = nullptr);

    void setTimings(const capture::Timings &timings);
    // The phases drawn, in order (for tests and tooltips).
    static QList<Phase> phases(const capture::Timings &t);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    capture::Timings m_timings;
    QList<Phase> m_phases;
};

} // namespace portico::ui
