// bench_capture_writer: submits exchanges shaped like tests/bench/run.sh's (GET, 12 request
// headers, 6 response headers, a ~1.1 KiB JSON response body that differs per exchange, no
// request body) to a real CaptureStore on a temporary SQLite file, from 1-2 producer threads,
// and reports what the writer sustained and the CPU (user + system) per exchange of each thread.
//
//   bench_capture_writer [--count N] [--producers P] [--rate R] [--db FILE [--append]] [--queue-mib M]
//                        [--retention ROWS] [--body json|same|x] [--no-share]
//
// --body json (default): a different realistic JSON document per exchange (VariedJson.h); same:
// one such document for every exchange (an API answering the same thing, as run.sh's upstream
// does); x: 1 KiB of 'x' (the figure of earlier rounds; flatters any compression).
// --no-share stores every body inline (identical bodies not stored once: the layout before
// schema version 8), for a paired before/after in one build.
// --rate paces the producers at R exchanges/s in total (0 = as fast as they can): a run at a
// proxy-like rate checks that nothing is dropped there; a flat-out run shows the writer's ceiling
// (submits beyond what the queue holds are dropped and counted, as in the proxy).

#include "VariedJson.h"

#include "core/capture/CaptureStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QThread>

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <thread>
#include <vector>

using namespace portico::capture;

namespace {

qint64 monoNs()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

long rssKiB()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.size() > 1 ? parts[1].toLong() * 4 : 0;
}

double ownThreadCpuSeconds()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

double processCpuSeconds()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
        + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds (user + system) of this process's threads named `name`.
