#pragma once

#include "core/capture/CaptureReader.h"
#include "core/capture/Exchange.h"
#include "core/capture/FilterExpression.h"

#include <QAbstractTableModel>

#include <memory>
#include <optional>

class QTimer;

namespace portico::ui {

// The traffic table over the capture database, oldest at the top and live exchanges appended at
// the bottom. It holds thin rows (ExchangeSummary) and formats cell text on demand; heads and
// bodies are read only for the selected exchange (exchange()).
//
// Rows come in pages by keyset (newest first from the reader, reversed): the newest page on
// open()/setFilter(), older pages when the view scrolls near the top (fetchOlder()). Live
// exchanges are queued by enqueueLive() and inserted every 80 ms with one beginInsertRows, after
// checking them against the filter in one query. At most kMaxRows stay loaded: beyond that the
// oldest loaded rows are dropped (they can be paged in again).
class TrafficModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Id, Time, Method, Host, Path, Status, Duration, Size, Route, Consumer, Upstream, ColumnCount };
    static constexpr int kPageSize = 500;
    static constexpr int kMaxRows = 100'000;

    explicit TrafficModel(QObject *parent = nullptr);
    ~TrafficModel() override;

    // Reads `path` (a capture database); an empty path closes the model.
    bool open(const QString &path, QString *error = nullptr);
    bool isOpen() const;
    QString databasePath() const { return m_path; }

    // Parses and applies a filter; on a parse error nothing changes and *error says where.
    bool setFilter(const QString &text, capture::FilterError *error = nullptr);
    QString filterText() const { return m_filter.text(); }
    // Re-reads the newest page (after an import, or on demand).
    void reload();
    // Hides everything captured so far (the inspector's "clear"; the database keeps it).
    void clearView();

    bool canFetchOlder() const { return isOpen() && !m_exhausted; }
    // Loads one older page at the top; returns the number of rows added.
    int fetchOlder();

    void enqueueLive(const QList<capture::ExchangeSummary> &rows);
    // Inserts the queued live rows now (the timer calls it; tests may too). Returns rows added.
    int flushLive();

    const capture::ExchangeSummary &summary(int row) const { return m_rows.at(row); }
    int rowOfId(qint64 id) const;
    std::optional<capture::Exchange> exchange(qint64 id);
    capture::CaptureReader *reader() const { return m_reader.get(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString formatDurationUs(qint64 us);

Q_SIGNALS:
    // Rows were added at the top (older page) or the bottom (live); views keep their position.
    void olderRowsInserted(int count);
    void liveRowsInserted(int count);

private:
    QList<capture::ExchangeSummary> readPage(qint64 beforeId, bool *exhausted, qint64 *next);
    void trim();

    std::unique_ptr<capture::CaptureReader> m_reader;
    QString m_path;
    capture::FilterExpression m_filter;
    QList<capture::ExchangeSummary> m_rows; // ascending id
    QList<capture::ExchangeSummary> m_pending;
    QTimer *m_flushTimer;
    qint64 m_nextBefore = 0; // keyset cursor for the next older page
    qint64 m_floorId = 0;    // clearView(): ids <= this are hidden
    bool m_exhausted = true;
};

} // namespace portico::ui
