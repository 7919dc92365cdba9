#include "ui/traffic/TrafficReader.h"

#include "core/capture/CaptureReader.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QThread>

#include <algorithm>
#include <limits>
#include <memory>

namespace portico::ui {

using capture::CaptureReader;
using capture::ExchangeSummary;
using capture::FilterExpression;

namespace {

// QT_LOGGING_RULES="portico.traffic.debug=true" lists every read slower than 100 ms.
Q_LOGGING_CATEGORY(lcTraffic, "portico.traffic", QtWarningMsg)

constexpr const char *kKindNames[] = { "ids", "scan", "page", "match", "exchange" }; // by Kind

constexpr int kPageRows = 200; // enough ids for the first screen of a costly filter

// Scans a costly filter's ids downwards from *below in slices, for about `budgetMs` or until
// `enough` are found; returns them ascending and moves *below (0 once `floor` is reached).
QList<qint64> scanSlices(CaptureReader &reader, const FilterExpression &filter, qint64 *below, qint64 floor,
    int budgetMs, int enough)
{
    static constexpr qint64 kSlice = 5000;
    QElapsedTimer timer;
    timer.start();
    QList<qint64> found;
    while (*below > floor) {
        const qint64 low = std::max(floor, *below - kSlice);
        QList<qint64> part = reader.ids(filter, low - 1, *below);
        *below = low;
        part += found;
        found = std::move(part);
        if (found.size() >= enough || timer.elapsed() >= budgetMs)
            break;
    }
    if (*below <= floor)
        *below = 0;
    return found;
}

TrafficReader::Ids loadIdsWith(CaptureReader &reader, const FilterExpression &filter, qint64 floorId)
{
    TrafficReader::Ids out;
    if (filter.isEmpty()) {
        // Reading every id walks the whole table (~0.6 s per million rows); count(*) walks the
        // smallest index and min/max are one lookup each. Min is read first and max last, so a
        // batch committed in between (rows added or pruned) can only make the run look broken,
        // never whole when it is not.
        const QList<ExchangeSummary> lowest = reader.listAscending({}, 1, 0);
        if (lowest.isEmpty()) {
            out.isRun = true; // an empty database
            return out;
        }
        const qint64 tableMin = lowest.first().id;
        const qint64 total = reader.count();
        const qint64 max = reader.maxId();
        if (total > 0 && max - tableMin + 1 == total) {
            const qint64 first = std::max(tableMin, floorId + 1);
            out.isRun = true;
            out.runFirst = first;
            out.runCount = qsizetype(std::max<qint64>(0, max - first + 1));
            return out;
        }
    }
    if (!filter.isCostly()) {
        // One indexed query: ~1M ids in a few hundred ms, and then any row is one page read away.
        out.list = reader.ids(filter, floorId);
        return out;
    }
    // body:/header: read a row per exchange: scan downwards from the newest, enough for the
    // first screen now and the rest in later requests.
    out.scanBelow = reader.maxId() + 1;
    out.list = scanSlices(reader, filter, &out.scanBelow, floorId + 1, 300, kPageRows);
    return out;
}

} // namespace

TrafficReader::TrafficReader(QObject *parent)
    : QObject(parent)
{
    m_thread = QThread::create([this] { run(); });
    m_thread->setObjectName(QStringLiteral("traffic-reader"));
    m_thread->start();
}

TrafficReader::~TrafficReader()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread->wait();
    delete m_thread;
    // Answers already posted to this object are discarded with it (QObject drops its posted
    // events when it is destroyed).
}

void TrafficReader::setDatabase(const QString &path)
{
    std::lock_guard lock(m_mutex);
    m_path = path;
}

void TrafficReader::post(Job job)
{
    {
        std::lock_guard lock(m_mutex);
        switch (job.kind) {
        case Kind::Ids:
            m_ids = std::move(job);
            break;
        case Kind::Scan:
            m_scan = std::move(job);
            break;
        case Kind::Exchange:
            m_exchange = std::move(job);
            break;
        case Kind::Match:
            m_matches.push_back(std::move(job));
            break;
        case Kind::Page:
            m_pages.push_back(std::move(job));
            break;
        }
    }
    m_wake.notify_one();
}

void TrafficReader::loadIds(quint64 generation, const FilterExpression &filter, qint64 floorId)
{
    Job job;
    job.kind = Kind::Ids;
    job.generation = generation;
    job.filter = filter;
    job.a = floorId;
    post(std::move(job));
}

void TrafficReader::scanOlder(
    quint64 generation, const FilterExpression &filter, qint64 below, qint64 floorId)
{
    Job job;
    job.kind = Kind::Scan;
    job.generation = generation;
    job.filter = filter;
    job.a = below;
    job.b = floorId;
    post(std::move(job));
}

QList<int> TrafficReader::readPage(quint64 generation, int page, const QList<qint64> &ids)
{
    QList<int> dropped;
    Job job;
    job.kind = Kind::Page;
    job.generation = generation;
    job.a = page;
    job.ids = ids;
    {
        std::lock_guard lock(m_mutex);
        m_pages.push_back(std::move(job));
        while (m_pages.size() > kMaxQueuedPages) {
            dropped << int(m_pages.front().a);
            m_pages.pop_front();
        }
    }
    m_wake.notify_one();
    return dropped;
}

void TrafficReader::dropQueuedPages()
{
    std::lock_guard lock(m_mutex);
    m_pages.clear();
}

