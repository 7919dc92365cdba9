#pragma once

#include <QTableView>

namespace portico::ui {

class TrafficModel;

// The traffic list view: fixed row height (no per-row measuring with a million rows), rows found
// above by a costly filter scan inserted without moving what is shown, and live rows followed
// only when the user is already at the bottom.
class TrafficTable final : public QTableView
{
    Q_OBJECT

public:
    explicit TrafficTable(TrafficModel *model, QWidget *parent = nullptr);

    bool isAtBottom() const;
    QList<qint64> selectedIds() const;
    qint64 currentId() const;

private:
    TrafficModel *m_model;
    bool m_followLive = true;
};

} // namespace portico::ui
