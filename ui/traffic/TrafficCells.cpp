#include "ui/traffic/TrafficCells.h"

#include "ui/traffic/TrafficModel.h"

#include <QBrush>
#include <QColor>
#include <QCoreApplication>
#include <QDateTime>
#include <QFont>
#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <QPixmapCache>

namespace portico::ui {

using capture::ExchangeSummary;
using C = TrafficModel::Column;

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("portico::ui::TrafficModel", text);
}
// The tag of Send Sample Traffic's rows: a small amber "S" before the path, so the path keeps its
// width (a "(sample)" prefix took a third of it).
QPixmap sampleTag()
{
    static const QString key = QStringLiteral("portico-traffic-sample-tag");
    QPixmap tag;
    if (QPixmapCache::find(key, &tag))
        return tag;
    const qreal dpr = 2;
    tag = QPixmap(QSize(14, 14) * dpr);
    tag.setDevicePixelRatio(dpr);
    tag.fill(Qt::transparent);
    QPainter p(&tag);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0xd9, 0x77, 0x06));
    p.drawRoundedRect(QRectF(0.5, 0.5, 13, 13), 3, 3);
    QFont font;
    font.setPixelSize(10);
    font.setBold(true);
    p.setFont(font);
    p.setPen(Qt::white);
    p.drawText(QRectF(0, 0, 14, 14), Qt::AlignCenter, QStringLiteral("S"));
    p.end();
    QPixmapCache::insert(key, tag);
    return tag;
}

} // namespace

QString formatDurationUs(qint64 us)
{
    if (us < 0)
        return QStringLiteral("—");
    if (us < 1000)
        return QStringLiteral("%1 µs").arg(us);
    if (us < 10'000'000)
        return QStringLiteral("%1 ms").arg(double(us) / 1000.0, 0, 'f', us < 100'000 ? 1 : 0);
    return QStringLiteral("%1 s").arg(double(us) / 1e6, 0, 'f', 1);
}

QVariant trafficPlaceholderCell(qint64 id, int column, int role)
{
    if (role == Qt::DisplayRole && column == C::Id)
        return id;
    if (role == Qt::DisplayRole && column == C::Path)
        return QStringLiteral("…");
    if (role == Qt::ForegroundRole)
        return QBrush(QColor(0x9e, 0x9e, 0x9e));
    if (role == Qt::TextAlignmentRole && column == C::Id)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant trafficCell(const ExchangeSummary &r, int column, int role)
{
    if (role == Qt::DisplayRole) {
        switch (column) {
        case C::Id:
            return r.id;
        case C::Time:
            return QDateTime::fromMSecsSinceEpoch(r.startedAtMs)
                .toLocalTime()
                .toString(QStringLiteral("HH:mm:ss.zzz"));
        case C::Method:
            return r.method;
        case C::Protocol:
            return r.protocol; // "HTTP/1.1", "HTTP/2", or empty for rows of older capture files
        case C::Host:
            return r.host;
        case C::Path:
            return r.path; // a sample row's tag is its decoration

        case C::Status:
            return r.status == 0 ? (r.error.isEmpty() ? QStringLiteral("—") : tr("failed"))
                                 : QString::number(r.status);
        case C::Duration:
            return formatDurationUs(r.durationUs);
        case C::Size:
            // "684 B", not "684 bytes": the column stays narrow enough for a laptop's window.
            return r.responseBytes < 1024
                ? QStringLiteral("%1 B").arg(r.responseBytes)
                : QLocale().formattedDataSize(r.responseBytes, 1, QLocale::DataSizeTraditionalFormat);
        case C::Route:
            return r.route;
        case C::Consumer:
            return r.consumer;
        case C::Version:
            return r.apiVersion;
        case C::Upstream:
            return r.upstream;
        }
        return {};
    }
    if (role == Qt::ForegroundRole && column == C::Status) {
        if (r.status == 0)
            return QBrush(QColor(0x9e, 0x9e, 0x9e));
        if (r.status >= 500)
            return QBrush(QColor(0xc6, 0x28, 0x28));
        if (r.status >= 400)
            return QBrush(QColor(0xe6, 0x51, 0x00));
        if (r.status >= 300)
            return QBrush(QColor(0x15, 0x65, 0xc0));
        return QBrush(QColor(0x2e, 0x7d, 0x32));
    }
    if (role == Qt::ForegroundRole && column == C::Method)
        return QBrush(QColor(0x4f, 0x46, 0xe5));
    if (role == Qt::TextAlignmentRole && (column == C::Duration || column == C::Size || column == C::Id))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::DecorationRole && column == C::Path && r.sample)
        return sampleTag();
    if (role == Qt::AccessibleTextRole && column == C::Path && r.sample)
        return tr("sample traffic: %1").arg(r.path);
    if (role == Qt::ToolTipRole && column == C::Path && r.sample)
        return tr("Sent by Send Sample Traffic (the demo's own routes and consumers). Filter: sample:true; "
                  "-sample:true hides them.")
            + u'\n' + r.url;
    if (role == Qt::ToolTipRole && column == C::Path)
        return r.url;
    if (role == Qt::ForegroundRole && column == C::Path && r.sample)
        return QBrush(QColor(0x8a, 0x6d, 0x3b));
    if (role == Qt::ToolTipRole && column == C::Protocol)
        return r.protocol.isEmpty() ? tr("Not recorded (captured by an older Portico)")
                                    : tr("The client spoke %1. Filter: protocol:%1").arg(r.protocol);
    if (role == Qt::ToolTipRole && column == C::Status && !r.error.isEmpty())
        return r.error;
    return {};
}

QString trafficColumnTitle(int column)
{
    static const char *names[] = { "#", "Time", "Method", "Protocol", "Host", "Path", "Status", "Duration",
        "Size", "Route", "Consumer", "Version", "Upstream" };
    return column >= 0 && column < C::ColumnCount ? tr(names[column]) : QString();
}

} // namespace portico::ui
