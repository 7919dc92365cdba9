#include "core/capture/CaptureStore.h"

#include "core/capture/CaptureBatchWriter.h"

#include <QDeadlineTimer>
#include <QThread>

namespace portico::capture {

namespace {

// Rough memory cost of a queued exchange: what the overload bounds are measured in.
qint64 queuedSize(const Exchange &e)
{
    qint64 size = 512 + e.url.size() * 2 + e.requestBody.size() + e.responseBody.size();
    for (const auto &h : e.requestHeaders)
        size += h.first.size() + h.second.size() + 32;
    for (const auto &h : e.responseHeaders)
        size += h.first.size() + h.second.size() + 32;
    return size;
}

} // namespace

ExchangeSummary summarize(const Exchange &e)
{
    ExchangeSummary s;
    s.id = e.id;
    s.startedAtMs = e.startedAt.toMSecsSinceEpoch();
    s.method = e.method;
    s.url = e.url;
    s.host = e.host;
    s.path = e.path;
    s.status = e.status;
    s.durationUs = e.timings.lastByteUs;
    s.route = e.route;
    s.consumer = e.consumer;
    s.upstream = e.upstream;
    s.traceId = e.traceId;
    s.parentId = e.parentId;
    s.requestBytes = e.requestBytes;
    s.responseBytes = e.responseBytes;
    s.error = e.error;
    s.apiVersion = e.apiVersion;
    return s;
}

CaptureStore::CaptureStore(CaptureOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    qRegisterMetaType<QList<portico::capture::ExchangeSummary>>();
}

CaptureStore::~CaptureStore()
{
    close();
}

bool CaptureStore::open(QString *error)
{
    if (m_thread)
        return true;
    {
        QMutexLocker lock(&m_mutex);
        m_ready = false;
        m_failed = false;
        m_stop = false;
        m_error.clear();
    }
    m_thread = QThread::create([this] { writerLoop(); });
    m_thread->setObjectName(QStringLiteral("capture-writer"));
    m_thread->start();
    QMutexLocker lock(&m_mutex);
    while (!m_ready)
        m_written.wait(&m_mutex);
    if (m_failed) {
        const QString message = m_error;
        lock.unlock();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
        if (error)
            *error = message;
        return false;
    }
    return true;
}

void CaptureStore::close()
{
    if (!m_thread)
        return;
    {
        QMutexLocker lock(&m_mutex);
        m_stop = true;
        m_wake.wakeAll();
    }
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

qint64 CaptureStore::reserveId()
{
    return m_nextId.fetch_add(1, std::memory_order_relaxed);
}

qint64 CaptureStore::submit(Exchange &&e)
{
    const qint64 size = queuedSize(e);
    QMutexLocker lock(&m_mutex);
    if (!m_thread || m_stop || m_failed) {
        m_droppedRows.fetch_add(1, std::memory_order_relaxed);
        return 0;
    }
    const auto rows = qint64(m_queue.size());
    if (rows >= m_options.maxQueuedRows || m_queuedBytes + size > m_options.maxQueuedBytes) {
        m_droppedRows.fetch_add(1, std::memory_order_relaxed);
        return 0;
    }
    qint64 cost = size;
    // Past half of either bound the writer is falling behind: keep the row, lose the bodies,
    // so that metadata survives longer than payloads.
    if ((rows >= m_options.maxQueuedRows / 2 || m_queuedBytes + size > m_options.maxQueuedBytes / 2)
        && (!e.requestBody.isEmpty() || !e.responseBody.isEmpty())) {
        cost -= e.requestBody.size() + e.responseBody.size();
        e.requestBody = QByteArray();
        e.responseBody = QByteArray();
        e.bodiesDropped = true;
        e.addNote(QStringLiteral("bodies not stored: capture queue overloaded"));
        m_droppedBodies.fetch_add(1, std::memory_order_relaxed);
    }
    if (e.id == 0)
        e.id = m_nextId.fetch_add(1, std::memory_order_relaxed);
    const qint64 id = e.id;
    m_queue.push_back(std::move(e));
    m_queuedBytes += cost;
    ++m_acceptedSeq;
    if (qint64(m_queue.size()) >= m_options.batchRows)
        m_wake.wakeOne();
    return id;
}

bool CaptureStore::flush()
{
    QMutexLocker lock(&m_mutex);
    if (!m_thread)
        return !m_failed;
    const quint64 target = m_acceptedSeq;
    m_flushRequested = true;
    m_wake.wakeAll();
    while (m_doneSeq < target && !m_failed)
        m_written.wait(&m_mutex);
    return !m_failed;
}

QString CaptureStore::lastError() const
{
    QMutexLocker lock(&m_mutex);
    return m_error;
}

void CaptureStore::writerLoop()
{
    CaptureBatchWriter writer(m_options, m_nextId);
    {
        QString error;
        const bool ok = writer.open(&error);
        QMutexLocker lock(&m_mutex);
        m_ready = true;
        m_failed = !ok;
        m_error = error;
        m_written.wakeAll();
        if (!ok)
            return;
    }

    std::vector<Exchange> batch;
    QList<ExchangeSummary> stored;
    for (;;) {
        bool stop = false;
        {
            QMutexLocker lock(&m_mutex);
            // Wait for a full batch, a flush, a stop or the interval, whichever comes first.
            QDeadlineTimer deadline(m_options.batchInterval);
            while (qint64(m_queue.size()) < m_options.batchRows && !m_flushRequested && !m_stop) {
                if (!m_wake.wait(&m_mutex, deadline))
                    break;
            }
            batch.swap(m_queue);
            m_queuedBytes = 0;
            m_flushRequested = false;
            stop = m_stop;
        }

        QString error;
        const auto count = quint64(batch.size());
        // Write in slices so that one transaction never grows past a few batches' worth.
        bool ok = true;
        for (size_t from = 0; from < batch.size() && ok;) {
            const size_t to = std::min(batch.size(), from + size_t(std::max(1, m_options.batchRows)));
            std::vector<Exchange> slice(std::make_move_iterator(batch.begin() + qsizetype(from)),
                std::make_move_iterator(batch.begin() + qsizetype(to)));
            ok = writer.write(slice, &stored, &error);
            if (ok) {
                m_storedRows.fetch_add(slice.size(), std::memory_order_relaxed);
                Q_EMIT exchangesStored(stored);
            } else {
                m_droppedRows.fetch_add(batch.size() - from, std::memory_order_relaxed);
            }
            from = to;
        }
        batch.clear();
        if (ok)
            writer.prune(&error);
        if (!error.isEmpty()) {
            qWarning("%s", qPrintable(error));
            Q_EMIT writeFailed(error);
        }

        QMutexLocker lock(&m_mutex);
        m_doneSeq += count;
        if (!error.isEmpty())
            m_error = error;
        m_written.wakeAll();
        if (stop && m_queue.empty())
            return;
    }
}

} // namespace portico::capture
