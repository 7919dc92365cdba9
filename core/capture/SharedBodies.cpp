#include "core/capture/SharedBodies.h"

#include <QHashFunctions>

#include <sqlite3.h>

#include <algorithm>
#include <limits>

namespace portico::capture {

namespace {

// Bounds of what the writer remembers between batches: hashes of bodies seen once, and shared
// bodies (with their bytes, for the comparison). Past either, the set is forgotten at the next
// flush (never inside a batch: a pending last_used must be written).
constexpr std::size_t kSeenSlots = 16 * 1024; // a power of two
constexpr std::size_t kMaxShared = 512;
constexpr qint64 kMaxSharedBytes = 8 * 1024 * 1024;

} // namespace

SharedBodies::~SharedBodies()
{
    finalize();
}

void SharedBodies::finalize()
{
    sqlite3_finalize(m_insert);
    sqlite3_finalize(m_upsert);
    m_insert = nullptr;
    m_upsert = nullptr;
}

QString SharedBodies::sqliteError(const char *what) const
{
    return QStringLiteral("capture: %1: %2")
        .arg(QLatin1String(what), QString::fromUtf8(sqlite3_errmsg(m_db)));
}

bool SharedBodies::prepare(sqlite3 *db, QString *error)
{
    m_db = db;
    const auto prepare = [&](sqlite3_stmt **stmt, const char *sql) {
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr) == SQLITE_OK)
            return true;
        *error = sqliteError(sql);
        return false;
    };
    return prepare(&m_insert, "INSERT INTO shared_bodies (last_used, data) VALUES (?, ?)")
        && prepare(&m_upsert,
            "INSERT INTO shared_bodies (id, last_used, data) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET last_used = max(last_used, excluded.last_used)");
}

SharedBodies::Entry *SharedBodies::share(QByteArrayView body, qint64 exchangeId, bool *failed, QString *error)
{
    if (body.size() < kMinBytes || body.size() > kMaxBytes || !m_db)
        return nullptr;
    const std::size_t hash = qHashBits(body.data(), std::size_t(body.size()), 0x5eed);
    const auto it = m_shared.find(hash);
    if (it != m_shared.end()) {
        // The same hash is not enough: the bytes must be the same (a collision stays inline).
        return QByteArrayView(it->second.bytes) == body ? &it->second : nullptr;
    }
    // Seen once: a direct-mapped table of hashes (no allocation per body; a slot taken by
    // another body only means this one waits for its next repeat).
    if (m_seen.empty())
        m_seen.assign(kSeenSlots, 0);
    std::size_t &slot = m_seen[hash & (kSeenSlots - 1)];
    if (slot != hash) {
        slot = hash;
        return nullptr;
    }
    // Seen before: from now on stored once. The row holds this exchange's own bytes, so it is
    // right even if the earlier body only collided with it.
    if (m_shared.size() >= kMaxShared || m_sharedBytes + body.size() > kMaxSharedBytes)
        return nullptr; // full until the next flush
    sqlite3_bind_int64(m_insert, 1, exchangeId);
    sqlite3_bind_blob(m_insert, 2, body.data(), int(body.size()), SQLITE_STATIC);
    const int rc = sqlite3_step(m_insert);
    sqlite3_reset(m_insert);
    if (rc != SQLITE_DONE) {
        *failed = true;
        *error = sqliteError("insert into shared_bodies");
        return nullptr;
    }
    slot = 0;
    Entry &e = m_shared[hash];
    e.id = sqlite3_last_insert_rowid(m_db);
    e.lastUsed = exchangeId;
    e.bytes = body.toByteArray();
    m_sharedBytes += body.size();
    return &e;
}

void SharedBodies::used(Entry *entry, qint64 exchangeId)
{
    if (m_batchFirstId == 0 || exchangeId < m_batchFirstId)
        m_batchFirstId = exchangeId;
    entry->lastUsed = std::max(entry->lastUsed, exchangeId);
    if (!entry->dirty) {
        entry->dirty = true;
        m_dirty.push_back(entry);
    }
}

bool SharedBodies::flush(QString *error)
{
    for (Entry *e : m_dirty) {
        sqlite3_bind_int64(m_upsert, 1, e->id);
        sqlite3_bind_int64(m_upsert, 2, e->lastUsed);
        sqlite3_bind_blob(m_upsert, 3, e->bytes.constData(), int(e->bytes.size()), SQLITE_STATIC);
        const int rc = sqlite3_step(m_upsert);
        sqlite3_reset(m_upsert);
        if (rc != SQLITE_DONE) {
            *error = sqliteError("update shared_bodies");
            return false;
        }
        e->dirty = false;
    }
    m_dirty.clear();
    if (m_shared.size() >= kMaxShared || m_sharedBytes >= kMaxSharedBytes) {
        // Full: keep what this batch used (the bodies that repeat now), forget the rest. Never
        // everything at once: a busy set larger than the bound would otherwise be inserted
        // again and again instead of referred to.
        const qint64 keepFrom = m_batchFirstId ? m_batchFirstId : std::numeric_limits<qint64>::max();
        for (auto it = m_shared.begin(); it != m_shared.end();) {
            if (it->second.lastUsed < keepFrom) {
                m_sharedBytes -= it->second.bytes.size();
                it = m_shared.erase(it);
            } else {
                ++it;
            }
        }
    }
    m_batchFirstId = 0;
    return true;
}

void SharedBodies::reset()
{
    m_dirty.clear();
    m_shared.clear();
    m_seen.assign(m_seen.size(), 0);
    m_sharedBytes = 0;
    m_batchFirstId = 0;
}

void SharedBodies::pruned(qint64 lastExchangeId)
{
    for (auto it = m_shared.begin(); it != m_shared.end();) {
        if (!it->second.dirty && it->second.lastUsed <= lastExchangeId) {
            m_sharedBytes -= it->second.bytes.size();
            it = m_shared.erase(it);
        } else {
            ++it;
        }
    }
}

} // namespace portico::capture
