#include "core/filters/auth/JwtVerifiedCache.h"

#include <QMutexLocker>

#include <limits>

namespace portico::filters::auth {

namespace {

// A lookup key over the digest's own bytes: no allocation on the hot path.
QByteArray rawKey(const Sha256Digest &key)
{
    return QByteArray::fromRawData(reinterpret_cast<const char *>(key.data()), qsizetype(key.size()));
}

} // namespace

JwtVerifiedCache::JwtVerifiedCache(Options options)
    : m_options(options)
    // The total bound is max(maxEntries, kShards): each shard keeps at least one entry.
    , m_perShard(std::max<size_t>(1, options.maxEntries / kShards))
{
}

bool JwtVerifiedCache::dead(const Slot &s, std::chrono::steady_clock::time_point now, qint64 wallNow)
{
    return now >= s.until || (s.deadline > 0 && wallNow >= s.deadline);
}

std::optional<JwtVerifiedCache::Entry> JwtVerifiedCache::find(
    const Sha256Digest &key, std::chrono::steady_clock::time_point now, qint64 wallNow)
{
    Shard &shard = shardFor(key);
    QMutexLocker lock(&shard.mutex);
    const auto it = shard.entries.find(rawKey(key));
    if (it == shard.entries.end())
        return std::nullopt;
    if (dead(*it, now, wallNow)) {
        shard.entries.erase(it);
        return std::nullopt;
    }
    return it->entry;
}

void JwtVerifiedCache::insert(const Sha256Digest &key, Entry entry, qint64 deadline,
    std::chrono::steady_clock::time_point now, qint64 wallNow)
{
    if (m_perShard == 0 || m_options.maxAge.count() <= 0)
        return;
    Slot slot { std::move(entry), deadline, now + m_options.maxAge };
    if (dead(slot, now, wallNow))
        return;
    Shard &shard = shardFor(key);
    QMutexLocker lock(&shard.mutex);
    QByteArray owned(reinterpret_cast<const char *>(key.data()), qsizetype(key.size()));
    if (!shard.entries.contains(owned))
        makeRoom(shard, now, wallNow);
    shard.entries.insert(owned, std::move(slot));
}

void JwtVerifiedCache::makeRoom(Shard &shard, std::chrono::steady_clock::time_point now, qint64 wallNow)
{
    if (size_t(shard.entries.size()) < m_perShard)
        return;
    shard.entries.removeIf([&](const auto &it) { return dead(it.value(), now, wallNow); });
    if (size_t(shard.entries.size()) < m_perShard)
        return;
    // Full of live entries: give up the one closest to its end. The scan is over one shard and
    // runs only after a signature check, which costs far more.
    auto endOf = [](const Slot &s) {
        return std::pair { s.deadline > 0 ? s.deadline : std::numeric_limits<qint64>::max(), s.until };
    };
    auto victim = shard.entries.begin();
    for (auto it = shard.entries.begin(); it != shard.entries.end(); ++it) {
        if (endOf(*it) < endOf(*victim))
            victim = it;
    }
    shard.entries.erase(victim);
}

void JwtVerifiedCache::erase(const Sha256Digest &key)
{
    Shard &shard = shardFor(key);
    QMutexLocker lock(&shard.mutex);
    shard.entries.remove(rawKey(key));
}

size_t JwtVerifiedCache::size() const
{
    size_t n = 0;
    for (const Shard &shard : m_shards) {
        QMutexLocker lock(&shard.mutex);
        n += size_t(shard.entries.size());
    }
    return n;
}

} // namespace portico::filters::auth
