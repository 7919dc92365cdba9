#pragma once

#include "core/capture/CaptureOptions.h"
#include "core/capture/Exchange.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <atomic>
#include <chrono>
#include <optional>
#include <vector>

namespace portico::capture {

// The SQL side of CaptureStore's writer thread: owns the writer connection and its prepared
// statements, writes one batch per transaction and prunes retention in small steps.
// Created, used and destroyed on the writer thread only.
class CaptureBatchWriter
{
public:
    CaptureBatchWriter(const CaptureOptions &options, std::atomic<qint64> &nextId);
    ~CaptureBatchWriter();
    CaptureBatchWriter(const CaptureBatchWriter &) = delete;
    CaptureBatchWriter &operator=(const CaptureBatchWriter &) = delete;

    // Opens/migrates the file and moves nextId past the highest stored id.
    bool open(QString *error);
    // Stores the rows (redacted, bodies capped) in one transaction. On success *stored holds
    // their summaries with the final ids.
    bool write(std::vector<Exchange> &rows, QList<ExchangeSummary> *stored, QString *error);
    // One incremental retention step (at most pruneBatch rows). Returns the rows deleted.
    int prune(QString *error);

private:
    void redact(HeaderList &headers) const;
    bool insert(Exchange &e, QString *error);
    qint64 freshId();
    qint64 wallNowMs() const;

    const CaptureOptions &m_options;
    std::atomic<qint64> &m_nextId;
    QString m_connection;
    QSqlDatabase m_db;
    std::optional<QSqlQuery> m_insertExchange;
    std::optional<QSqlQuery> m_insertHeads;
    std::optional<QSqlQuery> m_insertBodies;
    QSet<QByteArray> m_redact; // lower-case names
    qint64 m_rowCount = 0;
    // Ids this process handed out that another writer of the same file had already used: the
    // row got a fresh id, and sub-requests naming the old one as parent follow it.
    QHash<qint64, qint64> m_remapped;
    std::chrono::steady_clock::time_point m_lastAgePrune;
    bool m_agePending = true;
};

} // namespace portico::capture
