#pragma once

// Shared rate-limit state: one GCRA (generic cell rate algorithm, a token bucket kept as a single
// timestamp) per key, in a map split into mutex-guarded stripes.
//
// Algorithm. A limit of N requests per period P has an emission interval T = P / N (rounded down to
// a nanosecond) and a window W = N * T. Each key stores its "theoretical arrival time" (TAT): the
// moment its bucket would be full again. A request at `now` is allowed when
//     max(TAT, now) + T - now <= W
// and then sets TAT = max(TAT, now) + T. Burst behaviour: an idle key (TAT <= now) has its whole
// bucket, so up to N requests pass back to back; after that one request is allowed every T, i.e.
// the quota refills continuously (N per P on average, never more than N within any window of P).
// Because W is N * T exactly, a burst lets exactly N through whatever the rounding of T.
//
// Exactness under concurrency: the check and the update of a key happen under its stripe's mutex,
// so M > N simultaneous requests on any number of threads let exactly N through. acquire() takes
// several keys at once (route limit + tier limit) and is all-or-nothing: a request denied by one
// limit does not consume the other's quota.
//
// Memory: a key whose TAT has passed is indistinguishable from a fresh key, so it can be dropped.
// Each stripe is swept when a new key arrives and the stripe is full or was last swept more than
// kSweepInterval ago; a stripe still full after sweeping evicts the key closest to full (smallest
// TAT). The total number of keys never exceeds maxKeys (rounded up to a multiple of the stripe count).

#include <QByteArray>
#include <QHash>
#include <QMutex>

#include <array>
#include <chrono>
#include <span>
#include <vector>

namespace portico::filters::ratelimit {

struct RateLimitRequest
{
    // Must include everything that makes the limit distinct (route, N, P, subject). May be a
    // QByteArray::fromRawData view: the store copies the bytes when it keeps a new key.
    QByteArray key;
    int limit = 0; // N (values below 1 are treated as 1)
    std::chrono::nanoseconds period { 0 };
};

struct RateLimitDecision
{
    bool allowed = false;
    int limit = 0;
    int remaining = 0; // requests still allowed right now, after this one
    std::chrono::nanoseconds reset { 0 }; // until the bucket is full again
    std::chrono::nanoseconds retryAfter { 0 }; // until a request would be allowed (0 when allowed)
};

class RateLimitStore
{
public:
    static constexpr size_t kStripes = 64;
    static constexpr std::chrono::seconds kSweepInterval { 10 };

    explicit RateLimitStore(size_t maxKeys = 200'000);
    RateLimitStore(const RateLimitStore &) = delete;
    RateLimitStore &operator=(const RateLimitStore &) = delete;

    // One decision per request, in the same order. Either every limit is charged or none is.
    std::vector<RateLimitDecision> acquire(
        std::span<const RateLimitRequest> requests, std::chrono::steady_clock::time_point now);

    // Drops every key whose bucket is full again; returns how many were dropped.
    size_t sweep(std::chrono::steady_clock::time_point now);
    size_t size() const;
    size_t maxKeys() const { return m_perStripeCap * kStripes; }

private:
    struct Stripe
    {
        mutable QMutex mutex;
        QHash<QByteArray, qint64> tat; // ns since the steady clock's epoch
        qint64 lastSweep = 0;
    };

    static size_t stripeOf(const QByteArray &key);
    // Caller holds the stripe's mutex.
    void makeRoom(Stripe &stripe, qint64 now);
    static size_t sweepLocked(Stripe &stripe, qint64 now);

    size_t m_perStripeCap;
    std::array<Stripe, kStripes> m_stripes;
};

} // namespace portico::filters::ratelimit
