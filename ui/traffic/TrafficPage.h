#pragma once

#include "ui/traffic/CredentialPrompt.h"

#include <QWidget>

#include <functional>

class QLabel;
class QMenu;
class QSplitter;
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
    // The running workspace and its listeners, asked at each replay: a redacted API key of the
    // exchange's consumer comes back from it; without one the page asks for redacted values.
    void setWorkspaceProvider(std::function<ReplayWorkspace()> provider)
    {
        m_workspace = std::move(provider);
    }
    CredentialPrompt &credentials() { return m_credentials; }

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
    void copyUrl();
    // Adds "field:value" (or "-field:value") for the value in `column` of `row` to the filter;
    // false when that column has no filter field.
    bool filterBy(int row, int column, bool exclude);
    // The row's context menu (replay, resend, copy as curl, copy URL, filter by its value,
    // compare with the marked row or mark it); the caller owns it.
    QMenu *rowMenu(int row, int column);
    // The exchange marked with "Compare with…", 0 when none.
    qint64 compareMark() const { return m_compareMark; }
    void markForCompare(qint64 id) { m_compareMark = id; }
    void compare(qint64 a, qint64 b);
    QToolButton *followButton() const { return m_follow; }
    bool exportHar(const QString &path);
    bool importHar(const QString &path);

    // One line about a finished replay for the status bar: which exchange, its new id, the status
    // or the error, and the notes that explain a surprise (a redacted header that was left out).
    static QString replaySummary(const capture::Exchange &result);

Q_SIGNALS:
    // A replay finished: the new exchange (id set when recorded).
    void replayed(const portico::capture::Exchange &result);
    // Every notice shown beside the buttons, whole (the label may cut it): for the message log.
    void noticeShown(const QString &text, bool warning);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void showCurrent();
    void showLoaded(qint64 id, bool found, const capture::Exchange &exchange);
    void updateActions();
    void updateCount();
    void showNotice(const QString &text, bool warning);
    // Restores or asks for redacted credentials, then replays; false when the user cancelled.
    bool replayWithCredentials(const capture::Exchange &original, capture::ReplayOptions options);

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
    QToolButton *m_follow;
    QSplitter *m_split;
    bool m_splitPlaced = false;
    qint64 m_compareMark = 0;
    capture::CaptureStore *m_store = nullptr;
    capture::Replayer *m_replayer = nullptr;
    QMetaObject::Connection m_live;
    std::function<ReplayWorkspace()> m_workspace;
    CredentialPrompt m_credentials;
};

} // namespace portico::ui
