#include "ui/traffic/TrafficModel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFileInfo>
#include <QFont>
#include <QLocale>
#include <QTimer>

#include <algorithm>

namespace portico::ui {

using capture::ExchangeSummary;

TrafficModel::TrafficModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_flushTimer(new QTimer(this))
{
    m_flushTimer->setInterval(80);
    m_flushTimer->setSingleShot(true);
    connect(m_flushTimer, &QTimer::timeout, this, &TrafficModel::flushLive);
}

TrafficModel::~TrafficModel() = default;

bool TrafficModel::isOpen() const { return m_reader && m_reader->isOpen(); }

bool TrafficModel::open(const QString &path, QString *error)
{
    beginResetModel();
    m_rows.clear();
    m_pending.clear();
    m_reader.reset();
    if (path != m_path)
        m_floorId = 0; // a cleared view stays cleared when the same file is reopened
    m_path = path;
    m_exhausted = true;
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
    if (isOpen()) {
        m_rows = readPage(0, &m_exhausted, &m_nextBefore);
    }
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
    if (!isOpen() && !m_path.isEmpty() && QFileInfo::exists(m_path))
        open(m_path);
    beginResetModel();
    m_pending.clear();
    m_rows.clear();
    m_exhausted = true;
    if (isOpen())
        m_rows = readPage(0, &m_exhausted, &m_nextBefore);
    endResetModel();
}

void TrafficModel::clearView()
{
    qint64 floor = m_rows.isEmpty() ? 0 : m_rows.last().id;
    if (isOpen())
        floor = std::max(floor, m_reader->maxId());
    for (const auto &p : std::as_const(m_pending))
        floor = std::max(floor, p.id);
    m_floorId = floor;
    beginResetModel();
    m_rows.clear();
    m_pending.clear();
    m_exhausted = true;
    endResetModel();
}

QList<ExchangeSummary> TrafficModel::readPage(qint64 beforeId, bool *exhausted, qint64 *next)
{
    // A costly filter (body:, header:) scans in time slices: keep the UI responsive and let the
    // next fetchOlder() continue where the slice stopped.
    const auto page = m_reader->search(m_filter, kPageSize, beforeId, std::chrono::milliseconds(300));
    QList<ExchangeSummary> rows;
    rows.reserve(page.rows.size());
    for (auto it = page.rows.crbegin(); it != page.rows.crend(); ++it) {
        if (it->id > m_floorId)
            rows << *it;
    }
    const bool belowFloor = !page.rows.isEmpty() && page.rows.last().id <= m_floorId;
    if (page.partial) {
        *next = page.resumeBeforeId;
        *exhausted = page.resumeBeforeId == 0 || page.resumeBeforeId <= m_floorId + 1;
    } else {
        *next = page.rows.isEmpty() ? 0 : page.rows.last().id;
        *exhausted = page.rows.size() < kPageSize || belowFloor;
    }
    return rows;
}

int TrafficModel::fetchOlder()
{
    if (!canFetchOlder())
        return 0;
    const QList<ExchangeSummary> older = readPage(m_nextBefore, &m_exhausted, &m_nextBefore);
    if (older.isEmpty())
        return 0;
    beginInsertRows({}, 0, int(older.size()) - 1);
    m_rows = older + m_rows;
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
        // The first batch was just written, so the database exists now: its newest page already
        // holds the queued rows (they are announced after their commit).
        open(m_path);
        return int(m_rows.size());
    }
    const qint64 newest = m_rows.isEmpty() ? m_floorId : std::max(m_rows.last().id, m_floorId);
    QList<ExchangeSummary> fresh;
    for (const auto &r : std::as_const(m_pending)) {
        if (r.id > newest)
            fresh << r;
    }
    m_pending.clear();
    if (!m_filter.isEmpty() && !fresh.isEmpty() && isOpen()) {
        QList<qint64> ids;
        for (const auto &r : std::as_const(fresh))
            ids << r.id;
        const QList<qint64> keep = m_reader->matching(m_filter, ids);
        fresh.erase(std::remove_if(fresh.begin(), fresh.end(), [&](const auto &r) { return !keep.contains(r.id); }),
                    fresh.end());
    }
    if (fresh.isEmpty())
        return 0;
    std::sort(fresh.begin(), fresh.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(fresh.size()) - 1);
    m_rows += fresh;
    endInsertRows();
    Q_EMIT liveRowsInserted(int(fresh.size()));
    trim();
    return int(fresh.size());
}

void TrafficModel::trim()
{
    if (m_rows.size() <= kMaxRows)
        return;
    const int drop = int(m_rows.size()) - kMaxRows + kPageSize;
    beginRemoveRows({}, 0, drop - 1);
    m_rows.remove(0, drop);
    endRemoveRows();
    m_nextBefore = m_rows.first().id;
    m_exhausted = false;
}

int TrafficModel::rowOfId(qint64 id) const
{
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), id, [](const auto &r, qint64 v) { return r.id < v; });
    return it != m_rows.cend() && it->id == id ? int(it - m_rows.cbegin()) : -1;
}

std::optional<capture::Exchange> TrafficModel::exchange(qint64 id)
{
    if (!isOpen())
        return std::nullopt;
    return m_reader->get(id);
}

int TrafficModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int TrafficModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

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
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const ExchangeSummary &r = m_rows.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Id:
            return r.id;
        case Time:
            return QDateTime::fromMSecsSinceEpoch(r.startedAtMs).toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
        case Method:
            return r.method;
        case Host:
            return r.host;
        case Path:
            return r.path;
        case Status:
            return r.status == 0 ? (r.error.isEmpty() ? QStringLiteral("—") : tr("failed")) : QString::number(r.status);
        case Duration:
            return formatDurationUs(r.durationUs);
        case Size:
            return QLocale().formattedDataSize(r.responseBytes, 1, QLocale::DataSizeTraditionalFormat);
        case Route:
            return r.route;
        case Consumer:
            return r.consumer;
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
    if (role == Qt::TextAlignmentRole && (index.column() == Duration || index.column() == Size || index.column() == Id))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == Path)
        return r.url;
    if (role == Qt::ToolTipRole && index.column() == Status && !r.error.isEmpty())
        return r.error;
    if (role == Qt::UserRole)
        return r.id;
    return {};
}

QVariant TrafficModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char *names[] = { "#", "Time", "Method", "Host", "Path", "Status", "Duration", "Size", "Route", "Consumer", "Upstream" };
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

} // namespace portico::ui
