#pragma once

// Runs a hiredis async context on the Qt event loop of the thread that creates the adapter.
//
// hiredis (0.14, Debian 12) does no I/O of its own in async mode: it asks its host loop to watch its
// socket through five hooks (addRead, delRead, addWrite, delWrite, cleanup) and expects
// redisAsyncHandleRead()/redisAsyncHandleWrite() when the socket is ready. Here the hooks switch two
// QSocketNotifiers, so the worker's loop (EpollEventDispatcher or Qt's own) drives the connection
// and a worker thread never blocks on Redis.
//
// hiredis frees a context by itself when the connection fails; it then calls `cleanup`, which
// disables the notifiers (before hiredis closes the descriptor) and calls `onGone`. After that the
// adapter holds no context and may be deleted (deleteLater: cleanup can run inside a notifier's
// own signal).

#include <QObject>

#include <functional>

struct redisAsyncContext;
class QSocketNotifier;

namespace portico::filters::ratelimit {

class RedisQtAdapter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisQtAdapter)

public:
    // Takes over `context`'s event hooks (it must have none yet).
    RedisQtAdapter(redisAsyncContext *context, std::function<void()> onGone, QObject *parent = nullptr);
    ~RedisQtAdapter() override;

    // The context while hiredis has not freed it.
    redisAsyncContext *context() const { return m_context; }
    // Watches for writability once: how a non-blocking connect is seen to complete (or fail) when
    // no command is queued yet.
    void watchConnect();

private:
    static void addRead(void *self);
    static void delRead(void *self);
    static void addWrite(void *self);
    static void delWrite(void *self);
    static void cleanup(void *self);
    void readable();
    void writable();

    redisAsyncContext *m_context;
    std::function<void()> m_onGone;
    QSocketNotifier *m_read = nullptr;
    QSocketNotifier *m_write = nullptr;
};

} // namespace portico::filters::ratelimit
