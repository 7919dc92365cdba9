#include "core/admin/AccessLog.h"

#include "core/capture/Exchange.h"
#include "core/capture/ExchangeJson.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace portico::admin {

namespace {

// Writes up to this size are atomic on a pipe, so log lines never interleave mid-line with other
// lines the process prints to the same standard output (`listening on ...` after a reload).
constexpr qsizetype kAtomicWrite = PIPE_BUF;

QJsonValue textOrNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

} // namespace

AccessLog::AccessLog() = default;

AccessLog::~AccessLog()
{
    stop();
    if (m_ownsFd && m_fd >= 0)
        ::close(m_fd);
}

bool AccessLog::open(const QString &destination, QString *error)
{
    if (m_fd >= 0) {
        if (error)
            *error = QStringLiteral("the access log is already open");
        return false;
    }
    if (destination == u"-") {
        m_fd = STDOUT_FILENO;
        m_ownsFd = false;
    } else {
        m_fd = ::open(
            QFile::encodeName(destination).constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (m_fd < 0) {
            if (error)
                *error = QStringLiteral("cannot open %1: %2")
                             .arg(destination, QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        m_ownsFd = true;
    }
    m_thread = std::thread([this] { writerLoop(); });
    return true;
}

void AccessLog::exchangeFinished(const capture::Exchange &x, const QByteArray &requestId)
{
    if (m_fd < 0)
        return;
    Entry e;
    e.startedAtMs = x.startedAt.toMSecsSinceEpoch();
    e.method = x.method;
    e.path = x.path;
    e.status = x.status;
    e.durationUs = x.durationUs();
    e.route = x.route;
    e.consumer = x.consumer;
    e.upstream = x.upstream;
    e.traceId = x.traceId;
    e.spanId = x.spanId;
    e.requestId = requestId;
    e.bytes = x.responseBytes;
    e.client = x.clientAddress;
    e.error = x.error;
    QMutexLocker lock(&m_mutex);
    if (int(m_queue.size()) >= kMaxQueued) {
        m_dropped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    m_queue.push_back(std::move(e));
    ++m_queuedSeq;
    if (m_queue.size() == 1)
        m_wake.wakeOne();
}

QByteArray AccessLog::format(const Entry &e)
{
    QJsonObject o;
    o.insert(QStringLiteral("time"), capture::rfc3339(e.startedAtMs));
    o.insert(QStringLiteral("method"), e.method);
    o.insert(QStringLiteral("path"), e.path);
    o.insert(QStringLiteral("status"), e.status);
    o.insert(QStringLiteral("duration_ms"),
        e.durationUs >= 0 ? QJsonValue(double(e.durationUs) / 1000.0) : QJsonValue(QJsonValue::Null));
    o.insert(QStringLiteral("route"), textOrNull(e.route));
    o.insert(QStringLiteral("consumer"), textOrNull(e.consumer));
    o.insert(QStringLiteral("upstream"), textOrNull(e.upstream));
    o.insert(QStringLiteral("trace_id"), textOrNull(e.traceId));
    o.insert(QStringLiteral("span_id"), textOrNull(e.spanId));
    o.insert(QStringLiteral("request_id"), textOrNull(QString::fromLatin1(e.requestId)));
    o.insert(QStringLiteral("bytes"), e.bytes);
    o.insert(QStringLiteral("client"), textOrNull(e.client));
    o.insert(QStringLiteral("error"), textOrNull(e.error));
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

void AccessLog::writeAll(const QByteArray &data)
{
    const char *p = data.constData();
    qsizetype left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(m_fd, p, size_t(left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; // a closed stdout or a full disk: the log is best effort, the proxy goes on
        }
        p += n;
        left -= n;
    }
}

void AccessLog::writerLoop()
{
    std::vector<Entry> batch;
    for (;;) {
        {
            QMutexLocker lock(&m_mutex);
            while (m_queue.empty() && !m_stop)
                m_wake.wait(&m_mutex);
            if (m_queue.empty() && m_stop)
                return;
            batch.swap(m_queue);
        }
        QByteArray chunk;
        for (const Entry &e : batch) {
            const QByteArray line = format(e);
            if (!chunk.isEmpty() && chunk.size() + line.size() > kAtomicWrite) {
                writeAll(chunk);
                chunk.clear();
            }
            chunk += line;
        }
        if (!chunk.isEmpty())
            writeAll(chunk);
        m_written.fetch_add(batch.size(), std::memory_order_relaxed);
        {
            QMutexLocker lock(&m_mutex);
            m_writtenSeq += batch.size();
            m_done.wakeAll();
        }
        batch.clear();
    }
}

void AccessLog::exportMetrics(MetricsRegistry &metrics) const
{
    metrics.gauge(
        "portico_access_log_lines_total", "Access log lines written.", [this] { return double(written()); },
        "counter");
    metrics.gauge(
        "portico_access_log_dropped_total", "Access log lines dropped because the writer fell behind.",
        [this] { return double(dropped()); }, "counter");
}

void AccessLog::flush()
{
    QMutexLocker lock(&m_mutex);
    if (!m_thread.joinable())
        return;
    const quint64 target = m_queuedSeq;
    while (m_writtenSeq < target)
        m_done.wait(&m_mutex);
}

void AccessLog::stop()
{
    if (!m_thread.joinable())
        return;
    {
        QMutexLocker lock(&m_mutex);
        m_stop = true;
        m_wake.wakeOne();
    }
    m_thread.join();
}

} // namespace portico::admin
