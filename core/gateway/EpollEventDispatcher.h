#pragma once

#include <QAbstractEventDispatcher>

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <vector>

namespace portico::gateway {

// The event loop of a worker thread: epoll instead of Qt's poll()/GLib loop.
//
// Qt's dispatchers rebuild and poll() the whole descriptor set on every loop iteration; with a few
// hundred client and upstream connections per worker that was the largest cost outside the TCP
// stack itself (perf: fdget/sock_poll/tcp_poll per descriptor per iteration). Here readiness comes
// from epoll, level-triggered, so QSocketNotifier keeps its usual meaning. Notifier changes are
// recorded and applied to the kernel in one pass just before waiting, so enabling and disabling a
// notifier within one iteration (common: a transport pauses and resumes reading) costs no syscall.
//
// Everything a QThread's loop needs works: socket notifiers, timers (ms precision, all timer
// types treated as precise), posted events, wakeUp() and interrupt() from any thread.
// Install with QThread::setEventDispatcher() before the thread starts.
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // False when the kernel refused epoll or eventfd; the caller keeps Qt's dispatcher then.
    bool isValid() const { return m_epoll >= 0 && m_wakeFd >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;
    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;
    void wakeUp() override;
    void interrupt() override;

private:
    using Clock = std::chrono::steady_clock;

    struct FdNotifiers
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        quint32 applied = 0; // events mask the kernel has
        bool dirty = false;
        quint32 wanted() const;
    };
    struct Timer
    {
        int id = 0;
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        Clock::time_point due;
        bool firing = false; // its handler is running (a nested loop must not fire it again)
    };

    void applyChanges();
    int waitTimeoutMs() const;
    bool dispatchSockets(int ready);
    bool fireTimers();
    void drainWakeUps();

    int m_epoll = -1;
    int m_wakeFd = -1;
    std::atomic<bool> m_wakeUpPending { false };
    std::atomic<bool> m_interrupt { false };
    // Indexed by descriptor (descriptors are small and dense): the lookup on every event and
    // notifier change is an index, not a hash probe.
    std::vector<FdNotifiers> m_fds;
    FdNotifiers *entry(int fd) { return fd >= 0 && size_t(fd) < m_fds.size() ? &m_fds[size_t(fd)] : nullptr; }
    std::vector<int> m_dirty;
    std::vector<Timer> m_timers;
    std::vector<epoll_event> m_events;
};

} // namespace portico::gateway
