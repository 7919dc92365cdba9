#pragma once

#include "core/capture/CaptureOptions.h"
#include "core/capture/CaptureRecord.h"
#include "core/capture/RedactionPolicy.h"
#include "core/capture/SharedBodies.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace portico::capture {

class WalCheckpointer;

// The SQL side of CaptureStore's writer thread: owns the writer connection, writes one batch per
// transaction and prunes retention in small steps. Created, used and destroyed on the writer
// thread only.
//
// The per-row path talks to SQLite's C API on the connection Qt opened (schema creation, migration
// and pruning stay on QtSql): one prepared statement per table, reused for every row; every text,
// head and body bound in place from the CaptureRecord the proxy encoded (a head is copied only to
// redact a field). The writer never checkpoints the WAL itself: a WalCheckpointer thread does, so that a
// checkpoint's page copies and fsync never stall the next batch.
class CaptureBatchWriter
{
public:
    CaptureBatchWriter(const CaptureOptions &options, std::atomic<qint64> &nextId);
    ~CaptureBatchWriter();
    CaptureBatchWriter(const CaptureBatchWriter &) = delete;
    CaptureBatchWriter &operator=(const CaptureBatchWriter &) = delete;

    // Opens/migrates the file and moves nextId past the highest stored id.
    bool open(QString *error);
    // The redaction lists, body cap and retention of `options` (CaptureStore::reconfigure).
    void setPolicy(const CaptureOptions &options);
    // Stores rows [begin, end) (redacted, bodies capped) in one transaction. On success *stored
    // holds their summaries with the final ids (when stored is not null).
    bool write(CaptureRecord *begin, CaptureRecord *end, QList<ExchangeSummary> *stored, QString *error);
    // One incremental retention step (at most pruneBatch rows). Returns the rows deleted.
    int prune(QString *error);

private:
    bool insert(CaptureRecord &r, QString *error);
    bool exec(const char *sql, QString *error);
    QString sqliteError(const char *what) const;
    qint64 freshId();
    qint64 wallNowMs() const;
    static int walHook(void *self, sqlite3 *db, const char *name, int frames);

    CaptureOptions m_options;
    std::atomic<qint64> &m_nextId;
    QString m_connection;
    QSqlDatabase m_db;
    sqlite3 *m_handle = nullptr; // owned by m_db's driver
    sqlite3_stmt *m_insertExchange = nullptr;
    sqlite3_stmt *m_insertHead = nullptr;
    sqlite3_stmt *m_insertBody = nullptr;
    sqlite3_stmt *m_begin = nullptr;
    sqlite3_stmt *m_commit = nullptr;
    sqlite3_stmt *m_rollback = nullptr;
    RedactionPolicy m_redaction;
    SharedBodies m_shared;
    // Scratch for one row's head blocks when a field has to be redacted.
    std::string m_requestHead;
    std::string m_responseHead;
    qint64 m_rowCount = 0;
    // Ids this process handed out that another writer of the same file had already used: the
    // row got a fresh id, and sub-requests naming the old one as parent follow it.
    QHash<qint64, qint64> m_remapped;
    std::chrono::steady_clock::time_point m_lastAgePrune;
    bool m_agePending = true;
    WalCheckpointer *m_checkpointer = nullptr;
};

} // namespace portico::capture
