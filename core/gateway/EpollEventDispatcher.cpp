#include "core/gateway/EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/eventfd.h>
#include <unistd.h>

namespace portico::gateway {

namespace {
constexpr quint32 kReadEvents = EPOLLIN | EPOLLRDHUP;
constexpr int kMaxEventsPerWait = 256;
} // namespace

quint32 EpollEventDispatcher::FdNotifiers::wanted() const
{
    return (read ? kReadEvents : 0u) | (write ? quint32(EPOLLOUT) : 0u) | (exception ? quint32(EPOLLPRI) : 0u);
}

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_epoll >= 0 && m_wakeFd >= 0) {
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.fd = m_wakeFd;
        if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &ev) != 0) {
            ::close(m_wakeFd);
            m_wakeFd = -1;
        }
    }
    m_events.resize(kMaxEventsPerWait);
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    if (fd < 0)
        return;
    if (size_t(fd) >= m_fds.size())
        m_fds.resize(std::max<size_t>(size_t(fd) + 1, m_fds.size() * 2));
    FdNotifiers &n = m_fds[size_t(fd)];
    switch (notifier->type()) {
    case QSocketNotifier::Read: n.read = notifier; break;
    case QSocketNotifier::Write: n.write = notifier; break;
    case QSocketNotifier::Exception: n.exception = notifier; break;
    }
    if (!n.dirty) {
        n.dirty = true;
        m_dirty.push_back(fd);
    }
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    FdNotifiers *entry = this->entry(fd);
    if (!entry)
        return;
    FdNotifiers &n = *entry;
    if (n.read == notifier)
        n.read = nullptr;
    else if (n.write == notifier)
        n.write = nullptr;
    else if (n.exception == notifier)
        n.exception = nullptr;
    if (n.wanted() == 0) {
        // Removed from the kernel now, not lazily: the descriptor is usually closed right after,
        // and a new socket may get the same number before the next wait.
        if (n.applied != 0)
            ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr); // EBADF/ENOENT: already gone, fine
        n = FdNotifiers {};
        return;
    }
    if (!n.dirty) {
        n.dirty = true;
        m_dirty.push_back(fd);
    }
}

void EpollEventDispatcher::applyChanges()
{
    for (const int fd : m_dirty) {
        FdNotifiers *entry = this->entry(fd);
        if (!entry || !entry->dirty)
            continue;
        FdNotifiers &n = *entry;
        n.dirty = false;
        const quint32 wanted = n.wanted();
        if (wanted == n.applied)
            continue;
        epoll_event ev {};
        ev.events = wanted;
        ev.data.fd = fd;
        int op = n.applied == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        if (::epoll_ctl(m_epoll, op, fd, &ev) != 0) {
            // The kernel's view differs from ours (a descriptor closed and reused): try the other op.
            op = op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
            if (::epoll_ctl(m_epoll, op, fd, &ev) != 0) {
                qWarning("EpollEventDispatcher: cannot watch descriptor %d: %s", fd, strerror(errno));
                continue;
            }
        }
        n.applied = wanted;
    }
    m_dirty.clear();
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    Timer t;
    t.id = timerId;
    t.intervalMs = std::max<qint64>(0, interval);
    t.type = timerType;
    t.object = object;
    t.due = Clock::now() + std::chrono::milliseconds(t.intervalMs);
    m_timers.push_back(t);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = std::find_if(m_timers.begin(), m_timers.end(), [timerId](const Timer &t) { return t.id == timerId; });
    if (it == m_timers.end())
        return false;
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    const auto before = m_timers.size();
    std::erase_if(m_timers, [object](const Timer &t) { return t.object == object; });
    return m_timers.size() != before;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> out;
    for (const Timer &t : m_timers) {
        if (t.object == object)
            out.append(TimerInfo(t.id, int(t.intervalMs), t.type));
    }
    return out;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    for (const Timer &t : m_timers) {
        if (t.id == timerId) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(t.due - Clock::now()).count();
            return int(std::max<qint64>(0, left));
        }
    }
    return -1;
}

