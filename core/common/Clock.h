#pragma once

#include <QDateTime>
#include <chrono>

namespace portico {

// Time behind a seam: rate limits, JWT expiry, caches and retention ask a Clock, so tests can
// drive them with a FakeClock instead of sleeping. Implementations must be thread-safe.
class Clock
{
public:
    virtual ~Clock() = default;
    // Monotonic time, for intervals and deadlines.
    virtual std::chrono::steady_clock::time_point now() const = 0;
    // Wall-clock time, for timestamps and token expiry (exp/nbf are seconds since the epoch).
    virtual QDateTime wallNow() const = 0;
    qint64 epochSeconds() const { return wallNow().toSecsSinceEpoch(); }
};

class SystemClock final : public Clock
{
public:
    std::chrono::steady_clock::time_point now() const override { return std::chrono::steady_clock::now(); }
    QDateTime wallNow() const override { return QDateTime::currentDateTimeUtc(); }
    // The process-wide real clock; app/ hands it to whoever needs a clock.
    static const Clock &instance();
};

} // namespace portico
