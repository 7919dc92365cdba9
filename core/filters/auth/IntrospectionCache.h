#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>

#include <atomic>
#include <chrono>
#include <optional>

namespace portico::filters::auth {

struct IntrospectionOptions
{
    std::chrono::milliseconds timeout { 5'000 };
    size_t maxEntries = 10'000;
    // Calls to introspection endpoints in flight at once, for the whole process; past it a
    // request that needs one is answered 503 (a flood of made-up tokens cannot pile up sockets).
    int maxConcurrentCalls = 64;
    // How long an inactive answer is remembered (never longer than the scheme's `cache`, when set).
    std::chrono::milliseconds negativeFor { 10'000 };
};

// Active introspection results (RFC 7662), shared by every route and worker thread and kept across
// reloads (it lives in FilterServices). Keyed by a SHA-256 over endpoint, client and token, so
// tokens are not kept in clear. An entry lives for the scheme's `cache` duration but never past
// the token's own `exp`. At most maxEntries: expired entries are swept when it is full, then the
// entry closest to expiry is evicted.
class IntrospectionCache
{
public:
    struct Entry
    {
        QString identity; // username, else sub, else client_id; empty when the answer had none
        qint64 exp = 0; // the token's exp (epoch seconds), 0 = none
        bool active = true; // false: a remembered "active: false" answer
    };

    explicit IntrospectionCache(IntrospectionOptions options = {});
    IntrospectionCache(const IntrospectionCache &) = delete;
    IntrospectionCache &operator=(const IntrospectionCache &) = delete;

    void setOptions(const IntrospectionOptions &options);
    IntrospectionOptions options() const;

    static QByteArray keyFor(const QString &endpoint, const QString &clientId, QByteArrayView token);

    std::optional<Entry> find(
        const QByteArray &key, std::chrono::steady_clock::time_point now, qint64 wallNow) const;
    // Keeps `entry` until `until` (monotonic) and, if it has one, its exp (wall).
    void insert(const QByteArray &key, Entry entry, std::chrono::steady_clock::time_point until,
        std::chrono::steady_clock::time_point now);
    size_t size() const;

    // A slot for one call to an endpoint; false when maxConcurrentCalls are already in flight.
    bool tryBeginCall();
    void endCall();
    int callsInFlight() const { return m_inFlight.load(std::memory_order_relaxed); }

private:
    struct Slot
    {
        Entry entry;
        std::chrono::steady_clock::time_point until;
    };

    mutable QMutex m_mutex;
    IntrospectionOptions m_options;
    QHash<QByteArray, Slot> m_entries;
    std::atomic<int> m_inFlight { 0 };
};

} // namespace portico::filters::auth
