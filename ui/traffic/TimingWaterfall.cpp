#include "ui/traffic/TimingWaterfall.h"

#include "ui/traffic/TrafficCells.h"

#include "ui/traffic/TrafficModel.h"

#include <QPainter>

namespace portico::ui {

TimingWaterfall::TimingWaterfall(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

QList<TimingWaterfall::Phase> TimingWaterfall::phases(const capture::Timings &t)
{
    QList<Phase> out;
    const qint64 received = std::max<qint64>(t.receivedUs, 0);
    out << Phase { tr("Request"), 0, received, QColor(0x94, 0xa3, 0xb8) };
    qint64 cursor = received;
    if (t.upstreamConnectUs >= 0) {
        out << Phase { tr("Connect"), cursor, std::max(cursor, t.upstreamConnectUs),
            QColor(0xf5, 0x9e, 0x0b) };
        cursor = std::max(cursor, t.upstreamConnectUs);
    }
    if (t.firstUpstreamByteUs >= 0) {
        out << Phase { tr("Wait"), cursor, std::max(cursor, t.firstUpstreamByteUs),
            QColor(0x22, 0xc5, 0x5e) };
        cursor = std::max(cursor, t.firstUpstreamByteUs);
    }
    if (t.lastByteUs >= 0)
        out << Phase { tr("Receive"), cursor, std::max(cursor, t.lastByteUs), QColor(0x3b, 0x82, 0xf6) };
    return out;
}

void TimingWaterfall::setTimings(const capture::Timings &timings)
{
    m_timings = timings;
    m_phases = phases(timings);
    QStringList tip;
    for (const Phase &p : std::as_const(m_phases))
        tip << QStringLiteral("%1: %2").arg(p.name, formatDurationUs(p.endUs - p.startUs));
    setToolTip(tip.join(u'\n'));
    updateGeometry();
    update();
}

QSize TimingWaterfall::sizeHint() const
{
    return QSize(360, int(m_phases.size() + 1) * (fontMetrics().height() + 6) + 4);
}

QSize TimingWaterfall::minimumSizeHint() const
{
    return QSize(200, sizeHint().height());
}

void TimingWaterfall::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const int rowH = fontMetrics().height() + 6;
    const int labelW = fontMetrics().horizontalAdvance(QStringLiteral("Receive  ")) + 8;
    const int valueW = fontMetrics().horizontalAdvance(QStringLiteral("0000.0 ms")) + 8;
    const QRect track(labelW, 0, std::max(20, width() - labelW - valueW), rowH);
    qint64 total = 1;
    for (const Phase &ph : std::as_const(m_phases))
        total = std::max(total, ph.endUs);
    const double scale = double(track.width()) / double(total);

    int y = 2;
    for (const Phase &ph : std::as_const(m_phases)) {
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRect(0, y, labelW, rowH), Qt::AlignVCenter | Qt::AlignLeft, ph.name);
        p.fillRect(QRect(track.left(), y + rowH / 2, track.width(), 1), QColor(0xe5, 0xe7, 0xeb));
        const int x = track.left() + int(double(ph.startUs) * scale);
        const int w = std::max(2, int(double(ph.endUs - ph.startUs) * scale));
        p.setPen(Qt::NoPen);
        p.setBrush(ph.color);
        p.drawRoundedRect(QRect(x, y + 4, w, rowH - 8), 2, 2);
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRect(track.right() + 6, y, valueW, rowH), Qt::AlignVCenter | Qt::AlignLeft,
            formatDurationUs(ph.endUs - ph.startUs));
        y += rowH;
    }
    p.setPen(palette().color(QPalette::Text));
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.drawText(QRect(0, y, labelW, rowH), Qt::AlignVCenter | Qt::AlignLeft, tr("Total"));
    p.drawText(QRect(track.left(), y, track.width() + valueW, rowH), Qt::AlignVCenter | Qt::AlignRight,
        formatDurationUs(m_timings.lastByteUs));
}

} // namespace portico::ui
