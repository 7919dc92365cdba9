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

// A line is written through a raw cursor into space reserved up front (AccessLog::format):
// appending byte by byte through QByteArray was most of the log thread's time at proxy rates.
// Worst cases: a byte escapes to 6 ("\u001f"); a UTF-16 unit becomes at most 3 UTF-8 bytes.
constexpr qsizetype kEscapedPerByte = 6;

template<std::size_t N> char *put(char *p, const char (&literal)[N])
{
    std::memcpy(p, literal, N - 1);
    return p + N - 1;
}

// One byte of a JSON string per RFC 8259: quote, backslash and control characters escaped.
char *putEscaped(char *p, unsigned char u)
{
    static constexpr char kHex[] = "0123456789abcdef";
    if (u == '"' || u == '\\') {
        *p++ = '\\';
        *p++ = char(u);
    } else if (u < 0x20) {
        *p++ = '\\';
        switch (u) {
        case '\n':
            *p++ = 'n';
            break;
        case '\r':
            *p++ = 'r';
            break;
        case '\t':
            *p++ = 't';
            break;
        default:
            p = put(p, "u00");
            *p++ = kHex[u >> 4];
            *p++ = kHex[u & 0xf];
        }
    } else {
        *p++ = char(u);
    }
    return p;
}

char *putJsonString(char *p, QByteArrayView utf8)
{
    *p++ = '"';
    // Runs of bytes that need no escape (nearly all of them) are copied whole.
    const char *s = utf8.data();
    const char *const end = s + utf8.size();
    while (s < end) {
        const char *run = s;
        while (s < end && static_cast<unsigned char>(*s) >= 0x20 && *s != '"' && *s != '\\')
            ++s;
        std::memcpy(p, run, size_t(s - run));
        p += s - run;
        if (s < end)
            p = putEscaped(p, static_cast<unsigned char>(*s++));
    }
    *p++ = '"';
    return p;
}

char *putTextOrNull(char *p, const QString &s)
{
    if (s.isEmpty())
        return put(p, "null");
    if (std::any_of(s.cbegin(), s.cend(), [](QChar c) { return c.unicode() >= 0x80; }))
        return putJsonString(p, s.toUtf8());
    *p++ = '"';
    for (const QChar c : s)
        p = putEscaped(p, static_cast<unsigned char>(c.unicode()));
    *p++ = '"';
    return p;
}

// Bytes from the request line (method, path, ids): ASCII nearly always; anything else is made
// valid UTF-8 first (invalid sequences become U+FFFD), so that every line stays valid JSON.
char *putBytesOrNull(char *p, const QByteArray &s)
{
    if (s.isEmpty())
        return put(p, "null");
    if (std::all_of(s.cbegin(), s.cend(), [](char c) { return uchar(c) < 0x80; }))
        return putJsonString(p, s);
    const QByteArray valid = QString::fromUtf8(s).toUtf8(); // at most 3 bytes per input byte
    return putJsonString(p, valid);
}

char *putDigits(char *p, qint64 v, int width = 1)
{
    char buf[24];
    int n = 0;
    const bool negative = v < 0;
    quint64 u = negative ? quint64(0) - quint64(v) : quint64(v);
    do {
        buf[n++] = char('0' + u % 10);
        u /= 10;
    } while (u > 0 || n < width);
    if (negative)
        *p++ = '-';
    while (n > 0)
        *p++ = buf[--n];
    return p;
}

// RFC 3339 UTC with milliseconds, e.g. 2026-11-28T07:08:54.693Z (what QDateTime::ISODateWithMs
// prints), without building a QDateTime per line.
char *putTimestamp(char *p, qint64 ms)
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
    *p++ = '"';
    p = putDigits(p, year, 4);
    *p++ = '-';
    p = putDigits(p, month, 2);
    *p++ = '-';
    p = putDigits(p, day, 2);
    *p++ = 'T';
    p = putDigits(p, msOfDay / 3600000, 2);
    *p++ = ':';
    p = putDigits(p, msOfDay / 60000 % 60, 2);
    *p++ = ':';
    p = putDigits(p, msOfDay / 1000 % 60, 2);
    *p++ = '.';
    p = putDigits(p, msOfDay % 1000, 3);
    return put(p, "Z\"");
}

// A ",\"key\":" literal and its value: text and request bytes as JSON strings (null when
// empty), numbers as digits.
template<std::size_t N> char *putField(char *p, const char (&key)[N], const QString &value)
{
    return putTextOrNull(put(p, key), value);
}

template<std::size_t N> char *putField(char *p, const char (&key)[N], const QByteArray &value)
{
    return putBytesOrNull(put(p, key), value);
}

template<std::size_t N> char *putField(char *p, const char (&key)[N], qint64 value)
{
    return putDigits(put(p, key), value);
}

} // namespace

// Formats by hand into `out`: the log is written for every exchange, and building a QJsonObject
// per line cost more CPU than proxying the request. The space for the longest possible line is
// reserved first, then filled through a pointer, then the unused tail is cut.
void AccessLog::format(const Entry &e, QByteArray &out)
{
    const qsizetype variable = e.method.size() + e.path.size() + e.route.size() + e.consumer.size()
        + e.upstream.size() + e.traceId.size() + e.spanId.size() + e.requestId.size() + e.client.size()
        + e.error.size();
    const qsizetype at = out.size();
    out.resize(at + 512 + kEscapedPerByte * variable); // 512 > keys, numbers and punctuation
    char *p = out.data() + at;
    p = put(p, "{\"time\":");
    p = putTimestamp(p, e.startedAtMs);
    p = putField(p, ",\"method\":", e.method);
    p = putField(p, ",\"path\":", e.path);
    p = putField(p, ",\"status\":", qint64(e.status));
    p = put(p, ",\"duration_ms\":");
    if (e.durationUs >= 0) {
        p = putDigits(p, e.durationUs / 1000);
        *p++ = '.';
        p = putDigits(p, e.durationUs % 1000, 3);
    } else {
        p = put(p, "null");
    }
    p = putField(p, ",\"route\":", e.route);
    p = putField(p, ",\"consumer\":", e.consumer);
    p = putField(p, ",\"upstream\":", e.upstream);
    p = putField(p, ",\"trace_id\":", e.traceId);
    p = putField(p, ",\"span_id\":", e.spanId);
    p = putField(p, ",\"request_id\":", e.requestId);
    p = putField(p, ",\"bytes\":", e.bytes);
    p = putField(p, ",\"client\":", e.client);
    p = putField(p, ",\"error\":", e.error);
    p = put(p, "}\n");
    out.resize(p - out.constData());
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
