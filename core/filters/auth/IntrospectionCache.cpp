#include "core/filters/auth/IntrospectionCache.h"

#include "core/filters/auth/ConsumerDirectory.h"

#include <QMutexLocker>

namespace portico::filters::auth {

IntrospectionCache::IntrospectionCache(IntrospectionOptions options)
    : m_options(options)
{
}

void IntrospectionCache::setOptions(const IntrospectionOptions &options)
{
    QMutexLocker lock(&m_mutex);
    m_options = options;
}

IntrospectionOptions IntrospectionCache::options() const
{
    QMutexLocker lock(&m_mutex);
    return m_options;
}

QByteArray IntrospectionCache::keyFor(const QString &endpoint, const QString &clientId, QByteArrayView token)
{
    return ConsumerDirectory::sha256(
        endpoint.toUtf8() + '\n' + clientId.toUtf8() + '\n' + token.toByteArray());
}

std::optional<IntrospectionCache::Entry> IntrospectionCache::find(
    const QByteArray &key, std::chrono::steady_clock::time_point now, qint64 wallNow) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(key);
    if (it == m_entries.constEnd() || now >= it->until || (it->entry.exp != 0 && wallNow >= it->entry.exp))
        return std::nullopt;
    return it->entry;
}

void IntrospectionCache::insert(const QByteArray &key, Entry entry,
    std::chrono::steady_clock::time_point until, std::chrono::steady_clock::time_point now)
{
    QMutexLocker lock(&m_mutex);
    if (size_t(m_entries.size()) >= m_options.maxEntries && !m_entries.contains(key)) {
        m_entries.removeIf([now](const QHash<QByteArray, Slot>::iterator &it) { return it->until <= now; });
        if (size_t(m_entries.size()) >= m_options.maxEntries && !m_entries.isEmpty()) {
            auto victim = m_entries.begin();
            for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
                if (it->until < victim->until)
                    victim = it;
            }
            m_entries.erase(victim);
        }
    }
    if (m_options.maxEntries > 0)
        m_entries.insert(key, { std::move(entry), until });
}

size_t IntrospectionCache::size() const
{
    QMutexLocker lock(&m_mutex);
    return size_t(m_entries.size());
}

bool IntrospectionCache::tryBeginCall()
{
    const int limit = options().maxConcurrentCalls;
    int current = m_inFlight.load(std::memory_order_relaxed);
    do {
        if (current >= limit)
            return false;
    } while (!m_inFlight.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
    return true;
}

void IntrospectionCache::endCall()
{
    m_inFlight.fetch_sub(1, std::memory_order_relaxed);
}

} // namespace portico::filters::auth
