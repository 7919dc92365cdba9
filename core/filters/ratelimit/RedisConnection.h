#pragma once

// Internals of RedisRateLimitStore: the state its connections share, and one thread's connection.

#include "core/filters/ratelimit/RedisRateLimitStore.h"

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QPointer>

#include <atomic>
#include <chrono>
#include <list>

struct redisAsyncContext;
struct redisReply;
class QThread;
class QTimer;

namespace portico {
class Counter;
class Histogram;
} // namespace portico

namespace portico::filters::ratelimit {

class RedisConnection;
class RedisQtAdapter;

struct RedisRateLimitStore::Shared
{
    config::RateLimitStoreSettings settings;
    config::RedisAddress address;
    QString where; // host:port/db for log lines (never the password)
    QString ip; // the host resolved once, when the store is made; empty when it did not resolve
    QString resolveError;
    Counter *unreachable = nullptr; // errors by reason (null: not counted)
    Counter *timeouts = nullptr;
    Counter *replyErrors = nullptr;
    Histogram *latency = nullptr;
    std::atomic<State> state { State::Unknown };

    QMutex mutex; // guards connections
    QHash<QThread *, RedisConnection *> connections;

    void countError(Counter *reason);
    // One log line per change of state, whichever thread sees it first.
    void reportUp();
    void reportDown(const QString &why);
};

// One worker thread's connection to Redis. Lives on that thread; deleted when the thread finishes
// or the store goes.
class RedisConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisConnection)

public:
    explicit RedisConnection(std::shared_ptr<RedisRateLimitStore::Shared> shared);
    ~RedisConnection() override;

    void submit(std::span<const RateLimitRequest> requests, RedisRateLimitStore::Callback done);

private:
    using SteadyTime = std::chrono::steady_clock::time_point;
    struct Pending
    {
        RedisConnection *connection = nullptr;
        RedisRateLimitStore::Callback done; // empty once answered (reply, error or deadline)
        SteadyTime sentAt;
        SteadyTime deadline;
        std::vector<QByteArray> args; // KEYS then ARGV, kept for the one NOSCRIPT retry
        int keys = 0;
        bool retried = false;
    };
    enum class Phase { Idle, Connecting, Connected, Backoff };

    void connectNow();
    void connectTo(const QString &ip);
    bool send(Pending *p, bool withScript);
    void contextGone();
    void failed(const QString &why);
    void finish(Pending *p, RedisRateLimitStore::Outcome outcome);
    void armDeadline();
    void deadlinePassed();
    void drop(const QString &why);
    static void onConnect(const redisAsyncContext *ac, int status);
    static void onReply(redisAsyncContext *ac, void *reply, void *privdata);
    static void onSetupReply(redisAsyncContext *ac, void *reply, void *privdata);
    void handleReply(redisAsyncContext *ac, Pending *p, redisReply *reply);

    std::shared_ptr<RedisRateLimitStore::Shared> m_shared;
    Phase m_phase = Phase::Idle;
    RedisQtAdapter *m_adapter = nullptr;
    std::list<Pending *> m_pending; // sent, waiting for hiredis to call back (owned)
    QTimer *m_deadline;
    QTimer *m_retry;
    std::chrono::milliseconds m_backoff { 0 };
    SteadyTime m_lastProgress;
    QString m_lastError;
    bool m_destroying = false;
};

} // namespace portico::filters::ratelimit
