#pragma once

#include "core/common/Clock.h"

#include <QMutex>

namespace portico::test {

// A Clock that moves only when a test says so. Both readings (monotonic and wall) advance together
// through advance(); setWallNow() moves only the wall clock, to simulate an NTP jump. Every member is
// thread-safe, so the gateway's worker threads may read it while the test advances it.
class FakeClock final : public Clock
{
public:
    // Starts at 2026-01-01T00:00:00Z wall time; the monotonic reading starts at an arbitrary
    // non-zero point so code that treats time_point{} as "never" is not fooled.
    FakeClock();
    explicit FakeClock(const QDateTime &wallStart);

    std::chrono::steady_clock::time_point now() const override;
    QDateTime wallNow() const override;

    // Any std::chrono duration converts (1s, 250ms, 10us). Negative durations are rejected (monotonic
    // time never goes back); returns false then. The wall clock shows whole milliseconds.
    bool advance(std::chrono::steady_clock::duration by);
    void setWallNow(const QDateTime &wall);
    // Total time advanced since construction (what a test usually asserts on).
    std::chrono::milliseconds elapsed() const;

private:
    mutable QMutex m_mutex;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_now;
    std::chrono::nanoseconds m_wall {}; // since the Unix epoch
};

} // namespace portico::test
