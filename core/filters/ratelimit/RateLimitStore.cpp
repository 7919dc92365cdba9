#include "core/filters/ratelimit/RateLimitStore.h"

#include <QMutexLocker>
#include <QVarLengthArray>

#include <algorithm>
#include <limits>

namespace portico::filters::ratelimit {

using namespace std::chrono;

RateLimitStore::RateLimitStore(size_t maxKeys)
    : m_perStripeCap(std::max<size_t>(1, (maxKeys + kStripes - 1) / kStripes))
{
}

size_t RateLimitStore::stripeOf(const QByteArray &key)
{
    return size_t(qHash(key)) % kStripes;
}

std::vector<RateLimitDecision> RateLimitStore::acquire(
    std::span<const RateLimitRequest> requests, steady_clock::time_point nowTp)
{
    const qint64 now = duration_cast<nanoseconds>(nowTp.time_since_epoch()).count();
    std::vector<RateLimitDecision> out(requests.size());

    // Lock every stripe involved, in ascending order so two acquire() calls never deadlock.
    // A request carries one or two limits: these stay on the stack.
    QVarLengthArray<size_t, 4> stripes;
    for (const auto &r : requests)
        stripes.append(stripeOf(r.key));
    QVarLengthArray<size_t, 4> order = stripes;
    std::sort(order.begin(), order.end());
    order.erase(std::unique(order.begin(), order.end()), order.end());
    for (size_t s : order)
        m_stripes[s].mutex.lock();

    bool allAllowed = true;
    QVarLengthArray<qint64, 4> newTat(requests.size());
    for (size_t i = 0; i < requests.size(); ++i) {
        const auto &r = requests[i];
        const qint64 n = std::max(1, r.limit);
        const qint64 t = std::max<qint64>(1, r.period.count() / n);
        const qint64 w = t * n;
        const Stripe &stripe = m_stripes[stripes[i]];
        const auto it = stripe.tat.constFind(r.key);
        const qint64 base = it == stripe.tat.constEnd() ? now : std::max(*it, now);
        RateLimitDecision &d = out[i];
        d.limit = int(n);
        if (base + t - now <= w) {
            d.allowed = true;
            newTat[i] = base + t;
            d.remaining = int((w - (newTat[i] - now)) / t);
            d.reset = nanoseconds(newTat[i] - now);
        } else {
            allAllowed = false;
            newTat[i] = base;
            d.remaining = 0;
            d.reset = nanoseconds(base - now);
            d.retryAfter = nanoseconds(base + t - w - now);
        }
    }

    if (allAllowed) {
        for (size_t i = 0; i < requests.size(); ++i) {
            Stripe &stripe = m_stripes[stripes[i]];
            auto it = stripe.tat.find(requests[i].key);
            if (it != stripe.tat.end()) {
                *it = newTat[i];
            } else {
                makeRoom(stripe, now);
                const QByteArray &key = requests[i].key;
                stripe.tat.insert(QByteArray(key.constData(), key.size()), newTat[i]); // owned copy
            }
        }
    } else {
        // Nothing is charged; a limit that would have allowed still reports its real state.
        for (size_t i = 0; i < requests.size(); ++i) {
            RateLimitDecision &d = out[i];
            if (!d.allowed)
                continue;
            d.allowed = false;
            d.remaining += 1;
            const qint64 t = std::max<qint64>(1, requests[i].period.count() / std::max(1, requests[i].limit));
            d.reset -= nanoseconds(t);
        }
    }

    for (auto it = order.rbegin(); it != order.rend(); ++it)
        m_stripes[*it].mutex.unlock();
    return out;
}

void RateLimitStore::makeRoom(Stripe &stripe, qint64 now)
{
    const qint64 interval = duration_cast<nanoseconds>(kSweepInterval).count();
    if (size_t(stripe.tat.size()) >= m_perStripeCap || now - stripe.lastSweep >= interval)
        sweepLocked(stripe, now);
    if (size_t(stripe.tat.size()) < m_perStripeCap)
        return;
    // Still full of live keys: forget the one closest to a full bucket, it loses the least.
    auto victim = stripe.tat.begin();
    for (auto it = stripe.tat.begin(); it != stripe.tat.end(); ++it) {
        if (*it < *victim)
            victim = it;
    }
    stripe.tat.erase(victim);
}

size_t RateLimitStore::sweepLocked(Stripe &stripe, qint64 now)
{
    stripe.lastSweep = now;
    return size_t(stripe.tat.removeIf(
        [now](const QHash<QByteArray, qint64>::iterator &it) { return it.value() <= now; }));
}

size_t RateLimitStore::sweep(steady_clock::time_point nowTp)
{
    const qint64 now = duration_cast<nanoseconds>(nowTp.time_since_epoch()).count();
    size_t removed = 0;
    for (Stripe &s : m_stripes) {
        QMutexLocker lock(&s.mutex);
        removed += sweepLocked(s, now);
    }
    return removed;
}

size_t RateLimitStore::size() const
{
    size_t n = 0;
    for (const Stripe &s : m_stripes) {
        QMutexLocker lock(&s.mutex);
        n += size_t(s.tat.size());
    }
    return n;
}

} // namespace portico::filters::ratelimit
