// bench_inspector: the targets for the traffic inspector, measured on the real widget.
//   bench_inspector [--db FILE] [--count N] [--rate R] [--seconds S] [--scroll-live R2]
// 1. Makes (or reuses) a capture database of N exchanges (default 1,000,000) with CaptureStore.
// 2. Opens the real TrafficPage on it, as the app does while the gateway runs (a CaptureStore
//    open on the same file), offscreen at 1280x800, and times: first real rows painted, scrolling
//    from the newest end to the oldest (scrollbar jumps and page steps), filters applied and
//    painted. The model reads on its own thread and shows placeholders until a page arrives, so
//    each step is timed to the rows on screen showing real data, and a 5 ms heartbeat on the UI
//    thread records every stall meanwhile.
// 3. Feeds R exchanges/s (default 5,000) for S seconds (default 12) from another thread through
//    CaptureStore::submit() while the inspector follows the live end, and records the largest
//    UI-thread stall with a 5 ms heartbeat timer, without and with a filter.
// Memory is read from /proc/self/status. Run with QT_QPA_PLATFORM=offscreen.

#include "InspectorProbe.h"

#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/SyntheticExchanges.h"
#include "ui/traffic/ExchangeDetails.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficPage.h"
#include "ui/traffic/TrafficTable.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QTest>
#include <QThread>

#include <atomic>
#include <cstdio>
#include <functional>

using namespace portico;

namespace {

struct Verdict
{
    QString target;
    QString measured;
    bool met;
};
QList<Verdict> g_verdicts;

void verdict(const QString &target, const QString &measured, bool met)
{
    g_verdicts << Verdict { target, measured, met };
}

bool ensureDatabase(const QString &path, qint64 count)
{
    if (QFileInfo::exists(path)) {
        capture::CaptureReader reader;
        if (reader.open(path) && reader.count() >= count) {
            std::printf("reusing %s (%lld exchanges)\n", qPrintable(path), reader.count());
            return true;
        }
        QFile::remove(path);
        QFile::remove(path + QStringLiteral("-wal"));
        QFile::remove(path + QStringLiteral("-shm"));
    }
    capture::CaptureOptions o;
    o.databasePath = path;
    o.batchRows = 5000;
    o.maxExchanges = 0;
    o.maxAge = std::chrono::milliseconds(0);
    // Every exchange must arrive: no overload shedding while the generator runs ahead.
    o.maxQueuedRows = 1'000'000;
    o.maxQueuedBytes = qint64(4) << 30;
    capture::CaptureStore store(o);
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "bench_inspector: %s\n", qPrintable(error));
        return false;
    }
    QRandomGenerator rng(42);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 span = qint64(7) * 24 * 3600 * 1000;
    QElapsedTimer t;
    t.start();
    for (qint64 i = 0; i < count; ++i) {
        store.submit(capture::syntheticExchange(rng, i, now - span + span * i / count));
        if (i % 20'000 == 19'999)
            store.flush();
    }
    store.close();
    if (store.droppedRows() > 0 || store.droppedBodies() > 0) {
        std::fprintf(stderr, "bench_inspector: the generator lost %llu rows and %llu bodies\n",
            static_cast<unsigned long long>(store.droppedRows()),
            static_cast<unsigned long long>(store.droppedBodies()));
        return false;
    }
    std::printf("generated %lld exchanges in %.1f s\n", count, double(t.elapsed()) / 1000.0);
    return true;
}

// The rows on screen show real data: the ids are in and every visible row's page has arrived
// from the model's reader thread (until then a row is a grey placeholder).
bool screenLoaded(ui::TrafficPage &page)
{
    const ui::TrafficModel *model = page.model();
    if (model->isLoading())
        return false;
    const ui::TrafficTable *table = page.table();
    const int top = table->rowAt(0);
    int bottom = table->rowAt(table->viewport()->height() - 1);
    if (top < 0)
        return true; // nothing to show
    if (bottom < 0)
        bottom = model->rowCount() - 1;
    for (int r = top; r <= bottom; ++r) {
        if (!model->isRowLoaded(r))
            return false;
    }
    return true;
}

// Runs the event loop (as the app does, so a StallMeter keeps ticking) until the screen shows
// real rows, `also` holds, or 20 s have passed; then paints what is still pending now, so the
// time includes the real rows drawn. False on the timeout.
bool waitForRows(ui::TrafficPage &page, const std::function<bool()> &also = {})
{
    // The event loop paints what changed, as in the app (no forced second paint of each step).
    QCoreApplication::processEvents();
    QElapsedTimer t;
    t.start();
    while (!(screenLoaded(page) && (!also || also())) && t.elapsed() < 20'000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
        QThread::usleep(200);
    }
    page.table()->viewport()->repaint();
    if (screenLoaded(page) && (!also || also()))
        return true;
    const ui::TrafficTable *table = page.table();
    std::fprintf(stderr,
        "bench_inspector: rows on screen (or details) not loaded after 20 s: loading %d, rows %d, on screen "
        "%d-%d, "
        "pages requested %d, cached %d\n",
        int(page.model()->isLoading()), page.model()->rowCount(), table->rowAt(0),
        table->rowAt(table->viewport()->height() - 1), page.model()->requestedPageCount(),
        page.model()->cachedPageCount());
    return false;
}

