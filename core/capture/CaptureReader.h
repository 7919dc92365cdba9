#pragma once

#include "core/capture/Exchange.h"
#include "core/capture/FilterExpression.h"

#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <algorithm>
#include <chrono>
#include <optional>

namespace portico::capture {

// The read side of the capture database: its own connection, owned by the thread that creates
// the reader (use one reader per thread). Every call is a short read transaction; paging is by
// keyset (id < beforeId, newest first), so no cursor stays open between pages and the writer is
// never blocked (WAL).
class CaptureReader
{
public:
    // One page of a search. `partial` means the time budget ran out before `limit` rows were
    // found: rows holds what was found in the scanned part and resumeBeforeId is where to
    // continue (pass it as beforeId); 0 when the whole table was scanned.
    struct Page
    {
        QList<ExchangeSummary> rows;
        bool partial = false;
        qint64 resumeBeforeId = 0;
    };

    CaptureReader();
    ~CaptureReader();
    CaptureReader(const CaptureReader &) = delete;
    CaptureReader &operator=(const CaptureReader &) = delete;

    // Opens an existing capture database read-only.
    bool open(const QString &path, QString *error = nullptr);
    bool isOpen() const { return m_db.isOpen(); }
    QString lastError() const { return m_error; }

    // Newest first, ids < beforeId (0 = from the newest). Filters on indexed fields are one
    // query; costly ones (body:, header:) are scanned in slices within the default budget.
    QList<ExchangeSummary> list(const FilterExpression &filter, int limit, qint64 beforeId = 0);

    // As list(), but stops after `budget` for costly filters and says where to resume. Cost:
    // body: and header: read the bodies/heads row of every exchange in the scanned range
    // (roughly 100-300k exchanges per second with small bodies, far less with large ones).
    Page search(const FilterExpression &filter, int limit, qint64 beforeId, std::chrono::milliseconds budget);

    // Oldest first, ids > afterId, no time budget: for exports that must see every row.
    QList<ExchangeSummary> listAscending(const FilterExpression &filter, int limit, qint64 afterId = 0);

    // Ids of the matching exchanges in (afterId, beforeId), ascending (beforeId 0 = no upper
    // bound). No time budget: callers with costly filters bound the range themselves. Lets a
    // view hold a million rows as 8 bytes each and read their summaries page by page.
    QList<qint64> ids(const FilterExpression &filter, qint64 afterId, qint64 beforeId = 0);

    // The summaries of `ids`, ascending; ids that are gone (pruned) are left out. Primary-key
    // lookups only: a windowed view reads the rows it shows without running its filter again.
    // *ok (when given) is false on a read error: then the list is incomplete.
    QList<ExchangeSummary> summaries(const QList<qint64> &ids, bool *ok = nullptr);

    std::optional<Exchange> get(qint64 id);
    qint64 count(const FilterExpression &filter = {});
    // The sub-requests of an aggregate exchange, oldest first.
    QList<ExchangeSummary> children(qint64 parentId);
    // Of `ids`, those that match `filter`: lets a live view test freshly stored rows cheaply.
    QList<qint64> matching(const FilterExpression &filter, const QList<qint64> &ids);
    qint64 maxId();

    void setDefaultBudget(std::chrono::milliseconds budget) { m_budget = budget; }
    // Ids scanned per slice of a costly search: between slices the clock is checked.
    void setScanSlice(qint64 ids) { m_sliceIds = std::max<qint64>(1, ids); }

private:
    bool runPage(const FilterExpression &filter, int limit, qint64 beforeId, qint64 floorId,
        QList<ExchangeSummary> *rows);

    QSqlQuery &prepared(std::optional<QSqlQuery> &slot, const QString &sql);
    int schemaVersion(); // of the file, read again until it is the latest

    QString m_connection;
    QSqlDatabase m_db;
    // get() runs once per row of an export: its statements are prepared once.
    std::optional<QSqlQuery> m_getExchange;
    std::optional<QSqlQuery> m_getHeads;
    std::optional<QSqlQuery> m_getBodies;
    std::optional<QSqlQuery> m_getShared;
    QString m_error;
    int m_schemaVersion = 0;
    std::chrono::milliseconds m_budget { 2000 };
    qint64 m_sliceIds = 20'000;
};

} // namespace portico::capture
