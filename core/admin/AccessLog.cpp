#include "core/admin/AccessLog.h"

#include "core/capture/Exchange.h"
#include "core/capture/ExchangeJson.h"

#include <QFile>
#include <QDeadlineTimer>
#include <QMutexLocker>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace portico::admin {

namespace {

// Writes up to this size are atomic on a pipe, so log lines never interleave mid-line with other
// lines the process prints to the same standard output (`listening on ...` after a reload).
constexpr qsizetype kAtomicWrite = PIPE_BUF;

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

void AccessLog::exchangeFinished(const capture::Exchange &x, const Request &request)
{
    if (m_fd < 0)
        return;
    Entry e;
    e.startedAtMs = x.startedAt.toMSecsSinceEpoch();
    e.method = request.method;
    e.path = request.path;
    e.status = x.status;
    e.durationUs = x.durationUs();
    e.route = x.route;
    e.consumer = x.consumer;
    e.upstream = x.upstream;
    e.traceId = request.traceId;
    e.spanId = request.spanId;
    e.requestId = request.requestId;
    e.bytes = x.responseBytes;
    e.client = request.clientAddress;
    e.error = x.error;
    QMutexLocker lock(&m_mutex);
    if (int(m_queue.size()) >= kMaxQueued) {
        m_dropped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    m_queue.push_back(std::move(e));
    ++m_queuedSeq;
    // The writer wakes on its own every kWriterTick; waking it per line would cost a futex call
    // and a context switch per request. Only a filling queue calls it early.
    if (m_queue.size() == kWakeAt)
        m_wake.wakeOne();
}

namespace {

// JSON string escaping per RFC 8259: quote, backslash and control characters; everything else is
// copied as UTF-8.
void appendJsonString(QByteArray &out, QByteArrayView utf8)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (const char c : utf8) {
        const auto u = static_cast<unsigned char>(c);
        if (u == '"' || u == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            switch (u) {
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                out += "\\u00";
                out += kHex[u >> 4];
                out += kHex[u & 0xf];
            }
        } else {
            out += c;
        }
    }
    out += '"';
}

void appendTextOrNull(QByteArray &out, const QString &s)
{
    if (s.isEmpty())
        out += "null";
    else
        appendJsonString(out, s.toUtf8());
}

// Bytes from the request line (method, path, ids): ASCII nearly always; anything else is made
// valid UTF-8 first (invalid sequences become U+FFFD), so that every line stays valid JSON.
void appendBytesOrNull(QByteArray &out, const QByteArray &s)
{
    if (s.isEmpty())
        out += "null";
    else if (std::all_of(s.cbegin(), s.cend(), [](char c) { return uchar(c) < 0x80; }))
        appendJsonString(out, s);
    else
        appendJsonString(out, QString::fromUtf8(s).toUtf8());
}

void appendLatin1OrNull(QByteArray &out, const QByteArray &s)
{
    if (s.isEmpty())
        out += "null";
    else
        appendJsonString(out, s);
}

void appendDigits(QByteArray &out, qint64 v, int width)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = char('0' + v % 10);
        v /= 10;
    } while (v > 0 || n < width);
    while (n > 0)
        out += buf[--n];
}

// RFC 3339 UTC with milliseconds, e.g. 2026-11-28T07:08:54.693Z (what QDateTime::ISODateWithMs
// prints), without building a QDateTime per line.
void appendTimestamp(QByteArray &out, qint64 ms)
{
    qint64 days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
    qint64 msOfDay = ms - days * 86400000;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    days += 719468;
    const qint64 era = (days >= 0 ? days : days - 146096) / 146097;
    const qint64 doe = days - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const qint64 day = doy - (153 * mp + 2) / 5 + 1;
    const qint64 month = mp < 10 ? mp + 3 : mp - 9;
    const qint64 year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    out += '"';
    appendDigits(out, year, 4);
    out += '-';
    appendDigits(out, month, 2);
    out += '-';
    appendDigits(out, day, 2);
    out += 'T';
    appendDigits(out, msOfDay / 3600000, 2);
    out += ':';
    appendDigits(out, msOfDay / 60000 % 60, 2);
    out += ':';
    appendDigits(out, msOfDay / 1000 % 60, 2);
    out += '.';
    appendDigits(out, msOfDay % 1000, 3);
    out += "Z\"";
}

} // namespace

// Formats by hand into `out`: the log is written for every exchange, and building a QJsonObject
// per line cost more CPU than proxying the request.
void AccessLog::format(const Entry &e, QByteArray &out)
{
    const auto key = [&out](const char *name) {
        out += ",\"";
        out += name;
        out += "\":";
    };
    const auto text = [&](const char *name, const QString &value) {
        key(name);
        appendTextOrNull(out, value);
    };
    const auto bytes = [&](const char *name, const QByteArray &value) {
        key(name);
        appendBytesOrNull(out, value);
    };
    out += "{\"time\":";
    appendTimestamp(out, e.startedAtMs);
    bytes("method", e.method);
    bytes("path", e.path);
    key("status");
    out += QByteArray::number(e.status);
    key("duration_ms");
    if (e.durationUs >= 0) {
        appendDigits(out, e.durationUs / 1000, 1);
        out += '.';
        appendDigits(out, e.durationUs % 1000, 3);
    } else {
        out += "null";
    }
    text("route", e.route);
    text("consumer", e.consumer);
    text("upstream", e.upstream);
    bytes("trace_id", e.traceId);
    bytes("span_id", e.spanId);
    key("request_id");
    appendLatin1OrNull(out, e.requestId);
    key("bytes");
    out += QByteArray::number(e.bytes);
    bytes("client", e.client);
    text("error", e.error);
    out += "}\n";
}

void AccessLog::writeAll(QByteArrayView data)
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
    struct stat st {};
    // Writes up to PIPE_BUF are atomic on a pipe, so log lines never interleave mid-line with
    // other lines the process prints to the same pipe (`listening on ...` after a reload). Files
    // and terminals take bigger writes.
    const qsizetype maxWrite = (::fstat(m_fd, &st) == 0 && S_ISFIFO(st.st_mode)) ? kAtomicWrite : 64 * 1024;
    std::vector<Entry> batch;
    QByteArray chunk;
    chunk.reserve(maxWrite + 1024);
    for (;;) {
        {
            QMutexLocker lock(&m_mutex);
            if (m_queue.empty() && !m_stop && !m_flushRequested)
                m_wake.wait(&m_mutex, QDeadlineTimer(kWriterTick));
            m_flushRequested = false;
            if (m_queue.empty() && m_stop)
                return;
            batch.swap(m_queue);
        }
        for (const Entry &e : batch) {
            const qsizetype before = chunk.size();
            format(e, chunk);
            if (chunk.size() > maxWrite && before > 0) {
                writeAll(QByteArrayView(chunk.constData(), before));
                chunk.remove(0, before);
            }
        }
        if (!chunk.isEmpty()) {
            writeAll(chunk);
            chunk.resize(0);
        }
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
    m_flushRequested = true;
    m_wake.wakeOne();
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
