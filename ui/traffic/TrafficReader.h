#pragma once

#include "core/capture/Exchange.h"
#include "core/capture/FilterExpression.h"

#include <QList>
#include <QObject>
#include <QString>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

class QThread;

namespace portico::capture {
class CaptureReader;
}

namespace portico::ui {

// The traffic model's database reads, on a thread of their own with their own CaptureReader (a
// SQLite connection belongs to the thread that opened it). SQLite can take a second to answer
// when it reads from a cold disk or while retention and the checkpointer rewrite the file: on
// the UI thread that froze the window; here it only keeps a row a placeholder a little longer.
//
// Requests are not run in arrival order. An id load replaces one still waiting, and so does an
// older-rows scan and an exchange read; live-row matches run in order; page reads run newest
// first (the rows on screen now) and at most kMaxQueuedPages wait: older ones are dropped, since
// the view has scrolled away and asks again if it comes back. Each request carries a number
// chosen by the caller (the model's generation) that comes back with the answer, so answers to
// questions no longer asked can be recognised and dropped. Answers are signals emitted on the
// thread that owns this object. Destroying it waits for the read in progress; nothing is
// delivered after.
class TrafficReader final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficReader)

public:
    static constexpr int kMaxQueuedPages = 8;

    // The ids an id load found: a run (runFirst, runCount) or a list, ascending. For a costly
    // filter only the newest slices are scanned at first; scanBelow > 0 says ids below it (and
    // above the floor) are still to be scanned with scanOlder().
    struct Ids
    {
        bool isRun = false;
        qint64 runFirst = 0;
        qsizetype runCount = 0;
        QList<qint64> list;
        qint64 scanBelow = 0;
    };

    explicit TrafficReader(QObject *parent = nullptr);
    ~TrafficReader() override;

    // The database the following requests read (opened on the reader's thread); empty = none.
    void setDatabase(const QString &path);

    // Every matching id above `floorId`.
    void loadIds(quint64 generation, const capture::FilterExpression &filter, qint64 floorId);
    // A costly filter's next ids below `below` and above `floorId`, for a few hundred ms.
    void scanOlder(quint64 generation, const capture::FilterExpression &filter, qint64 below, qint64 floorId);
    // The summaries of `ids` (ascending, consecutive rows of the model). Returns the pages that
    // were dropped from the queue to make room; they are not read.
    QList<int> readPage(quint64 generation, int page, const QList<qint64> &ids);
    // Drops every page read still waiting (the model's page numbers changed).
    void dropQueuedPages();
    // Of `rows` (freshly stored live rows), those that match `filter`.
    void match(quint64 generation, const capture::FilterExpression &filter,
        const QList<capture::ExchangeSummary> &rows);
    // The whole exchange, heads and bodies included.
    void readExchange(qint64 id);

    // The summaries of `ids` (ascending) read with `reader`, in the same order: an id that is gone
    // (deleted by retention since the ids were read) comes back with only its id set. The ids
    // are matches already (stored exchanges never change), so they are looked up by key: the
    // filter is not run again (a range filter such as status:5xx could take a second per page).
    // Empty on a read error.
    static QList<capture::ExchangeSummary> readSummaries(
        capture::CaptureReader &reader, const QList<qint64> &ids);

Q_SIGNALS:
    void idsLoaded(quint64 generation, const portico::ui::TrafficReader::Ids &ids);
    void olderScanned(quint64 generation, const QList<qint64> &ids, qint64 scanBelow);
    void pageRead(quint64 generation, int page, const QList<portico::capture::ExchangeSummary> &rows);
    void matched(quint64 generation, const QList<portico::capture::ExchangeSummary> &rows);
    void exchangeRead(qint64 id, bool found, const portico::capture::Exchange &exchange);

private:
    enum class Kind { Ids, Scan, Page, Match, Exchange };
    struct Job
    {
        Kind kind = Kind::Ids;
        quint64 generation = 0;
        capture::FilterExpression filter;
        qint64 a = 0; // Ids: floor; Scan: below; Page: page number; Exchange: id
        qint64 b = 0; // Scan: floor
        QList<qint64> ids;
        QList<capture::ExchangeSummary> rows;
    };

    void post(Job job);
    bool takeNext(Job *job, QString *path);
    void run();
    void runJob(capture::CaptureReader *reader, const Job &job);

    QThread *m_thread = nullptr;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    QString m_path;
    std::optional<Job> m_ids;
    std::optional<Job> m_scan;
    std::optional<Job> m_exchange;
    std::deque<Job> m_matches;
    std::deque<Job> m_pages; // newest at the back
};

} // namespace portico::ui
