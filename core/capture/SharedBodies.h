#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <cstddef>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace portico::capture {

// Identical bodies stored once (schema version 8, issue 19). APIs answer the same document again
// and again (a polled status, a list that did not change, a config endpoint); the body was the
// largest part of every captured exchange and its bytes, written to the WAL and copied again by
// the checkpoint, were the largest part of the writer's cost.
//
// The first time a body is seen only its hash is remembered and it is stored inline (bodies
// table) as before. The second time, it goes into shared_bodies once and the exchange refers to
// it (exchanges.request_body_ref / response_body_ref); from then on a body with the same hash
// AND the same bytes (compared, never trusted to the hash) is a reference only: no bodies row.
// A shared row's last_used is the newest exchange that refers to it, written once per batch in
// the batch's transaction, so retention deletes it with the last exchange that needs it
// (CaptureBatchWriter::prune). Its id is AUTOINCREMENT, never reused: if another process writing
// the same file pruned a row this writer still refers to, flush() puts it back under its id.
//
// Lives on the writer thread, with the writer's connection; memory is bounded (a few MiB).
class SharedBodies
{
public:
    static constexpr qsizetype kMinBytes = 128; // smaller bodies stay inline
    static constexpr qsizetype kMaxBytes = 64 * 1024; // larger ones too (rarely repeat; memory)

    struct Entry
    {
        qint64 id = 0;
        qint64 lastUsed = 0;
        bool dirty = false;
        QByteArray bytes;
    };

    SharedBodies() = default;
    ~SharedBodies();
    // Before the connection closes: SQLite will not close one with statements still open (the
    // connection, and all it holds, would leak).
    void finalize();
    SharedBodies(const SharedBodies &) = delete;
    SharedBodies &operator=(const SharedBodies &) = delete;

    bool prepare(sqlite3 *db, QString *error);

    // For a body exchange `exchangeId` is about to store: the shared row to refer to instead, or
    // nullptr to store it inline. May insert the shared row (inside the caller's transaction).
    // On a SQL error returns nullptr with *failed set and *error filled.
    Entry *share(QByteArrayView body, qint64 exchangeId, bool *failed, QString *error);
    // Exchange `exchangeId` (its final id) refers to `entry`.
    void used(Entry *entry, qint64 exchangeId);
    // Before the batch's COMMIT: last_used of every shared body referred to in this batch.
    bool flush(QString *error);
    // After a rollback: the rows inserted in it are gone, forget everything.
    void reset();
    // Retention deleted shared rows whose last_used <= lastExchangeId.
    void pruned(qint64 lastExchangeId);

    qint64 sharedCount() const { return qint64(m_shared.size()); }

private:
    QString sqliteError(const char *what) const;

    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_insert = nullptr;
    sqlite3_stmt *m_upsert = nullptr;
    std::vector<std::size_t> m_seen; // hashes seen once, direct-mapped
    std::unordered_map<std::size_t, Entry> m_shared; // node-based: Entry pointers stay valid
    std::vector<Entry *> m_dirty;
    qint64 m_sharedBytes = 0;
    qint64 m_batchFirstId = 0; // the lowest exchange id used() in this batch
};

} // namespace portico::capture