double ms(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

QString visibleText(ui::TrafficPage &page)
{
    const QModelIndex i = page.table()->indexAt(QPoint(4, 4));
    return i.isValid() ? page.model()->index(i.row(), ui::TrafficModel::Path).data().toString() : QString();
}

void measureOpen(ui::TrafficPage &page, capture::CaptureStore &store, const QString &path, qint64 count)
{
    QElapsedTimer t;
    t.start();
    page.setSource(&store, path);
    page.show();
    waitForRows(page);
    const double first = ms(t);
    std::printf("open: %d rows, first real rows painted in %.0f ms (top row path %s), RSS %.0f MiB\n",
        page.model()->rowCount(), first, qPrintable(visibleText(page)), rssMiB());
    verdict(QStringLiteral("inspector shows rows < 1 s"), QStringLiteral("%1 ms").arg(first, 0, 'f', 0),
        first < 1000 && page.model()->rowCount() >= count && !visibleText(page).isEmpty());
}

// Submits `rate` exchanges per second from its own thread, as the gateway's workers do.
class Producer final : public QThread
{
public:
    Producer(capture::CaptureStore *store, int rate, int seconds)
        : m_store(store)
        , m_rate(rate)
        , m_seconds(seconds)
    {
    }
    std::atomic<qint64> submitted { 0 };
    std::atomic<bool> stop { false };

protected:
    void run() override
    {
        QRandomGenerator rng(7);
        QElapsedTimer t;
        t.start();
        qint64 sent = 0;
        while (!stop && t.elapsed() < m_seconds * 1000) {
            const qint64 due = qint64(m_rate) * t.elapsed() / 1000;
            for (; sent < due; ++sent)
                m_store->submit(capture::syntheticExchange(rng, sent, QDateTime::currentMSecsSinceEpoch()));
            submitted = sent;
            QThread::msleep(2);
        }
    }

private:
    capture::CaptureStore *m_store;
    int m_rate;
    int m_seconds;
};

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v.at(v.size() / 2);
}

double p95(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v.at(v.size() * 95 / 100);
}

// Two things per scroll step: how long the UI thread was kept from its event loop (the stall a
// user sees: a frozen window), measured by a StallMeter over the whole phase, and how long
// until the rows on screen show real data instead of placeholders (read on the model's thread).
// With liveRate > 0 traffic arrives meanwhile (the writer commits, retention prunes the oldest
// rows, the checkpointer rewrites the file): the situation in which SQLite reads got slow.
void measureScroll(ui::TrafficPage &page, capture::CaptureStore &store, int liveRate)
{
    Producer producer(&store, liveRate, 3600);
    if (liveRate > 0) {
        producer.start();
        std::printf("scroll: while %d exchanges/s arrive\n", liveRate);
    }
    QScrollBar *bar = page.table()->verticalScrollBar();
    const int max = bar->maximum();
    StallMeter meter;
    meter.start();
    QList<double> jumps;
    int timeouts = 0;
    // Dragging the scrollbar from the newest end to the oldest: each position is a new page.
    constexpr int kJumps = 200;
    QElapsedTimer t;
    for (int i = 1; i <= kJumps; ++i) {
        t.start();
        bar->setValue(max - int(qint64(max) * i / kJumps));
        timeouts += waitForRows(page) ? 0 : 1;
        jumps << ms(t);
    }
    // The oldest rows may have been pruned by retention since the ids were read: they show as
    // empty rows, so only the position is checked.
    const bool atTop = bar->value() == 0;
    std::printf("scroll: %d scrollbar jumps newest -> oldest: real rows painted after median %.1f ms, p95 "
                "%.1f ms, worst %.1f ms; top row %s\n",
        kJumps, median(jumps), p95(jumps), *std::max_element(jumps.begin(), jumps.end()),
        qPrintable(visibleText(page)));
    // Paging through with the keyboard, as a user reading rows does: each step also shows the
    // current exchange in the details pane (read on the model's thread too).
    page.table()->setFocus();
    page.table()->setCurrentIndex(page.model()->index(0, 0));
    // The details pane has the answer for the current row (an exchange pruned by retention
    // since the ids were read is answered "gone": the pane is cleared).
    qint64 answered = 0;
    const QMetaObject::Connection answers = QObject::connect(
        page.model(), &ui::TrafficModel::exchangeLoaded, &page, [&answered](qint64 id) { answered = id; });
    const auto detailsShown = [&page, &answered] { return answered == page.table()->currentId(); };
    QList<double> steps;
    for (int i = 0; i < 300; ++i) {
        t.start();
        QTest::keyClick(page.table(), Qt::Key_PageDown);
        timeouts += waitForRows(page, detailsShown) ? 0 : 1;
        steps << ms(t);
    }
    t.start();
    QTest::keyClick(page.table(), Qt::Key_End, Qt::ControlModifier);
    timeouts += waitForRows(page, detailsShown) ? 0 : 1;
    const double toEnd = ms(t);
    meter.stop();
    QObject::disconnect(answers);
    producer.stop = true;
    producer.wait();
    std::printf(
        "scroll: 300 PageDown steps, real rows and details after median %.1f ms, p95 %.1f ms, worst "
        "%.1f ms; Ctrl+End to the newest row %.1f ms; %d step(s) not loaded within 20 s; RSS %.0f MiB\n",
        median(steps), p95(steps), *std::max_element(steps.begin(), steps.end()), toEnd, timeouts, rssMiB());
    std::printf(
        "scroll UI-thread stall: max %.1f ms (%.1f ms without CPU wait), p99 %.1f ms over %lld ticks\n",
        meter.maxMs(), meter.ownMaxMs(), meter.percentileMs(99), qint64(meter.ticks()));
    verdict(QStringLiteral("scroll to the end without a visible stall"),
        QStringLiteral("UI thread max %1 ms (%2 ms without CPU wait); real rows after <= %3 ms")
            .arg(meter.maxMs(), 0, 'f', 1)
            .arg(meter.ownMaxMs(), 0, 'f', 1)
            .arg(std::max({ *std::max_element(jumps.begin(), jumps.end()),
                     *std::max_element(steps.begin(), steps.end()), toEnd }),
                0, 'f', 0),
        atTop && timeouts == 0 && meter.maxMs() <= 50);
}