void TrafficReader::match(
    quint64 generation, const FilterExpression &filter, const QList<ExchangeSummary> &rows)
{
    Job job;
    job.kind = Kind::Match;
    job.generation = generation;
    job.filter = filter;
    job.rows = rows;
    post(std::move(job));
}

void TrafficReader::readExchange(qint64 id)
{
    Job job;
    job.kind = Kind::Exchange;
    job.a = id;
    post(std::move(job));
}

bool TrafficReader::takeNext(Job *job, QString *path)
{
    std::unique_lock lock(m_mutex);
    m_wake.wait(lock,
        [this] { return m_stop || m_ids || m_scan || m_exchange || !m_matches.empty() || !m_pages.empty(); });
    if (m_stop)
        return false;
    *path = m_path;
    // What the user waits for first: the rows of a new filter, live rows, the screen, the
    // selected exchange; a costly scan of older rows last.
    if (m_ids) {
        *job = std::move(*m_ids);
        m_ids.reset();
    } else if (!m_matches.empty()) {
        *job = std::move(m_matches.front());
        m_matches.pop_front();
    } else if (!m_pages.empty()) {
        *job = std::move(m_pages.back());
        m_pages.pop_back();
    } else if (m_exchange) {
        *job = std::move(*m_exchange);
        m_exchange.reset();
    } else {
        *job = std::move(*m_scan);
        m_scan.reset();
    }
    return true;
}

void TrafficReader::run()
{
    // The connection is made, used and closed on this thread only.
    std::unique_ptr<CaptureReader> reader;
    QString openPath;
    Job job;
    QString path;
    while (takeNext(&job, &path)) {
        if (path != openPath) {
            reader.reset();
            openPath = path;
        }
        // The writer creates the file: until it exists there is nothing to read.
        if (!reader && !path.isEmpty() && QFileInfo::exists(path)) {
            reader = std::make_unique<CaptureReader>();
            if (!reader->open(path))
                reader.reset();
        }
        runJob(reader.get(), job);
    }
}

void TrafficReader::runJob(CaptureReader *reader, const Job &job)
{
    QElapsedTimer took;
    took.start();
    const auto logSlow = qScopeGuard([&] {
        if (took.elapsed() > 100)
            qCDebug(
                lcTraffic, "%s read (%lld) took %lld ms", kKindNames[int(job.kind)], job.a, took.elapsed());
    });
    // Without a database every question has an empty answer, still delivered: the model waits
    // for it.
    const quint64 gen = job.generation;
    switch (job.kind) {
    case Kind::Ids: {
        Ids ids = reader ? loadIdsWith(*reader, job.filter, job.a) : Ids {};
        QMetaObject::invokeMethod(
            this, [this, gen, ids = std::move(ids)] { Q_EMIT idsLoaded(gen, ids); }, Qt::QueuedConnection);
        break;
    }
    case Kind::Scan: {
        qint64 below = job.a;
        QList<qint64> found;
        if (reader)
            found = scanSlices(*reader, job.filter, &below, job.b, 200, std::numeric_limits<int>::max());
        else
            below = 0;
        QMetaObject::invokeMethod(
            this, [this, gen, found = std::move(found), below] { Q_EMIT olderScanned(gen, found, below); },
            Qt::QueuedConnection);
        break;
    }
    case Kind::Page: {
        QList<ExchangeSummary> rows = reader ? readSummaries(*reader, job.ids) : QList<ExchangeSummary> {};
        const int page = int(job.a);
        QMetaObject::invokeMethod(
            this, [this, gen, page, rows = std::move(rows)] { Q_EMIT pageRead(gen, page, rows); },
            Qt::QueuedConnection);
        break;
    }
    case Kind::Match: {
        QList<qint64> ids;
        ids.reserve(job.rows.size());
        for (const auto &r : job.rows)
            ids << r.id;
        const QList<qint64> keep = reader ? reader->matching(job.filter, ids) : QList<qint64> {}; // ascending
        QList<ExchangeSummary> rows;
        for (const auto &r : job.rows) {
            if (std::binary_search(keep.cbegin(), keep.cend(), r.id))
                rows << r;
        }
        QMetaObject::invokeMethod(
            this, [this, gen, rows = std::move(rows)] { Q_EMIT matched(gen, rows); }, Qt::QueuedConnection);
        break;
    }
    case Kind::Exchange: {
        const qint64 id = job.a;
        const std::optional<capture::Exchange> e = reader ? reader->get(id) : std::nullopt;
        QMetaObject::invokeMethod(
            this,
            [this, id, found = e.has_value(), e = e.value_or(capture::Exchange {})] {
                Q_EMIT exchangeRead(id, found, e);
            },
            Qt::QueuedConnection);
        break;
    }
    }
}

QList<ExchangeSummary> TrafficReader::readSummaries(CaptureReader &reader, const QList<qint64> &ids)
{
    QList<ExchangeSummary> out;
    if (ids.isEmpty())
        return out;
    bool ok = false;
    const QList<ExchangeSummary> got = reader.summaries(ids, &ok);
    if (!ok)
        return out; // a read error is not "gone": nothing is cached, the view asks again
    out.reserve(ids.size());
    qsizetype g = 0;
    for (const qint64 id : ids) {
        while (g < got.size() && got.at(g).id < id)
            ++g;
        if (g < got.size() && got.at(g).id == id) {
            out.append(got.at(g));
        } else {
            ExchangeSummary gone;
            gone.id = id;
            out.append(gone);
        }
    }
    return out;
}

} // namespace portico::ui
