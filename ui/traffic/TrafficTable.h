#pragma once

#include <QTableView>

class QSettings;

namespace portico::ui {

class TrafficModel;

// The traffic list view: fixed row height (no per-row measuring with a million rows), rows found
// above by a costly filter scan inserted without moving what is shown, and live rows followed
// while "follow live" is on (scrolling up turns it off, scrolling back to the bottom turns it on).
// The path column takes the room that is left and is elided in the middle, so that the key
// columns (status, duration, size) stay in view on a narrow window. Columns are chosen from the
// header's context menu and remembered (setSettings()); Protocol, Host, Version and Upstream start
// hidden.
// The Route and Consumer columns widen to the longest name shown (up to kMaxNameWidth), so a
// route's name is read whole, until the user sizes the column by hand.
class TrafficTable final : public QTableView
{
    Q_OBJECT

public:
    explicit TrafficTable(TrafficModel *model, QWidget *parent = nullptr);

    bool isAtBottom() const;
    QList<qint64> selectedIds() const;
    qint64 currentId() const;

    bool followLive() const { return m_followLive; }
    void setFollowLive(bool on);

    // Restores the shown columns from `settings` and saves every later choice there.
    void setSettings(QSettings *settings);
    void setColumnShown(int column, bool shown);
    // The header's menu of columns (checkable, one per column).
    QMenu *columnsMenu();

    static constexpr int kMinPathWidth = 100;
    static constexpr int kMaxNameWidth = 180;

Q_SIGNALS:
    void followLiveChanged(bool on);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void saveColumns();
    void fitPath();
    // Widens Route and Consumer to the names in rows first..last (the last 200 of them).
    void fitNames(int first, int last);

    TrafficModel *m_model;
    QSettings *m_settings = nullptr;
    bool m_followLive = true;
    bool m_scrolling = false; // our own scrollToBottom(): not the user leaving the bottom
    bool m_fitting = false; // our own column resize: not the user's
    QList<int> m_sizedByUser; // name columns the user resized: left alone
};

} // namespace portico::ui
