#include "ui/traffic/TrafficModel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFont>
#include <QLocale>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace portico::ui {

using capture::ExchangeSummary;

TrafficModel::TrafficModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_flushTimer(new QTimer(this))
    , m_scanTimer(new QTimer(this))
{
    m_flushTimer->setInterval(80);
    m_flushTimer->setSingleShot(true);
    connect(m_flushTimer, &QTimer::timeout, this, &TrafficModel::flushLive);
    // Between slices of a costly scan the event loop runs: painting and live rows go on.
    m_scanTimer->setInterval(0);
    connect(m_scanTimer, &QTimer::timeout, this, &TrafficModel::fetchOlder);
}

TrafficModel::~TrafficModel() = default;

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
    m_pending.clear();
    m_ids.clear();
    dropCache();
    loadIds();
    endResetModel();
}

void TrafficModel::clearView()
{
    qint64 floor = m_ids.isEmpty() ? 0 : m_ids.last();
    if (isOpen())
        floor = std::max(floor, m_reader->maxId());
    for (const auto &p : std::as_const(m_pending))
        floor = std::max(floor, p.id);
    m_floorId = floor;
    beginResetModel();
    m_ids.clear();
    dropCache();
    m_pending.clear();
    m_scanBelow = 0;
    m_scanTimer->stop();
    endResetModel();
}

void TrafficModel::dropCache()
{
    m_pages.clear();
}

void TrafficModel::loadIds()
{
    m_scanBelow = 0;
    m_scanTimer->stop();
    if (!isOpen())
        return;
    if (m_filter.isEmpty() && loadRun())
        return;
    if (!m_filter.isCostly()) {
        // One indexed query: ~1M ids in a few hundred ms, and then any row is one page read away.
        m_ids.setList(m_reader->ids(m_filter, m_floorId));
        return;
    }
    // body:/header: read a row per exchange: scan downwards from the newest, enough for the
    // first screen now and the rest between events.
    m_scanBelow = m_reader->maxId() + 1;
    m_scanFloor = m_floorId + 1;
    m_ids.setList(scanSlices(300, kPageSize));
    if (m_scanBelow > 0)
        m_scanTimer->start();
}

bool TrafficModel::loadRun()
{
    // Reading every id walks the whole table (~0.6 s per million rows); count(*) walks the
    // smallest index and min/max are one lookup each. Min is read first and max last, so a
    // batch committed in between (rows added or pruned) can only make the run look broken,
    // never whole when it is not.
    const QList<ExchangeSummary> lowest = m_reader->listAscending({}, 1, 0);
    if (lowest.isEmpty())
        return true; // an empty database
    const qint64 tableMin = lowest.first().id;
    const qint64 total = m_reader->count();
    const qint64 max = m_reader->maxId();
    if (total <= 0 || max - tableMin + 1 != total)
        return false;
    const qint64 first = std::max(tableMin, m_floorId + 1);
    m_ids.setRun(first, qsizetype(std::max<qint64>(0, max - first + 1)));
    return true;
}

QList<qint64> TrafficModel::scanSlices(int budgetMs, int enough)
{
    static constexpr qint64 kSlice = 5000;
    QElapsedTimer timer;
    timer.start();
    QList<qint64> found;
    while (m_scanBelow > m_scanFloor) {
        const qint64 low = std::max(m_scanFloor, m_scanBelow - kSlice);
        QList<qint64> part = m_reader->ids(m_filter, low - 1, m_scanBelow);
        m_scanBelow = low;
        part += found;
        found = std::move(part);
        if (found.size() >= enough || timer.elapsed() >= budgetMs)
            break;
    }
    if (m_scanBelow <= m_scanFloor)
        m_scanBelow = 0;
    return found;
}

