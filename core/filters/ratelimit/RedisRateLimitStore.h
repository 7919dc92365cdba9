#pragma once

// Rate-limit state in Redis, shared by every Portico instance that names the same server
// (rate_limit_store.redis), so that a limit holds across all of them.
//
// Same algorithm, keys and answers as the in-process RateLimitStore (GCRA, see there), computed by
// one Lua script inside Redis: every key of a request (route limit + tier limit) is checked and
// charged atomically, all or nothing, with the time read inside the script (TIME), so instances
// whose clocks disagree still agree on every bucket. Keys expire when their bucket is full again
// (PX), so Redis forgets idle subjects by itself. Times are microseconds in Redis (Lua numbers are
// doubles: nanoseconds since 1970 would not fit exactly). The script is called by EVALSHA; a
// server that does not know it (restarted, SCRIPT FLUSH) answers NOSCRIPT and gets the script once
// by EVAL, which also caches it again.
//
// Threads: each worker thread gets its own connection (RedisConnection) on first use, driven by
// that thread's event loop through the hiredis async API (RedisQtAdapter): commands are written
// as they come and answered in order, so concurrent requests of a thread are pipelined on one
// socket. A lost connection is opened again with exponential backoff (100 ms .. 5 s).
//
// When Redis cannot answer within `timeout` (not connected, slow, an error reply), the request
// gets Outcome::ok == false and on_error decides (the filter). Errors are counted in
// portico_rate_limit_store_errors_total{reason}; answered round trips are timed in
// portico_rate_limit_store_duration_seconds; portico_rate_limit_store_up is 1 while Redis answers.
// The store logs one line each time it goes from answering to not answering and back.

#include "core/filters/ratelimit/RateLimitStore.h"
#include "core/filters/ratelimit/RateLimitStoreConfig.h"

#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace portico {
class MetricsRegistry;
}

namespace portico::filters::ratelimit {

class RedisRateLimitStore
{
public:
    struct Outcome
    {
        bool ok = false; // false: Redis did not decide (error says why); on_error applies
        std::vector<RateLimitDecision> decisions; // one per request when ok
        QString error;
    };
    using Callback = std::function<void(Outcome)>;
    enum class State { Unknown, Up, Down };

    // `metrics` may be null (not counted). The settings must hold a valid redis URL.
    RedisRateLimitStore(const config::RateLimitStoreSettings &settings, MetricsRegistry *metrics);
    ~RedisRateLimitStore();
    RedisRateLimitStore(const RedisRateLimitStore &) = delete;
    RedisRateLimitStore &operator=(const RedisRateLimitStore &) = delete;

    const config::RateLimitStoreSettings &settings() const;
    State state() const;

    // Call on a thread with a running Qt event loop (a worker). `done` is called exactly once, on
    // this thread: later, or before acquire() returns when the answer is known at once (no
    // connection). The requests' keys are copied before acquire() returns.
    void acquire(std::span<const RateLimitRequest> requests, Callback done);

    // The Redis key of a rate-limit key (prefixed; long keys hashed so a hostile header value
    // cannot make Redis keys of any size).
    static QByteArray redisKey(const QByteArray &key);
    // The Lua script (for tests and the README) and its SHA-1, as EVALSHA wants it.
    static const QByteArray &script();
    static const QByteArray &scriptSha();

    struct Shared; // what every thread's connection reads (RedisConnection.h)

private:
    std::shared_ptr<Shared> m_shared;
};

} // namespace portico::filters::ratelimit
