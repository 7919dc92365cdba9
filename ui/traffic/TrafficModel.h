#pragma once

#include "core/capture/CaptureReader.h"
#include "core/capture/Exchange.h"
#include "core/capture/FilterExpression.h"
#include "ui/traffic/IdMap.h"

#include <QAbstractTableModel>
#include <QHash>

#include <memory>
#include <optional>

class QTimer;

namespace portico::ui {

// The traffic table over the capture database, oldest at the top and live exchanges appended at
// the bottom. It is a window onto the database, not a copy of it: every matching exchange costs
// one id (8 bytes) in memory, and the thin rows (ExchangeSummary) are read a page at a time when
// a view asks for them, with a small cache of recently shown pages. Heads and bodies are read
// only for the selected exchange (exchange()).
//
// Without a filter the ids are usually one unbroken run, known from count, min and max (IdMap).
// The ids of a filter come in one indexed query. A costly filter (body:, header:) is scanned in
// slices from the newest id down, a time budget per event-loop turn, and older rows appear at
// the top as they are found (olderRowsInserted). Live exchanges are queued by enqueueLive() and
// inserted every 80 ms with one beginInsertRows, after checking them against the filter in one
// query.
class TrafficModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Id,
        Time,
        Method,
        Host,
        Path,
        Status,
        Duration,
        Size,
        Route,
        Consumer,
        Version,
        Upstream,
        ColumnCount
    };
    static constexpr int kPageSize = 200;
    static constexpr int kCachedPages = 64;

    explicit TrafficModel(QObject *parent = nullptr);
    ~TrafficModel() override;

    // Reads `path` (a capture database); an empty path closes the model.
    bool open(const QString &path, QString *error = nullptr);
    bool isOpen() const;
    QString databasePath() const { return m_path; }

    // Parses and applies a filter; on a parse error nothing changes and *error says where.
    bool setFilter(const QString &text, capture::FilterError *error = nullptr);
    QString filterText() const { return m_filter.text(); }
    // Re-reads the ids of the filter (after an import, or on demand).
    void reload();
    // Hides everything captured so far (the inspector's "clear"; the database keeps it).
    void clearView();

    // A costly filter is still being scanned: older matches may still appear at the top.
    bool canFetchOlder() const { return isOpen() && m_scanBelow > 0; }
    // Scans one more slice of a costly filter now; returns the number of rows added.
    int fetchOlder();

    void enqueueLive(const QList<capture::ExchangeSummary> &rows);
    // Inserts the queued live rows now (the timer calls it; tests may too). Returns rows added.
    int flushLive();

    const IdMap &ids() const { return m_ids; }
    qint64 idAt(int row) const { return row >= 0 && row < m_ids.size() ? m_ids.at(row) : 0; }
    // The thin row; reads its page from the database when it is not cached.
    capture::ExchangeSummary summary(int row) const;
    int rowOfId(qint64 id) const;
    std::optional<capture::Exchange> exchange(qint64 id);
    capture::CaptureReader *reader() const { return m_reader.get(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString formatDurationUs(qint64 us);

Q_SIGNALS:
    // Rows were added at the top (older matches of a costly filter) or the bottom (live); views
    // keep their position.
    void olderRowsInserted(int count);
    void liveRowsInserted(int count);

private:
    struct Page
    {
        QList<capture::ExchangeSummary> rows; // ascending id, m_ids[page * kPageSize ...]
        quint64 lastUse = 0;
    };

    // Loads the ids of the filter (all of them, or the first slices of a costly one).
    void loadIds();
    // No filter: the ids as one run when the table has no gaps; false when it has some.
    bool loadRun();
    // Costly filter: scans slices downwards for about `budgetMs`; returns the ids found, ascending.
    QList<qint64> scanSlices(int budgetMs, int enough);
    const capture::ExchangeSummary *cached(int row) const;
    void dropCache();

    std::unique_ptr<capture::CaptureReader> m_reader;
    QString m_path;
    capture::FilterExpression m_filter;
    IdMap m_ids; // ascending: every matching exchange above the floor
    mutable QHash<int, Page> m_pages;
    mutable quint64 m_useClock = 0;
    QList<capture::ExchangeSummary> m_pending;
    QTimer *m_flushTimer;
    QTimer *m_scanTimer;
    qint64 m_floorId = 0; // clearView(): ids <= this are hidden
    qint64 m_scanBelow = 0; // costly filter: ids below this are not scanned yet (0 = done)
    qint64 m_scanFloor = 0; // costly filter: the lowest id worth scanning
};

} // namespace portico::ui