int TrafficModel::fetchOlder()
{
    if (!canFetchOlder()) {
        m_scanTimer->stop();
        return 0;
    }
    const QList<qint64> older = scanSlices(30, std::numeric_limits<int>::max());
    if (m_scanBelow == 0)
        m_scanTimer->stop();
    if (older.isEmpty())
        return 0;
    // Page numbers count from the top, so every cached page moves; views may read rows while
    // the insert is announced, hence the second drop.
    dropCache();
    beginInsertRows({}, 0, int(older.size()) - 1);
    m_ids.prepend(older);
    dropCache();
    endInsertRows();
    Q_EMIT olderRowsInserted(int(older.size()));
    return int(older.size());
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
        return int(m_ids.size());
    }
    if (!isOpen()) {
        m_pending.clear();
        return 0;
    }
    const qint64 newest = m_ids.isEmpty() ? m_floorId : std::max(m_ids.last(), m_floorId);
    QList<ExchangeSummary> fresh;
    for (const auto &r : std::as_const(m_pending)) {
        if (r.id > newest)
            fresh << r;
    }
    m_pending.clear();
    std::sort(fresh.begin(), fresh.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    if (!m_filter.isEmpty() && !fresh.isEmpty()) {
        QList<qint64> ids;
        ids.reserve(fresh.size());
        for (const auto &r : std::as_const(fresh))
            ids << r.id;
        const QList<qint64> keep = m_reader->matching(m_filter, ids); // ascending
        fresh.erase(std::remove_if(fresh.begin(), fresh.end(),
                        [&](const auto &r) { return !std::binary_search(keep.cbegin(), keep.cend(), r.id); }),
            fresh.end());
    }
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

const ExchangeSummary *TrafficModel::cached(int row) const
{
    if (row < 0 || row >= m_ids.size() || !m_reader)
        return nullptr;
    const int page = row / kPageSize;
    const int first = page * kPageSize;
    auto it = m_pages.find(page);
    if (it == m_pages.end() || it->rows.size() <= row - first) {
        // A page holds exactly m_ids[first, first + kPageSize): the ids are the matches, so the
        // next rows of the filter after the page's first id are the page. Rows deleted by
        // retention since the ids were read come back as id-only placeholders.
        const int last = std::min(int(m_ids.size()), first + kPageSize) - 1;
        const QList<ExchangeSummary> got
            = m_reader->listAscending(m_filter, last - first + 1, m_ids.at(first) - 1);
        Page fresh;
        fresh.rows.reserve(last - first + 1);
        qsizetype g = 0;
        for (int r = first; r <= last; ++r) {
            const qint64 id = m_ids.at(r);
            while (g < got.size() && got.at(g).id < id)
                ++g;
            if (g < got.size() && got.at(g).id == id) {
                fresh.rows.append(got.at(g));
            } else {
                ExchangeSummary gone;
                gone.id = id;
                fresh.rows.append(gone);
            }
        }
        if (m_pages.size() >= kCachedPages) {
            auto oldest = m_pages.begin();
            for (auto p = m_pages.begin(); p != m_pages.end(); ++p) {
                if (p->lastUse < oldest->lastUse)
                    oldest = p;
            }
            m_pages.erase(oldest);
        }
        it = m_pages.insert(page, std::move(fresh));
    }
    it->lastUse = ++m_useClock;
    return &it->rows.at(row - first);
}

ExchangeSummary TrafficModel::summary(int row) const
{
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

int TrafficModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

int TrafficModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString TrafficModel::formatDurationUs(qint64 us)
{
    if (us < 0)
        return QStringLiteral("—");
    if (us < 1000)
        return QStringLiteral("%1 µs").arg(us);
    if (us < 10'000'000)
        return QStringLiteral("%1 ms").arg(double(us) / 1000.0, 0, 'f', us < 100'000 ? 1 : 0);
    return QStringLiteral("%1 s").arg(double(us) / 1e6, 0, 'f', 1);
}

QVariant TrafficModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_ids.size())
        return {};
    if (role == Qt::UserRole)
        return m_ids.at(index.row());
    if (role != Qt::DisplayRole && role != Qt::ForegroundRole && role != Qt::TextAlignmentRole
        && role != Qt::ToolTipRole)
        return {};
    const ExchangeSummary *found = cached(index.row());
    if (!found)
        return {};
    const ExchangeSummary &r = *found;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Id:
            return r.id;
        case Time:
            return QDateTime::fromMSecsSinceEpoch(r.startedAtMs)
                .toLocalTime()
                .toString(QStringLiteral("HH:mm:ss.zzz"));
        case Method:
            return r.method;
        case Host:
            return r.host;
        case Path:
            return r.path;
        case Status:
            return r.status == 0 ? (r.error.isEmpty() ? QStringLiteral("—") : tr("failed"))
                                 : QString::number(r.status);
        case Duration:
            return formatDurationUs(r.durationUs);
        case Size:
            return QLocale().formattedDataSize(r.responseBytes, 1, QLocale::DataSizeTraditionalFormat);
        case Route:
            return r.route;
        case Consumer:
            return r.consumer;
        case Version:
            return r.apiVersion;
        case Upstream:
            return r.upstream;
        }
        return {};
    }
    if (role == Qt::ForegroundRole && index.column() == Status) {
        if (r.status == 0)
            return QBrush(QColor(0x9e, 0x9e, 0x9e));
        if (r.status >= 500)
            return QBrush(QColor(0xc6, 0x28, 0x28));
        if (r.status >= 400)
            return QBrush(QColor(0xe6, 0x51, 0x00));
        if (r.status >= 300)
            return QBrush(QColor(0x15, 0x65, 0xc0));
        return QBrush(QColor(0x2e, 0x7d, 0x32));
    }
    if (role == Qt::ForegroundRole && index.column() == Method)
        return QBrush(QColor(0x4f, 0x46, 0xe5));
    if (role == Qt::TextAlignmentRole
        && (index.column() == Duration || index.column() == Size || index.column() == Id))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == Path)
        return r.url;
    if (role == Qt::ToolTipRole && index.column() == Status && !r.error.isEmpty())
        return r.error;
    return {};
}

QVariant TrafficModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char *names[] = { "#", "Time", "Method", "Host", "Path", "Status", "Duration", "Size",
        "Route", "Consumer", "Version", "Upstream" };
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

} // namespace portico::ui
