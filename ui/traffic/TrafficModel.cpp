#include "ui/traffic/TrafficModel.h"

#include "ui/traffic/TrafficCells.h"

#include <QFileInfo>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace portico::ui {

using capture::ExchangeSummary;

TrafficModel::TrafficModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_loader(new TrafficReader(this))
    , m_flushTimer(new QTimer(this))
{
    m_flushTimer->setInterval(80);
    m_flushTimer->setSingleShot(true);
    connect(m_flushTimer, &QTimer::timeout, this, &TrafficModel::flushLive);
    connect(m_loader, &TrafficReader::idsLoaded, this, &TrafficModel::onIdsLoaded);
    connect(m_loader, &TrafficReader::olderScanned, this, &TrafficModel::onOlderScanned);
    connect(m_loader, &TrafficReader::pageRead, this, &TrafficModel::onPageRead);
    connect(m_loader, &TrafficReader::matched, this, &TrafficModel::onMatched);
    connect(m_loader, &TrafficReader::exchangeRead, this, &TrafficModel::exchangeLoaded);
}

// m_loader is a child: QObject's destructor deletes it, which joins the reader thread; answers
// already posted to it are dropped with it, so none reaches this half-destroyed model.
TrafficModel::~TrafficModel()
{
    delete m_loader;
}

bool TrafficModel::isOpen() const
{
    return m_reader && m_reader->isOpen();
}

bool TrafficModel::open(const QString &path, QString *error)
{
    beginResetModel();
    m_ids.clear();
    dropCache();
    m_pending.clear();
    m_reader.reset();
    if (path != m_path)
        m_floorId = 0; // a cleared view stays cleared when the same file is reopened
    m_path = path;
    bool ok = true;
    if (!path.isEmpty()) {
        // The writer creates the file; until then there is simply nothing to show.
        if (QFileInfo::exists(path)) {
            m_reader = std::make_unique<capture::CaptureReader>();
            ok = m_reader->open(path, error);
            if (!ok)
                m_reader.reset();
        }
    }
    m_loader->setDatabase(isOpen() ? path : QString());
    loadIds();
    endResetModel();
    return ok;
}

bool TrafficModel::setFilter(const QString &text, capture::FilterError *error)
{
    const auto parsed = capture::FilterExpression::parse(text, error);
    if (!parsed)
        return false;
    m_filter = *parsed;
    reload();
    return true;
}

void TrafficModel::reload()
{
    if (!isOpen() && !m_path.isEmpty() && QFileInfo::exists(m_path)) {
        open(m_path);
        return;
    }
    beginResetModel();
    m_pending.clear(); // stored already, so the ids about to be read include them
    m_ids.clear();
    dropCache();
    loadIds();
    endResetModel();
}

void TrafficModel::showCleared()
{
    if (m_floorId == 0)
        return;
    m_floorId = 0;
    reload();
}

void TrafficModel::clearView()
{
    qint64 floor = m_ids.isEmpty() ? 0 : m_ids.last();
    if (isOpen())
        floor = std::max(floor, m_reader->maxId()); // one index lookup
    for (const auto &p : std::as_const(m_pending))
        floor = std::max(floor, p.id);
    m_floorId = floor;
    beginResetModel();
    ++m_generation; // whatever is being read is from before the floor
    m_ids.clear();
    dropCache();
    m_pending.clear();
    m_scanBelow = 0;
    m_loadingIds = false;
    m_matching = false;
    m_scanning = false;
    endResetModel();
}

void TrafficModel::dropCache()
{
    ++m_pageEpoch;
    m_pages.clear();
    m_requested.clear();
    m_loader->dropQueuedPages();
}

void TrafficModel::loadIds()
{
    ++m_generation;
    m_scanBelow = 0;
    m_matching = false;
    m_scanning = false;
    m_loadingIds = isOpen();
    if (m_loadingIds)
        m_loader->loadIds(m_generation, m_filter, m_floorId);
}

void TrafficModel::onIdsLoaded(quint64 generation, const TrafficReader::Ids &ids)
{
    if (generation != m_generation || !m_loadingIds)
        return;
    beginResetModel();
    dropCache();
    if (ids.isRun)
        m_ids.setRun(ids.runFirst, ids.runCount);
    else
        m_ids.setList(ids.list);
    m_scanBelow = ids.scanBelow;
    m_loadingIds = false;
    endResetModel();
    Q_EMIT idsLoaded();
    if (m_scanBelow > 0)
        fetchOlder();
    // Live rows queued while the ids were read: those above the newest id are new.
    if (!m_pending.isEmpty())
        flushLive();
}

