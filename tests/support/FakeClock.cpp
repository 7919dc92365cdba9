#include "support/FakeClock.h"

#include <QMutexLocker>
#include <QTimeZone>

namespace portico::test {

namespace {
QDateTime defaultWallStart()
{
    return QDateTime(QDate(2026, 1, 1), QTime(0, 0), QTimeZone::utc());
}
} // namespace

FakeClock::FakeClock()
    : FakeClock(defaultWallStart())
{
}

FakeClock::FakeClock(const QDateTime &wallStart)
    : m_start(std::chrono::steady_clock::time_point(std::chrono::hours(1000)))
    , m_now(m_start)
    , m_wall(std::chrono::milliseconds(wallStart.toMSecsSinceEpoch()))
{
}

std::chrono::steady_clock::time_point FakeClock::now() const
{
    QMutexLocker lock(&m_mutex);
    return m_now;
}

QDateTime FakeClock::wallNow() const
{
    QMutexLocker lock(&m_mutex);
    return QDateTime::fromMSecsSinceEpoch(
        std::chrono::floor<std::chrono::milliseconds>(m_wall).count(), QTimeZone::utc());
}

bool FakeClock::advance(std::chrono::steady_clock::duration by)
{
    if (by.count() < 0)
        return false;
    QMutexLocker lock(&m_mutex);
    m_now += by;
    m_wall += by;
    return true;
}

void FakeClock::setWallNow(const QDateTime &wall)
{
    QMutexLocker lock(&m_mutex);
    m_wall = std::chrono::milliseconds(wall.toMSecsSinceEpoch());
}

std::chrono::milliseconds FakeClock::elapsed() const
{
    QMutexLocker lock(&m_mutex);
    return std::chrono::duration_cast<std::chrono::milliseconds>(m_now - m_start);
}

} // namespace portico::test
