#pragma once

#include "core/capture/CaptureReader.h"
#include "core/capture/Exchange.h"
#include "core/capture/FilterExpression.h"
#include "ui/traffic/IdMap.h"
#include "ui/traffic/TrafficReader.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>

#include <memory>
#include <optional>

class QTimer;

namespace portico::ui {

// The traffic table over the capture database, oldest at the top and live exchanges appended at
// the bottom. It is a window onto the database, not a copy of it: every matching exchange costs
// one id (8 bytes) in memory, and the thin rows (ExchangeSummary) are read a page at a time when
// a view asks for them, with a small cache of recently shown pages. Heads and bodies are read
// only for the selected exchange (requestExchange()).
//
// Nothing a view or the live feed triggers reads the database on the UI thread: ids, pages,
// live-row filter checks and exchanges are read by a TrafficReader on its own thread. A row whose
// page is not loaded yet shows its id and a grey "…" (same height, so scrolling never jumps); its
// page is requested then, and dataChanged() announces the rows when it arrives. open(),
// setFilter() and reload() empty the table at once and fill it when the ids arrive (idsLoaded());
// every answer carries the generation it was asked in, and answers from before a reset, a new
// filter or a change of page numbering are dropped.
//
// Without a filter the ids are usually one unbroken run, known from count, min and max (IdMap).
// The ids of a filter come in one indexed query. A costly filter (body:, header:) is scanned in
// slices from the newest id down, and older rows appear at the top as they are found
// (olderRowsInserted). Live exchanges are queued by enqueueLive() and inserted every 80 ms with
// one beginInsertRows, after checking them against the filter in one query.
class TrafficModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Id,
        Time,
        Method,
        Protocol,
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

    // Reads `path` (a capture database); an empty path closes the model. The rows arrive later
    // (idsLoaded()); false when the file exists but is not a capture database.
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
    // Whether clearView() hides older exchanges, and undoing it: everything shows again.
    bool isViewCleared() const { return m_floorId > 0; }
    void showCleared();
    // The ids of the current filter are being read: the table is empty until they arrive.
    bool isLoading() const { return m_loadingIds; }

    // A costly filter is still being scanned: older matches may still appear at the top.
    bool canFetchOlder() const { return isOpen() && m_scanBelow > 0; }
    // Asks for the next slice of a costly filter (the model does so by itself until the scan is
    // done); the rows arrive with olderRowsInserted().
    void fetchOlder();

    void enqueueLive(const QList<capture::ExchangeSummary> &rows);
    // Inserts the queued live rows (the timer calls it; tests may too). Without a filter they are
    // inserted now; with one they are checked on the reader thread and inserted when the answer
    // arrives. Returns the rows inserted now.
    int flushLive();

    const IdMap &ids() const { return m_ids; }
    qint64 idAt(int row) const { return row >= 0 && row < m_ids.size() ? m_ids.at(row) : 0; }
    // Whether row's summary is at hand (data() shows a placeholder until it is).
    bool isRowLoaded(int row) const;
    // Pages held in memory (at most kCachedPages) and pages asked for and not answered yet.
    int cachedPageCount() const { return int(m_pages.size()); }
    int requestedPageCount() const { return int(m_requested.size()); }
    // The thin row. When its page is not loaded this reads it synchronously on the calling
    // thread: for tests and scripted callers, never for painting.
    capture::ExchangeSummary summary(int row) const;
    int rowOfId(qint64 id) const;
    // Reads an exchange synchronously (user actions on a selection: replay, copy, compare).
    std::optional<capture::Exchange> exchange(qint64 id);
    // Reads an exchange on the reader thread; exchangeLoaded() delivers it. A newer request
    // replaces one that has not started yet.
    void requestExchange(qint64 id);
    capture::CaptureReader *reader() const { return m_reader.get(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;


Q_SIGNALS:
    // Rows were added at the top (older matches of a costly filter) or the bottom (live); views
    // keep their position.
    void olderRowsInserted(int count);
    void liveRowsInserted(int count);
    // The ids asked for by open(), setFilter() or reload() are in (after the model reset).
    void idsLoaded();
    // The answer to requestExchange(); found is false when the exchange is gone.
    void exchangeLoaded(qint64 id, bool found, const portico::capture::Exchange &exchange);

private:
    struct Page
    {
        QList<capture::ExchangeSummary> rows; // ascending id, m_ids[page * kPageSize ...]
        quint64 lastUse = 0;
    };

    // Empties the table and asks the reader thread for the ids of the filter.
    void loadIds();
    void onIdsLoaded(quint64 generation, const TrafficReader::Ids &ids);
    void onOlderScanned(quint64 generation, const QList<qint64> &ids, qint64 scanBelow);
    void onPageRead(quint64 generation, int page, const QList<capture::ExchangeSummary> &rows);
    void onMatched(quint64 generation, const QList<capture::ExchangeSummary> &rows);
    // Forgets every cached and requested page: the ids or their row numbers changed.
    void dropCache();
    int insertLive(QList<capture::ExchangeSummary> rows);
    const capture::ExchangeSummary *cached(int row) const;
    void requestPage(int page) const;
    QList<qint64> pageIds(int page) const;
    void storePage(int page, QList<capture::ExchangeSummary> rows) const;

    std::unique_ptr<capture::CaptureReader> m_reader; // UI thread: isOpen(), exchange(), summary()
    TrafficReader *m_loader;
    QString m_path;
    capture::FilterExpression m_filter;
    IdMap m_ids; // ascending: every matching exchange above the floor
    mutable QHash<int, Page> m_pages;
    mutable QSet<int> m_requested; // pages asked of the reader thread and not answered yet
    mutable quint64 m_useClock = 0;
    quint64 m_generation = 0; // the ids: open, filter, reload, clear
    quint64 m_pageEpoch = 0; // the page numbers: any change to the ids but an append
    bool m_loadingIds = false;
    bool m_matching = false; // a live batch is being checked against the filter
    bool m_scanning = false; // an older-rows scan is in flight
    QList<capture::ExchangeSummary> m_pending;
    QTimer *m_flushTimer;
    qint64 m_floorId = 0; // clearView(): ids <= this are hidden
    qint64 m_scanBelow = 0; // costly filter: ids below this are not scanned yet (0 = done)
};

} // namespace portico::ui
