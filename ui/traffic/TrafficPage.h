#pragma once

#include <QWidget>

class QLabel;
class QToolButton;

namespace portico::capture {
class CaptureStore;
class Replayer;
struct Exchange;
} // namespace portico::capture

namespace portico::ui {

class ExchangeDetails;
class FilterBar;
class TrafficModel;
class TrafficTable;

// The traffic inspector: filter bar, live table, details of the selected exchange, and the
// actions on exchanges (replay, edit and resend, compare, copy as curl, HAR export/import, clear).
class TrafficPage final : public QWidget
{
    Q_OBJECT

public:
    explicit TrafficPage(QWidget *parent = nullptr);
    ~TrafficPage() override;

    // Follows a capture: `store` (may be null when the gateway is stopped) feeds live rows and
    // records replays; `databasePath` is read for history.
    void setSource(capture::CaptureStore *store, const QString &databasePath);

    TrafficModel *model() const { return m_model; }
    TrafficTable *table() const { return m_table; }
    FilterBar *filterBar() const { return m_filter; }
    ExchangeDetails *details() const { return m_details; }
    // The last action's outcome beside the buttons (a replay's status, a HAR file written).
    QLabel *notice() const { return m_notice; }

    // Applies a filter as if typed; false when it does not parse (the bar shows why).
    bool applyFilter(const QString &text);
    void replaySelected();
    void editAndResend();
    void compareSelected();
    void copyAsCurl();
    bool exportHar(const QString &path);
    bool importHar(const QString &path);

    // One line about a finished replay for the status bar: which exchange, its new id, the status
    // or the error, and the notes that explain a surprise (a redacted header that was left out).
    static QString replaySummary(const capture::Exchange &result);

Q_SIGNALS:
    // A replay finished: the new exchange (id set when recorded).
    void replayed(const portico::capture::Exchange &result);

private:
    void showCurrent();
    void showLoaded(qint64 id, bool found, const capture::Exchange &exchange);
    void updateActions();
    void updateCount();
    void showNotice(const QString &text, bool warning);

    TrafficModel *m_model;
    TrafficTable *m_table;
    FilterBar *m_filter;
    ExchangeDetails *m_details;
    QLabel *m_count;
    QLabel *m_notice;
    QToolButton *m_replay;
    QToolButton *m_edit;
    QToolButton *m_compare;
    QToolButton *m_curl;
    capture::CaptureStore *m_store = nullptr;
    capture::Replayer *m_replayer = nullptr;
    QMetaObject::Connection m_live;
};

} // namespace portico::ui