// A filter is applied when its rows are painted with real data; the UI thread is measured too
// (the ids are read on the model's thread: the window stays responsive meanwhile).
void measureFilters(ui::TrafficPage &page)
{
    double worst = 0;
    StallMeter meter;
    meter.start();
    for (const QString &filter : { QStringLiteral("status:5xx"), QStringLiteral("route:route-3"),
             QStringLiteral("status:>=400 route:route-3"), QStringLiteral("method:POST consumer:consumer-7"),
             QString() }) {
        QElapsedTimer t;
        t.start();
        const bool ok = page.applyFilter(filter);
        waitForRows(page);
        const double took = ms(t);
        worst = std::max(worst, took);
        std::printf("filter %-34s %7d rows in %6.0f ms%s\n",
            qPrintable(filter.isEmpty() ? QStringLiteral("(none)") : filter), page.model()->rowCount(), took,
            ok ? "" : "  PARSE ERROR");
    }
    meter.stop();
    std::printf(
        "filters UI-thread stall: max %.1f ms (%.1f ms without CPU wait)\n", meter.maxMs(), meter.ownMaxMs());
    verdict(QStringLiteral("status/route filter < 1 s"),
        QStringLiteral("worst %1 ms; UI thread max %2 ms")
            .arg(worst, 0, 'f', 0)
            .arg(meter.maxMs(), 0, 'f', 1),
        worst < 1000);
    // Not a target: a body filter reads a row per exchange, so it fills in from the newest end.
    QElapsedTimer t;
    t.start();
    page.applyFilter(QStringLiteral("body:999999"));
    waitForRows(page);
    const double first = ms(t);
    while (page.model()->canFetchOlder())
        QTest::qWait(5);
    std::printf("filter body:... first screen %.0f ms, whole scan %.0f ms, %d rows\n", first, ms(t),
        page.model()->rowCount());
    page.applyFilter(QString());
    waitForRows(page);
}

