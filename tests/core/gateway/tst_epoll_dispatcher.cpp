// EpollEventDispatcher runs every worker thread: timers, posted events, socket notifiers and
// QThread::quit must behave as under Qt's own dispatcher.
#include "core/gateway/EpollEventDispatcher.h"

#include <QPointer>
#include <QSocketNotifier>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>
#include <sys/socket.h>
#include <unistd.h>

using portico::gateway::EpollEventDispatcher;

namespace {

// A thread running on EpollEventDispatcher, with a context object living in it.
struct EpollThread
{
    QThread thread;
    QObject *context = nullptr;
    EpollThread()
    {
        auto *d = new EpollEventDispatcher;
        if (!d->isValid())
            qFatal("epoll unavailable");
        thread.setEventDispatcher(d);
        context = new QObject;
        context->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, context, &QObject::deleteLater);
        thread.start();
    }
    ~EpollThread()
    {
        thread.quit();
        thread.wait();
    }
    template <typename F> void run(F f) { QMetaObject::invokeMethod(context, f, Qt::BlockingQueuedConnection); }
};

struct SocketPair
{
    int fds[2] = { -1, -1 };
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair() { closeAll(); }
    void closeAll()
    {
        for (int &fd : fds) {
            if (fd >= 0)
                ::close(fd);
            fd = -1;
        }
    }
};

} // namespace

class TestEpollDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dispatcherIsUsed()
    {
        EpollThread t;
        QAbstractEventDispatcher *seen = nullptr;
        t.run([&] { seen = QAbstractEventDispatcher::instance(); });
        QVERIFY(qobject_cast<EpollEventDispatcher *>(seen));
    }

    void timersFireAndStop()
    {
        EpollThread t;
        std::atomic<int> single { 0 }, repeat { 0 };
        QTimer *repeating = nullptr;
        int remaining = -2;
        t.run([&] {
            QTimer::singleShot(20, t.context, [&] { ++single; });
            repeating = new QTimer(t.context);
            repeating->setInterval(5);
            QObject::connect(repeating, &QTimer::timeout, [&] {
                if (++repeat == 5)
                    repeating->stop();
            });
            repeating->start();
            auto *longTimer = new QTimer(t.context);
            longTimer->start(60'000);
            remaining = longTimer->remainingTime();
        });
        QVERIFY2(remaining > 59'000 && remaining <= 60'000, QByteArray::number(remaining));
        QTRY_COMPARE(single.load(), 1);
        QTRY_COMPARE(repeat.load(), 5);
        // Stopped: no sixth tick even after several more intervals.
        QTest::qWait(40);
        QCOMPARE(repeat.load(), 5);
        QCOMPARE(single.load(), 1);
    }

    void postedEventsFromOtherThreadsWakeTheLoop()
    {
        EpollThread t;
        std::atomic<int> calls { 0 };
        for (int i = 0; i < 100; ++i)
            QMetaObject::invokeMethod(t.context, [&] { ++calls; }, Qt::QueuedConnection);
        QTRY_COMPARE(calls.load(), 100);
    }

    void deleteLaterRuns()
    {
        EpollThread t;
        QPointer<QObject> victim;
        t.run([&] {
            victim = new QObject;
            victim->deleteLater();
        });
        QTRY_VERIFY(victim.isNull());
    }

    void socketNotifiersFollowEnableAndReuse()
    {
        EpollThread t;
        std::atomic<int> reads { 0 };
        SocketPair a;
        QSocketNotifier *n = nullptr;
        t.run([&] {
            n = new QSocketNotifier(a.fds[0], QSocketNotifier::Read, t.context);
            QObject::connect(n, &QSocketNotifier::activated, [&, fd = a.fds[0]] {
                char buf[64];
                while (::read(fd, buf, sizeof buf) > 0) {
                }
                ++reads;
            });
        });
        QCOMPARE(::write(a.fds[1], "x", 1), 1);
        QTRY_COMPARE(reads.load(), 1);

        // Disabled: data waits, no activation; enabled again: it is delivered.
        t.run([&] { n->setEnabled(false); });
        QCOMPARE(::write(a.fds[1], "y", 1), 1);
        QTest::qWait(30);
        QCOMPARE(reads.load(), 1);
        t.run([&] { n->setEnabled(true); });
        QTRY_COMPARE(reads.load(), 2);

        // The notifier goes, the descriptor is closed and its number reused by a new socket in the
        // same loop iteration: the new notifier must still be watched by the kernel.
        std::atomic<int> newReads { 0 };
        auto b = std::make_unique<SocketPair>();
        t.run([&] {
            delete n;
            a.closeAll();
            b = std::make_unique<SocketPair>();
            auto *m = new QSocketNotifier(b->fds[0], QSocketNotifier::Read, t.context);
            QObject::connect(m, &QSocketNotifier::activated, [&, fd = b->fds[0]] {
                char buf[64];
                while (::read(fd, buf, sizeof buf) > 0) {
                }
                ++newReads;
            });
        });
        QCOMPARE(::write(b->fds[1], "z", 1), 1);
        QTRY_COMPARE(newReads.load(), 1);
        t.run([&] { qDeleteAll(t.context->findChildren<QSocketNotifier *>()); });
    }

    void writeNotifierSignalsWhenWritable()
    {
        EpollThread t;
        SocketPair p;
        std::atomic<int> writable { 0 };
        t.run([&] {
            auto *w = new QSocketNotifier(p.fds[0], QSocketNotifier::Write, t.context);
            QObject::connect(w, &QSocketNotifier::activated, [&, w] {
                ++writable;
                w->setEnabled(false);
            });
        });
        QTRY_COMPARE(writable.load(), 1);
        t.run([&] { qDeleteAll(t.context->findChildren<QSocketNotifier *>()); });
    }

    void quitEndsTheLoop()
    {
        auto t = std::make_unique<EpollThread>();
        t->thread.quit();
        QVERIFY(t->thread.wait(5000));
    }
};

QTEST_GUILESS_MAIN(TestEpollDispatcher)
#include "tst_epoll_dispatcher.moc"
