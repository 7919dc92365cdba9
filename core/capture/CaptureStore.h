#pragma once

#include "core/capture/CaptureOptions.h"
#include "core/capture/CaptureRecord.h"
#include "core/capture/Exchange.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QWaitCondition>

#include <atomic>
#include <vector>

class QThread;

namespace portico::capture {

// The write side of the capture database. Proxy threads call submit(), which only moves the
// exchange into a bounded in-memory queue under a short mutex; a writer thread with its own
// SQLite connection drains the queue in batches, one transaction per burst, applies redaction
// and retention, and announces what it stored with exchangesStored().
//
// Thread-safety: submit(), reserveId(), flush() and the counters may be called from any thread.
// open()/close() from the owning thread. exchangesStored() is emitted from the writer thread
// (receivers in other threads get it queued).
class CaptureStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CaptureStore)

public:
    explicit CaptureStore(CaptureOptions options, QObject *parent = nullptr);
    ~CaptureStore() override; // flushes and stops the writer

    // Creates or migrates the database and starts the writer. Blocks until the file is ready.
    bool open(QString *error = nullptr);
    bool isOpen() const { return m_thread != nullptr; }
    // Writes everything still queued, then stops the writer.
    void close();

    // An id for an exchange that is submitted later, e.g. the client-facing exchange of an
    // aggregate route whose sub-requests carry it as parentId before it completes.
    qint64 reserveId();

    // Queues one exchange and returns its id (the reserved one if e.id != 0), or 0 when the
    // store is closed or the queue was full and the exchange was dropped. Never blocks on I/O.
    qint64 submit(Exchange &&e);
    // The proxy's form: the exchange already encoded on the calling thread (see CaptureRecord).
    // Bodies are expected to be cut to options().maxBodyBytes already (the writer cuts again).
    qint64 submit(CaptureRecord &&record);

    // Takes the parts of `options` that may change while the store runs (redactHeaders,
    // redactQueryParameters, maxBodyBytes, maxExchanges, maxAge; the rest is ignored). Every
    // exchange the writer stores after this call, including those already queued, follows them.
    void reconfigure(const CaptureOptions &options);

    // Replays sent through a gateway that captures into this store (the GUI's, the admin API's):
    // the gateway's row for the request whose X-Request-Id is `requestId` is the replay's one
    // row. It gets `notes` added (what the Replayer knows: "replay of exchange N", values it
    // left out) and replayCaptured() announces its id. One row per call; forgetReplay() drops
    // a registration nobody claimed (the request failed, the capture dropped it).
    void expectReplay(const QByteArray &requestId, const QString &notes);
    void forgetReplay(const QByteArray &requestId);

    // The GUI's sample traffic: a row whose request carries "X-Portico-Sample: <token>" gets
    // kSampleNote as its first note. The token is random per run, so that no other client can
    // make its requests look like samples. Empty: nothing is marked.
    void markSamples(const QByteArray &token);

    // Blocks until every exchange submitted before this call is committed (or dropped).
    // For shutdown and tests; returns false if the writer failed.
    bool flush();

    quint64 droppedRows() const { return m_droppedRows.load(std::memory_order_relaxed); }
    quint64 droppedBodies() const { return m_droppedBodies.load(std::memory_order_relaxed); }
    quint64 storedRows() const { return m_storedRows.load(std::memory_order_relaxed); }
    QString lastError() const;
    // A copy: reconfigure() may change it from another thread.
    CaptureOptions options() const;

Q_SIGNALS:
    // A committed batch, in id order, for live views (one signal per transaction).
    void exchangesStored(const QList<portico::capture::ExchangeSummary> &rows);
    // The writer could not write a batch (disk full, file removed, ...). The rows are counted
    // as dropped.
    void writeFailed(const QString &error);
    // The row of a replay registered with expectReplay() was queued as `id` (0: dropped).
    // Emitted from the submitting thread.
    void replayCaptured(const QByteArray &requestId, qint64 id);

private:
    void writerLoop();
    qint64 enqueue(CaptureRecord &&record);
    // The registered replay `record` belongs to, its notes added; empty if none.
    QByteArray claimReplay(CaptureRecord &record);
    void markSample(CaptureRecord &record);

    CaptureOptions m_options; // the changeable parts under m_mutex
    bool m_reconfigured = false; // m_options changed since the writer last took it
    std::atomic<qint64> m_maxBodyBytes;
    QThread *m_thread = nullptr;

    mutable QMutex m_mutex;
    QWaitCondition m_wake; // writer: work, flush or stop
    QWaitCondition m_written; // flush(): a batch was committed
    std::vector<CaptureRecord> m_queue;
    std::vector<std::string> m_spareBuffers; // written records' buffers (CaptureRecord::releaseBuffer)
    qint64 m_queuedBytes = 0;
    // m_queuedBytes as last published under the lock, read without it by submit() to decide
    // whether to drop bodies before queueing (so that the copy happens outside the lock).
    std::atomic<qint64> m_queuedBytesHint { 0 };
    std::atomic<qint64> m_queuedRowsHint { 0 };
    quint64 m_acceptedSeq = 0; // exchanges accepted into the queue so far
    quint64 m_doneSeq = 0; // of those, committed or failed
    bool m_flushRequested = false;
    bool m_stop = false;
    bool m_ready = false; // writer finished opening (successfully or not)
    bool m_failed = false;
    QString m_error;
    bool m_trimPending = false; // writer thread only: a burst ended, return memory when idle

    QMutex m_replayMutex;
    QHash<QByteArray, QString> m_replays; // X-Request-Id -> notes, under m_replayMutex
    std::atomic<int> m_replayCount { 0 }; // m_replays.size(), read by submit() without the lock
    QByteArray m_sampleToken; // under m_replayMutex
    std::atomic<bool> m_marksSamples { false };

    std::atomic<qint64> m_nextId { 1 };
    std::atomic<quint64> m_droppedRows { 0 };
    std::atomic<quint64> m_droppedBodies { 0 };
    std::atomic<quint64> m_storedRows { 0 };

    friend class CaptureBatchWriter;
};

} // namespace portico::capture