void measureLive(
    ui::TrafficPage &page, capture::CaptureStore &store, int rate, int seconds, const QString &filter)
{
    page.applyFilter(filter);
    waitForRows(page);
    page.table()->scrollToBottom();
    waitForRows(page);
    const int before = page.model()->rowCount();
    const quint64 droppedBefore = store.droppedRows();
    const quint64 storedBefore = store.storedRows();
    StallMeter meter;
    Producer producer(&store, rate, seconds);
    meter.start();
    producer.start();
    while (!producer.isFinished())
        QTest::qWait(50);
    // Not store.flush(): that blocks the calling thread until the writer is done. The event
    // loop keeps running (and being measured) until the last batch has reached the view.
    QElapsedTimer drain;
    drain.start();
    while (
        store.storedRows() + store.droppedRows() < storedBefore + droppedBefore + quint64(producer.submitted)
        && drain.elapsed() < 20'000)
        QTest::qWait(20);
    QTest::qWait(300);
    meter.stop();
    const QString name = filter.isEmpty() ? QStringLiteral("no filter") : filter;
    std::printf(
        "live %d/s for %d s (%s): submitted %lld, rows added %d, dropped %llu, following the end: %s\n", rate,
        seconds, qPrintable(name), qint64(producer.submitted), page.model()->rowCount() - before,
        static_cast<unsigned long long>(store.droppedRows() - droppedBefore),
        page.table()->isAtBottom() ? "yes" : "no");
    std::printf(
        "live UI-thread stall (%s): max %.1f ms, p99 %.1f ms, p99.9 %.1f ms over %lld ticks; RSS %.0f MiB\n",
        qPrintable(name), meter.maxMs(), meter.percentileMs(99), meter.percentileMs(99.9),
        qint64(meter.ticks()), rssMiB());
    std::printf("live UI-thread stall without CPU-wait (%s): max %.1f ms, p99 %.1f ms; waited for a CPU %.0f "
                "ms in total\n",
        qPrintable(name), meter.ownMaxMs(), meter.ownPercentileMs(99), meter.runQueueWaitMs());
    verdict(QStringLiteral("UI thread never blocks > 50 ms at %1/s (%2)").arg(rate).arg(name),
        QStringLiteral("max %1 ms (%2 ms without CPU wait), p99 %3 ms")
            .arg(meter.maxMs(), 0, 'f', 1)
            .arg(meter.ownMaxMs(), 0, 'f', 1)
            .arg(meter.percentileMs(99), 0, 'f', 1),
        meter.maxMs() <= 50);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Traffic inspector benchmark (1M rows, live traffic)"));
    parser.addHelpOption();
    const QCommandLineOption dbOpt(QStringLiteral("db"), QStringLiteral("Capture database to use or create."),
        QStringLiteral("file"), QDir::temp().filePath(QStringLiteral("portico-bench-inspector.db")));
    const QCommandLineOption countOpt(QStringLiteral("count"), QStringLiteral("Exchanges in the database."),
        QStringLiteral("n"), QStringLiteral("1000000"));
    const QCommandLineOption rateOpt(QStringLiteral("rate"), QStringLiteral("Live exchanges per second."),
        QStringLiteral("n"), QStringLiteral("5000"));
    const QCommandLineOption secondsOpt(QStringLiteral("seconds"),
        QStringLiteral("Seconds of live traffic per run."), QStringLiteral("n"), QStringLiteral("12"));
    const QCommandLineOption liveOnlyOpt(
        QStringLiteral("live-only"), QStringLiteral("Skip scrolling and filters."));
    const QCommandLineOption scrollLiveOpt(QStringLiteral("scroll-live"),
        QStringLiteral("Exchanges per second arriving while scrolling (default 0)."), QStringLiteral("n"),
        QStringLiteral("0"));
    parser.addOptions({ dbOpt, countOpt, rateOpt, secondsOpt, liveOnlyOpt, scrollLiveOpt });
    parser.process(app);
    const QString path = parser.value(dbOpt);
    const qint64 count = parser.value(countOpt).toLongLong();
    if (count <= 0 || !ensureDatabase(path, count))
        return 2;

    const double rssBefore = rssMiB();
    capture::CaptureOptions o;
    o.databasePath = path; // the app's defaults otherwise: retention keeps 1,000,000 rows
    capture::CaptureStore store(o);
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "bench_inspector: %s\n", qPrintable(error));
        return 2;
    }
    ui::TrafficPage page;
    page.resize(1280, 800);
    measureOpen(page, store, path, count);
    if (!parser.isSet(liveOnlyOpt)) {
        measureScroll(page, store, parser.value(scrollLiveOpt).toInt());
        measureFilters(page);
    }
    const double rssInspect = peakRssMiB();
    std::printf("RSS before opening %.0f MiB, peak while browsing %.0f MiB\n", rssBefore, rssInspect);
    verdict(QStringLiteral("app RSS < 300 MB"), QStringLiteral("peak %1 MiB").arg(rssInspect, 0, 'f', 0),
        rssInspect < 300);
    const int rate = parser.value(rateOpt).toInt();
    const int seconds = parser.value(secondsOpt).toInt();
    measureLive(page, store, rate, seconds, QString());
    measureLive(page, store, rate, seconds, QStringLiteral("status:5xx"));
    std::printf("peak RSS overall %.0f MiB\n\n", peakRssMiB());
    for (const Verdict &v : std::as_const(g_verdicts))
        std::printf("%-4s %-52s %s\n", v.met ? "MET" : "MISS", qPrintable(v.target), qPrintable(v.measured));
    return 0;
}