double threadCpuSeconds(const QByteArray &name)
{
    double total = 0;
    const QStringList tids
        = QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &tid : tids) {
        QFile comm(QStringLiteral("/proc/self/task/%1/comm").arg(tid));
        if (!comm.open(QIODevice::ReadOnly) || comm.readAll().trimmed() != name)
            continue;
        QFile stat(QStringLiteral("/proc/self/task/%1/stat").arg(tid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray line = stat.readAll();
        // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
        const QList<QByteArray> f = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (f.size() > 12)
            total += double(f[11].toLongLong() + f[12].toLongLong()) / double(sysconf(_SC_CLK_TCK));
    }
    return total;
}

long peakRssKiB()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

// What the pipeline's ExchangeRecorder builds for the bench's `GET /` through a 1 KiB nginx upstream.
Exchange makeExchange(qint64 n, const QByteArray &body)
{
    Exchange e;
    e.startedAt = QDateTime::currentDateTimeUtc();
    e.clientAddress = QStringLiteral("127.0.0.1");
    e.method = QStringLiteral("GET");
    e.scheme = QStringLiteral("http");
    e.host = QStringLiteral("127.0.0.1");
    e.path = QStringLiteral("/");
    e.url = QStringLiteral("http://127.0.0.1:18084/");
    e.status = 200;
    e.route = QStringLiteral("all");
    e.upstream = QStringLiteral("up");
    e.upstreamTarget = QStringLiteral("http://127.0.0.1:18081");
    // Random ids, as the proxy starts a trace per request: they land all over the trace index.
    QRandomGenerator64 &rng = *QRandomGenerator64::global();
    e.traceId = QStringLiteral("%1%2")
                    .arg(rng.generate(), 16, 16, QLatin1Char('0'))
                    .arg(rng.generate(), 16, 16, QLatin1Char('0'));
    e.spanId = QStringLiteral("%1").arg(rng.generate(), 16, 16, QLatin1Char('0'));
    (void)n;
    e.requestHeaders = { { "Host", "127.0.0.1:18084" }, { "User-Agent", "wrk/4.2.0" }, { "Accept", "*/*" },
        { "Accept-Encoding", "gzip, deflate" }, { "Accept-Language", "en-US,en;q=0.9" },
        { "Connection", "keep-alive" }, { "Cache-Control", "no-cache" },
        { "X-Request-Id", QByteArray::number(n) }, { "X-Forwarded-For", "127.0.0.1" },
        { "X-Forwarded-Proto", "http" },
        { "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
        { "Authorization", "Bearer abcdef0123456789" } };
    e.responseHeaders = { { "Server", "nginx/1.22.1" }, { "Date", "Sat, 28 Nov 2026 07:00:00 GMT" },
        { "Content-Type", "application/json" }, { "Content-Length", QByteArray::number(body.size()) },
        { "Connection", "keep-alive" }, { "X-Request-Id", QByteArray::number(n) } };
    e.responseBody = body; // shared, like a body slice the proxy already holds
    e.responseBody.detach();
    e.responseBodySize = body.size();
    e.requestBytes = 260;
    e.responseBytes = 1200;
    e.timings = { 40, 120, 600, 700 };
    return e;
}

struct ProducerResult
{
    qint64 submitted = 0;
    qint64 accepted = 0;
    qint64 submitNs = 0;
    qint64 maxSubmitNs = 0;
    double cpuSeconds = 0; // the producer thread's user + system time, building exchanges included
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qint64 count = 500'000;
    int producers = 1;
    double rate = 0;
    QString dbPath;
    qint64 queueMiB = -1;
    qint64 retention = 0;
    bool append = false;
    QString bodyKind = QStringLiteral("json");
    QStringList args = app.arguments();
    const bool share = args.removeAll(QStringLiteral("--no-share")) == 0;
    if (args.removeAll(QStringLiteral("--append")) > 0)
        append = true; // keep an existing --db (e.g. to measure a changed schema by hand)
    for (int i = 1; i + 1 < args.size(); i += 2) {
        const QString &k = args[i];
        const QString &v = args[i + 1];
        if (k == u"--count")
            count = v.toLongLong();
        else if (k == u"--producers")
            producers = std::clamp(v.toInt(), 1, 8);
        else if (k == u"--rate")
            rate = v.toDouble();
        else if (k == u"--db")
            dbPath = v;
        else if (k == u"--retention")
            retention = v.toLongLong(); // keep at most this many rows: measures steady-state pruning
        else if (k == u"--queue-mib")
            queueMiB = v.toLongLong();
        else if (k == u"--body" && (v == u"json" || v == u"same" || v == u"x"))
            bodyKind = v;
        else {
            std::fprintf(stderr, "unknown option %s\n", qPrintable(k));
            return 2;
        }
    }
    QTemporaryDir dir;
    if (dbPath.isEmpty())
        dbPath = dir.filePath(QStringLiteral("bench.db"));
    else if (!append)
        QFile::remove(dbPath);

    CaptureOptions o;
    o.databasePath = dbPath;
    o.maxBodyBytes = 1024;
    o.maxExchanges = retention;
    o.shareBodies = share; // 0: no pruning, the writer's insert cost alone
    if (queueMiB >= 0)
        o.maxQueuedBytes = queueMiB * 1024 * 1024;
    CaptureStore store(o);
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "cannot open %s: %s\n", qPrintable(dbPath), qPrintable(error));
        return 2;
    }
    const long rssBefore = rssKiB();
    // json: each exchange's own document, made by its producer (that time counts as the
    // producer's, not the capture's); same and x: one body for all.
    const QByteArray body
        = bodyKind == u"x" ? QByteArray(1024, 'x') : QByteArray::fromStdString(portico::bench::variedJson(0));
    const bool unique = bodyKind == u"json";
    const double processCpu0 = processCpuSeconds();
    std::vector<ProducerResult> results(static_cast<size_t>(producers));
    std::vector<std::thread> threads;
    const qint64 start = monoNs();
    for (int p = 0; p < producers; ++p) {
        threads.emplace_back([&, p] {
            ProducerResult &r = results[size_t(p)];
            const qint64 mine = count / producers + (p < count % producers ? 1 : 0);
            const double perNs = rate > 0 ? rate / producers / 1e9 : 0;
            for (qint64 i = 0; i < mine; ++i) {
                if (perNs > 0) {
                    const qint64 due = start + qint64(double(i) / perNs);
                    // Sleep, never spin: the writer needs the CPU a spinning producer would take.
                    const qint64 wait = due - monoNs();
                    if (wait > 50'000)
                        std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
                }
                const qint64 n = i * producers + p;
                Exchange e = makeExchange(
                    n, unique ? QByteArray::fromStdString(portico::bench::variedJson(quint64(n))) : body);
                const qint64 t0 = monoNs();
                const bool ok = store.submit(std::move(e)) != 0;
                const qint64 dt = monoNs() - t0;
                r.submitNs += dt;
                r.maxSubmitNs = std::max(r.maxSubmitNs, dt);
                ++r.submitted;
                r.accepted += ok ? 1 : 0;
            }
            r.cpuSeconds = ownThreadCpuSeconds();
        });
    }
    for (auto &t : threads)
        t.join();
    const qint64 submittedAt = monoNs();
    const long rssAfterSubmit = rssKiB();
    store.flush();
    const qint64 end = monoNs();
    const long rssAfterFlush = rssKiB();
    // The writer gives memory back on its first quiet cycle after a burst (batch interval 50 ms).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const long rssIdle = rssKiB();
    const double writerCpu = threadCpuSeconds("capture-writer");
    const double checkpointCpu = threadCpuSeconds("capture-ckpt");
    const double processCpu = processCpuSeconds() - processCpu0;

    ProducerResult total;
    for (const auto &r : results) {
        total.submitted += r.submitted;
        total.accepted += r.accepted;
        total.submitNs += r.submitNs;
        total.maxSubmitNs = std::max(total.maxSubmitNs, r.maxSubmitNs);
        total.cpuSeconds += r.cpuSeconds;
    }
    const double seconds = double(end - start) / 1e9;
    std::printf("exchanges submitted   %lld by %d producer(s)%s\n", total.submitted, producers,
        rate > 0 ? qPrintable(QStringLiteral(" paced at %1/s").arg(rate)) : " flat out");
    std::printf("submit phase          %.2f s (%.0f submits/s offered)\n", double(submittedAt - start) / 1e9,
        double(total.submitted) / (double(submittedAt - start) / 1e9));
    std::printf("rows committed        %llu in %.2f s = %.0f rows/s sustained\n",
        static_cast<unsigned long long>(store.storedRows()), seconds, double(store.storedRows()) / seconds);
    std::printf(
        "writer CPU            %.2f s = %.1f us per row (%.0f rows per CPU-second); checkpoints %.2f s\n",
        writerCpu, writerCpu * 1e6 / double(std::max<quint64>(1, store.storedRows())),
        double(store.storedRows()) / std::max(1e-9, writerCpu), checkpointCpu);
    const double rowsStored = double(std::max<quint64>(1, store.storedRows()));
    std::printf(
        "CPU per exchange      writer %.2f us + checkpointer %.2f us = capture %.2f us; producers %.2f us "
        "(building the exchange and submit()); whole process %.2f us (user + system, %s body of %lld "
        "bytes, bodies %s)\n",
        writerCpu * 1e6 / rowsStored, checkpointCpu * 1e6 / rowsStored,
        (writerCpu + checkpointCpu) * 1e6 / rowsStored,
        total.cpuSeconds * 1e6 / double(std::max<qint64>(1, total.submitted)), processCpu * 1e6 / rowsStored,
        qPrintable(bodyKind), static_cast<long long>(body.size()),
        share ? "stored once when repeated" : "all inline");
    std::printf("dropped               %llu rows, %llu bodies\n",
        static_cast<unsigned long long>(store.droppedRows()),
        static_cast<unsigned long long>(store.droppedBodies()));
    std::printf("submit() cost         %.0f ns mean, %.1f us max (producer thread)\n",
        double(total.submitNs) / double(std::max<qint64>(1, total.submitted)),
        double(total.maxSubmitNs) / 1e3);
    std::printf(
        "RSS                   %.1f MB before, %.1f MB after submits, %.1f MB after flush, %.1f MB idle "
        "0.3 s later, %.1f MB peak\n",
        rssBefore / 1024.0, rssAfterSubmit / 1024.0, rssAfterFlush / 1024.0, rssIdle / 1024.0,
        peakRssKiB() / 1024.0);
    store.close();
    std::printf("database              %.1f MB (+ WAL %.1f MB)\n", QFile(dbPath).size() / 1048576.0,
        QFile(dbPath + QStringLiteral("-wal")).size() / 1048576.0);
    return store.storedRows() + store.droppedRows() == quint64(total.submitted) ? 0 : 1;
}