void TrafficModel::fetchOlder()
{
    if (!canFetchOlder() || m_scanning || m_loadingIds)
        return;
    m_scanning = true;
    m_loader->scanOlder(m_generation, m_filter, m_scanBelow, m_floorId + 1);
}

void TrafficModel::onOlderScanned(quint64 generation, const QList<qint64> &older, qint64 scanBelow)
{
    if (generation != m_generation || !m_scanning)
        return;
    m_scanning = false;
    m_scanBelow = scanBelow;
    if (!older.isEmpty()) {
        // Page numbers count from the top, so every cached page moves; views may read rows while
        // the insert is announced, hence the second drop.
        dropCache();
        beginInsertRows({}, 0, int(older.size()) - 1);
        m_ids.prepend(older);
        dropCache();
        endInsertRows();
        Q_EMIT olderRowsInserted(int(older.size()));
    }
    // The next slice is read between other requests: the reader thread answers pages first.
    fetchOlder();
}

void TrafficModel::enqueueLive(const QList<ExchangeSummary> &rows)
{
    m_pending += rows;
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

int TrafficModel::flushLive()
{
    m_flushTimer->stop();
    if (m_pending.isEmpty())
        return 0;
    if (!isOpen() && !m_path.isEmpty() && QFileInfo::exists(m_path)) {
        // The first batch was just written, so the database exists now and already holds the
        // queued rows (they are announced after their commit).
        open(m_path);
        return 0;
    }
    if (!isOpen()) {
        m_pending.clear();
        return 0;
    }
    // One question at a time: the answer in flight flushes what has queued up since.
    if (m_loadingIds || m_matching)
        return 0;
    const qint64 newest = m_ids.isEmpty() ? m_floorId : std::max(m_ids.last(), m_floorId);
    QList<ExchangeSummary> fresh;
    for (const auto &r : std::as_const(m_pending)) {
        if (r.id > newest)
            fresh << r;
    }
    m_pending.clear();
    std::sort(fresh.begin(), fresh.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    if (fresh.isEmpty())
        return 0;
    if (!m_filter.isEmpty()) {
        m_matching = true;
        m_loader->match(m_generation, m_filter, fresh);
        return 0;
    }
    return insertLive(std::move(fresh));
}

void TrafficModel::onMatched(quint64 generation, const QList<ExchangeSummary> &rows)
{
    if (generation != m_generation || !m_matching)
        return;
    m_matching = false;
    const qint64 newest = m_ids.isEmpty() ? m_floorId : std::max(m_ids.last(), m_floorId);
    QList<ExchangeSummary> fresh;
    for (const auto &r : rows) {
        if (r.id > newest)
            fresh << r;
    }
    insertLive(std::move(fresh));
    if (!m_pending.isEmpty() && !m_flushTimer->isActive())
        m_flushTimer->start();
}

int TrafficModel::insertLive(QList<ExchangeSummary> fresh)
{
    if (fresh.isEmpty())
        return 0;
    const int first = int(m_ids.size());
    beginInsertRows({}, first, first + int(fresh.size()) - 1);
    // The rows are at hand: they go into the cached tail page, so a view that follows the live
    // end does not read back what it was just sent.
    for (int i = 0; i < fresh.size(); ++i) {
        const int row = first + i;
        m_ids.append(fresh.at(i).id);
        const int page = row / kPageSize;
        auto it = m_pages.find(page);
        if (it == m_pages.end() && row % kPageSize == 0)
            it = m_pages.insert(page, Page { {}, ++m_useClock });
        if (it != m_pages.end() && it->rows.size() == row % kPageSize)
            it->rows.append(fresh.at(i));
    }
    endInsertRows();
    Q_EMIT liveRowsInserted(int(fresh.size()));
    return int(fresh.size());
}

QList<qint64> TrafficModel::pageIds(int page) const
{
    const int first = page * kPageSize;
    const int last = std::min(int(m_ids.size()), first + kPageSize) - 1;
    QList<qint64> ids;
    ids.reserve(std::max(0, last - first + 1));
    for (int r = first; r <= last; ++r)
        ids << m_ids.at(r);
    return ids;
}

void TrafficModel::requestPage(int page) const
{
    if (m_requested.contains(page))
        return;
    const QList<qint64> ids = pageIds(page);
    if (ids.isEmpty())
        return;
    m_requested.insert(page);
    // Requests for pages the view has left behind make room for the newest.
    for (int dropped : m_loader->readPage(m_pageEpoch, page, ids))
        m_requested.remove(dropped);
}

void TrafficModel::storePage(int page, QList<ExchangeSummary> rows) const
{
    auto it = m_pages.find(page);
    if (it != m_pages.end()) {
        // Live rows may have been added to the tail page since it was requested.
        if (it->rows.size() >= rows.size())
            return;
        it->rows = std::move(rows);
        it->lastUse = ++m_useClock;
        return;
    }
    if (m_pages.size() >= kCachedPages) {
        auto oldest = m_pages.begin();
        for (auto p = m_pages.begin(); p != m_pages.end(); ++p) {
            if (p->lastUse < oldest->lastUse)
                oldest = p;
        }
        m_pages.erase(oldest);
    }
    m_pages.insert(page, Page { std::move(rows), ++m_useClock });
}

void TrafficModel::onPageRead(quint64 generation, int page, const QList<ExchangeSummary> &rows)
{
    if (generation != m_pageEpoch)
        return;
    m_requested.remove(page);
    // The rows are for the ids the page had when it was asked for: still the same ones unless
    // the epoch changed, which it did not; live rows may have been appended since.
    const int first = page * kPageSize;
    if (rows.isEmpty() || first + rows.size() > m_ids.size() || m_ids.at(first) != rows.first().id)
        return;
    const int count = int(rows.size());
    storePage(page, rows);
    Q_EMIT dataChanged(index(first, 0), index(first + count - 1, ColumnCount - 1));
}

const ExchangeSummary *TrafficModel::cached(int row) const
{
    if (row < 0 || row >= m_ids.size())
        return nullptr;
    const int page = row / kPageSize;
    auto it = m_pages.find(page);
    if (it == m_pages.end() || it->rows.size() <= row - page * kPageSize)
        return nullptr;
    it->lastUse = ++m_useClock;
    return &it->rows.at(row - page * kPageSize);
}

bool TrafficModel::isRowLoaded(int row) const
{
    const int page = row / kPageSize;
    const auto it = m_pages.constFind(page);
    return row >= 0 && row < m_ids.size() && it != m_pages.cend() && it->rows.size() > row - page * kPageSize;
}

ExchangeSummary TrafficModel::summary(int row) const
{
    if (const ExchangeSummary *s = cached(row))
        return *s;
    if (row < 0 || row >= m_ids.size() || !isOpen())
        return {};
    const int page = row / kPageSize;
    storePage(page, TrafficReader::readSummaries(*m_reader, pageIds(page)));
    const ExchangeSummary *s = cached(row);
    return s ? *s : ExchangeSummary {};
}

int TrafficModel::rowOfId(qint64 id) const
{
    return int(m_ids.indexOf(id));
}

std::optional<capture::Exchange> TrafficModel::exchange(qint64 id)
{
    if (!isOpen())
        return std::nullopt;
    return m_reader->get(id);
}

void TrafficModel::requestExchange(qint64 id)
{
    m_loader->readExchange(id);
}

int TrafficModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

int TrafficModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TrafficModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_ids.size())
        return {};
    if (role == Qt::UserRole)
        return m_ids.at(index.row());
    if (role != Qt::DisplayRole && role != Qt::ForegroundRole && role != Qt::TextAlignmentRole
        && role != Qt::ToolTipRole && role != Qt::DecorationRole && role != Qt::AccessibleTextRole)
        return {};
    const ExchangeSummary *found = cached(index.row());
    if (!found) {
        // Not read yet: the id and a grey ellipsis until the page arrives (dataChanged).
        requestPage(index.row() / kPageSize);
        return trafficPlaceholderCell(m_ids.at(index.row()), index.column(), role);
    }
    return trafficCell(*found, index.column(), role);
}

QVariant TrafficModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    return trafficColumnTitle(section);
}

} // namespace portico::ui