int EpollEventDispatcher::waitTimeoutMs() const
{
    if (m_timers.empty())
        return -1;
    Clock::time_point first = Clock::time_point::max();
    for (const Timer &t : m_timers) {
        if (!t.firing)
            first = std::min(first, t.due);
    }
    if (first == Clock::time_point::max())
        return -1;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(first - Clock::now()).count();
    return int(std::clamp<qint64>(left, 0, 24 * 3600 * 1000));
}

bool EpollEventDispatcher::fireTimers()
{
    if (m_timers.empty())
        return false;
    const auto now = Clock::now();
    std::vector<int> due;
    for (const Timer &t : m_timers) {
        if (t.due <= now && !t.firing)
            due.push_back(t.id);
    }
    for (const int id : due) {
        auto it = std::find_if(m_timers.begin(), m_timers.end(), [id](const Timer &t) { return t.id == id; });
        if (it == m_timers.end() || it->firing)
            continue; // stopped by an earlier handler
        const auto interval = std::chrono::milliseconds(it->intervalMs);
        it->due += interval;
        if (it->due <= now)
            it->due = now + interval; // fell behind: no burst of catch-up events
        it->firing = true;
        QObject *object = it->object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        // The handler may have stopped, restarted or added timers: find it again.
        it = std::find_if(m_timers.begin(), m_timers.end(), [id](const Timer &t) { return t.id == id; });
        if (it != m_timers.end())
            it->firing = false;
    }
    return !due.empty();
}

void EpollEventDispatcher::drainWakeUps()
{
    quint64 count = 0;
    while (::read(m_wakeFd, &count, sizeof count) == sizeof count) {
    }
    // Cleared after reading: a wakeUp() racing with this is covered by the posted-event pass
    // that starts the next processEvents() before it can block.
    m_wakeUpPending.store(false, std::memory_order_release);
}

bool EpollEventDispatcher::dispatchSockets(int ready)
{
    bool any = false;
    for (int i = 0; i < ready; ++i) {
        const int fd = m_events[size_t(i)].data.fd;
        const quint32 events = m_events[size_t(i)].events;
        if (fd == m_wakeFd) {
            drainWakeUps();
            any = true;
            continue;
        }
        const auto activate = [this, fd](QSocketNotifier *FdNotifiers::*slot) {
            // Looked up for each activation: the previous handler may have removed or replaced it.
            FdNotifiers *entry = this->entry(fd);
            if (!entry)
                return false;
            QSocketNotifier *n = entry->*slot;
            if (!n || !n->isEnabled())
                return false;
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(n, &event);
            return true;
        };
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
            any |= activate(&FdNotifiers::read);
        if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
            any |= activate(&FdNotifiers::write);
        if (events & EPOLLPRI)
            any |= activate(&FdNotifiers::exception);
    }
    return any;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupt.store(false, std::memory_order_relaxed);
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool canWait = (flags & QEventLoop::WaitForMoreEvents) && includeNotifiers
        && !m_interrupt.load(std::memory_order_relaxed);
    if (canWait)
        Q_EMIT aboutToBlock();
    if (m_interrupt.load(std::memory_order_relaxed))
        return false;

    applyChanges();
    int timeout = 0;
    if (canWait) {
        timeout = includeTimers ? waitTimeoutMs() : -1;
        // Deferred deletes that Qt re-queues without a wake-up must not wait forever.
        if (timeout < 0 || timeout > 1000)
            timeout = 1000;
    }
    int ready = ::epoll_wait(m_epoll, m_events.data(), int(m_events.size()), timeout);
    if (ready < 0) {
        if (errno != EINTR)
            qWarning("EpollEventDispatcher: epoll_wait: %s", strerror(errno));
        ready = 0;
    }
    if (ready > 0)
        Q_EMIT awake();
    bool any = false;
    if (includeNotifiers) {
        any |= dispatchSockets(ready);
    } else {
        for (int i = 0; i < ready; ++i) {
            if (m_events[size_t(i)].data.fd == m_wakeFd)
                drainWakeUps();
        }
    }
    if (includeTimers)
        any |= fireTimers();
    return any;
}

void EpollEventDispatcher::wakeUp()
{
    bool expected = false;
    if (m_wakeUpPending.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
        const quint64 one = 1;
        [[maybe_unused]] const ssize_t n = ::write(m_wakeFd, &one, sizeof one);
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupt.store(true, std::memory_order_relaxed);
    wakeUp();
}

} // namespace portico::gateway
