#include "core/capture/CaptureStore.h"

#include "core/capture/CaptureBatchWriter.h"
#include "core/capture/Schema.h"

#include <QDeadlineTimer>
#include <QMetaMethod>
#include <QThread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace portico::capture {

namespace {

// Written records' buffers kept for reuse, in the store and as many on the writer waiting for
// room: ~1 MiB at 2 KiB each, 8 MiB at most (CaptureRecord::kMaxRecycledBytes each).
constexpr std::size_t kMaxSpareBuffers = 256;

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
    s.sample = e.notes.startsWith(QLatin1StringView(kSampleNote));
    s.protocol = e.protocol;
    s.grpcService = e.grpcService;
    s.grpcMethod = e.grpcMethod;
    s.grpcStatus = e.grpcStatus;
    s.proxied = e.proxied;
    return s;
}

QString protocolName(QStringView v)
{
    const QString lower = v.trimmed().toString().toLower();
    if (lower == u"http/2" || lower == u"http/2.0" || lower == u"h2" || lower == u"h2c")
        return QStringLiteral("HTTP/2");
    if (lower == u"http/1.1" || lower == u"http/1.0" || lower == u"http/1" || lower == u"http/1.x")
        return QStringLiteral("HTTP/1.1");
    return {};
}

CaptureStore::CaptureStore(CaptureOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_maxBodyBytes(m_options.maxBodyBytes)
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

CaptureOptions CaptureStore::options() const
{
    QMutexLocker lock(&m_mutex);
    return m_options;
}

void CaptureStore::reconfigure(const CaptureOptions &options)
{
    QMutexLocker lock(&m_mutex);
    m_options.redactHeaders = options.redactHeaders;
    m_options.redactQueryParameters = options.redactQueryParameters;
    m_options.maxBodyBytes = options.maxBodyBytes;
    m_options.maxExchanges = options.maxExchanges;
    m_options.maxAge = options.maxAge;
    m_maxBodyBytes.store(options.maxBodyBytes, std::memory_order_relaxed);
    m_reconfigured = true;
}

qint64 CaptureStore::submit(Exchange &&e)
{
    return submit(CaptureRecord::fromExchange(e, m_maxBodyBytes.load(std::memory_order_relaxed)));
}

qint64 CaptureStore::submit(CaptureRecord &&r)
{
    if (m_replayCount.load(std::memory_order_relaxed) == 0 && !m_marksSamples.load(std::memory_order_relaxed))
        return enqueue(std::move(r));
    markSample(r);
    const QByteArray replay = claimReplay(r);
    const qint64 id = enqueue(std::move(r));
    if (!replay.isEmpty())
        Q_EMIT replayCaptured(replay, id);
    return id;
}

void CaptureStore::expectReplay(const QByteArray &requestId, const QString &notes)
{
    if (requestId.isEmpty())
        return;
    QMutexLocker lock(&m_replayMutex);
    m_replays.insert(requestId, notes);
    m_replayCount.store(int(m_replays.size()), std::memory_order_relaxed);
}

void CaptureStore::forgetReplay(const QByteArray &requestId)
{
    QMutexLocker lock(&m_replayMutex);
    m_replays.remove(requestId);
    m_replayCount.store(int(m_replays.size()), std::memory_order_relaxed);
}

namespace {

// The first value of a field in a head block ("\nName: value\n...", as the client sent it).
QByteArray headField(QByteArrayView head, QByteArrayView name)
{
    QByteArray found;
    bool seen = false;
    schema::forEachHeadLine(head, [&](QByteArrayView field, QByteArrayView value) {
        if (!seen && field.compare(name, Qt::CaseInsensitive) == 0) {
            seen = true;
            found = value.trimmed().toByteArray();
        }
    });
    return found;
}

} // namespace

void CaptureStore::markSamples(const QByteArray &token)
{
    QMutexLocker lock(&m_replayMutex);
    m_sampleToken = token;
    m_marksSamples.store(!token.isEmpty(), std::memory_order_relaxed);
}

void CaptureStore::markSample(CaptureRecord &r)
{
    if (!m_marksSamples.load(std::memory_order_relaxed))
        return;
    const QByteArray token = headField(r.view(CaptureRecord::RequestHead), "x-portico-sample");
    if (token.isEmpty())
        return;
    {
        QMutexLocker lock(&m_replayMutex);
        if (token != m_sampleToken)
            return;
    }
    QString notes = QString::fromLatin1(kSampleNote);
    const QByteArrayView own = r.view(CaptureRecord::Notes);
    if (!own.isEmpty())
        notes += u'\n' + QString::fromUtf8(own);
    r.setText(CaptureRecord::Notes, notes);
}

QByteArray CaptureStore::claimReplay(CaptureRecord &r)
{
    const QByteArray requestId = headField(r.view(CaptureRecord::RequestHead), "x-request-id");
    if (requestId.isEmpty())
        return {};
    QString notes;
    {
        QMutexLocker lock(&m_replayMutex);
        const auto it = m_replays.constFind(requestId);
        if (it == m_replays.cend())
            return {};
        notes = *it;
        m_replays.erase(it);
        m_replayCount.store(int(m_replays.size()), std::memory_order_relaxed);
    }
    const QByteArrayView own = r.view(CaptureRecord::Notes);
    if (!own.isEmpty())
        notes += u'\n' + QString::fromUtf8(own);
    r.setText(CaptureRecord::Notes, notes);
    return requestId;
}

qint64 CaptureStore::enqueue(CaptureRecord &&r)
{
    // Past half of either bound the writer is falling behind: keep the row, lose the bodies,
    // so that metadata survives longer than payloads. At the bound the row goes too. The first
    // decision uses the bounds as last published, so that the record is rebuilt without its
    // bodies outside the lock; the hard bound is checked under it.
    const bool hasBodies = !r.isEmpty(CaptureRecord::RequestBody) || !r.isEmpty(CaptureRecord::ResponseBody);
    bool droppedBodies = false;
    if (hasBodies
        && (m_queuedRowsHint.load(std::memory_order_relaxed) >= m_options.maxQueuedRows / 2
            || m_queuedBytesHint.load(std::memory_order_relaxed) + r.heapBytes()
                > m_options.maxQueuedBytes / 2)) {
        r.dropBodies(QStringLiteral("bodies not stored: capture queue overloaded"));
        droppedBodies = true;
    }
    const qint64 size = r.heapBytes();
    QMutexLocker lock(&m_mutex);
    if (!m_thread || m_stop || m_failed) {
        m_droppedRows.fetch_add(1, std::memory_order_relaxed);
        return 0;
    }
    if (qint64(m_queue.size()) >= m_options.maxQueuedRows
        || m_queuedBytes + size > m_options.maxQueuedBytes) {
        lock.unlock();
        m_droppedRows.fetch_add(1, std::memory_order_relaxed);
        return 0;
    }
    if (r.n.id == 0)
        r.n.id = m_nextId.fetch_add(1, std::memory_order_relaxed);
    const qint64 id = r.n.id;
    // The only allocation under the lock is the queue growing, which stops once its capacity
    // covers the bound (the writer hands back an equally large vector).
    m_queue.push_back(std::move(r));
    if (!m_spareBuffers.empty() && CaptureRecord::wantsSpare()) {
        CaptureRecord::adoptSpare(std::move(m_spareBuffers.back()));
        m_spareBuffers.pop_back();
    }
    m_queuedBytes += size;
    m_queuedBytesHint.store(m_queuedBytes, std::memory_order_relaxed);
    m_queuedRowsHint.store(qint64(m_queue.size()), std::memory_order_relaxed);
    ++m_acceptedSeq;
    // One wake when a batch is ready; the writer takes everything queued when it runs.
    const bool wake = qint64(m_queue.size()) == m_options.batchRows;
    lock.unlock();
    if (droppedBodies)
        m_droppedBodies.fetch_add(1, std::memory_order_relaxed);
    if (wake)
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
    CaptureBatchWriter writer(options(), m_nextId);
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

    std::vector<CaptureRecord> batch;
    QList<ExchangeSummary> stored;
    std::vector<std::string> spares;
    const auto sliceRows = size_t(std::max(1, m_options.batchRows));
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
            // A new policy applies to everything taken from here on, which includes every
            // exchange submitted after reconfigure() returned.
            if (m_reconfigured) {
                writer.setPolicy(m_options);
                m_reconfigured = false;
            }
            batch.swap(m_queue);
            m_queuedBytes = 0;
            m_queuedBytesHint.store(0, std::memory_order_relaxed);
            m_queuedRowsHint.store(0, std::memory_order_relaxed);
            m_flushRequested = false;
            stop = m_stop;
        }

        QString error;
        const auto count = quint64(batch.size());
        // Summaries only for someone listening (the GUI's live view, replay); nobody in `serve`.
        const bool announce = isSignalConnected(QMetaMethod::fromSignal(&CaptureStore::exchangesStored));
        // Write in slices so that one transaction never grows past a batch's worth.
        bool ok = true;
        for (size_t from = 0; from < batch.size() && ok;) {
            const size_t to = std::min(batch.size(), from + sliceRows);
            ok = writer.write(batch.data() + from, batch.data() + to, announce ? &stored : nullptr, &error);
            if (ok) {
                m_storedRows.fetch_add(to - from, std::memory_order_relaxed);
                if (announce)
                    Q_EMIT exchangesStored(stored);
            } else {
                m_droppedRows.fetch_add(batch.size() - from, std::memory_order_relaxed);
            }
            from = to;
        }
        stored.clear();
        for (CaptureRecord &r : batch) {
            if (spares.size() == kMaxSpareBuffers)
                break;
            std::string buffer = r.releaseBuffer();
            if (buffer.capacity() <= CaptureRecord::kMaxRecycledBytes)
                spares.push_back(std::move(buffer));
        }
        batch.clear();
        // After a burst, give the memory back: the queue's capacity shrinks to a few batches and
        // the allocator returns freed pages to the system, so RSS follows the load down.
        if (batch.capacity() > 4 * sliceRows) {
            std::vector<CaptureRecord>().swap(batch);
            batch.reserve(sliceRows);
        }
        if (count >= 2 * sliceRows)
            m_trimPending = true;
        if (m_trimPending && count < sliceRows) {
            m_trimPending = false;
#if defined(__GLIBC__)
            malloc_trim(0);
#endif
        }
        if (ok)
            writer.prune(&error);
        if (!error.isEmpty()) {
            qWarning("%s", qPrintable(error));
            Q_EMIT writeFailed(error);
        }

        QMutexLocker lock(&m_mutex);
        while (!spares.empty() && m_spareBuffers.size() < kMaxSpareBuffers) {
            m_spareBuffers.push_back(std::move(spares.back()));
            spares.pop_back();
        }
        m_doneSeq += count;
        if (!error.isEmpty())
            m_error = error;
        m_written.wakeAll();
        if (stop && m_queue.empty())
            return;
    }
}

} // namespace portico::capture
