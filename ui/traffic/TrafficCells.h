#pragma once

#include "core/capture/Exchange.h"

#include <QString>
#include <QVariant>

namespace portico::ui {

// How the inspector's table shows an exchange: each column's text, colour, alignment and tooltip
// (columns: TrafficModel::Column).
QVariant trafficCell(const capture::ExchangeSummary &summary, int column, int role);
// A row whose summary is still being read: its id and a grey ellipsis.
QVariant trafficPlaceholderCell(qint64 id, int column, int role);
QString trafficColumnTitle(int column);
// 850 µs, 12.5 ms, 340 ms, 12.0 s; "—" for an unknown (negative) duration.
QString formatDurationUs(qint64 us);

} // namespace portico::ui
