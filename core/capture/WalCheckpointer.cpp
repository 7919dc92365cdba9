#include "core/capture/WalCheckpointer.h"

#include <sqlite3.h>

#include <pthread.h>

namespace portico::capture {

WalCheckpointer::WalCheckpointer(const QString &databasePath)
    : m_path(databasePath.toUtf8())
    , m_thread([this] { run(); })
{
}

WalCheckpointer::~WalCheckpointer()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void WalCheckpointer::request()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_pending)
            return;
        m_pending = true;
    }
    m_wake.notify_one();
}

void WalCheckpointer::run()
{
#if defined(__linux__)
    pthread_setname_np(pthread_self(), "capture-ckpt");
#endif
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(m_path.constData(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        // Without its own connection the WAL still gets checkpointed when the writer closes; it
        // only grows larger meanwhile.
        qWarning("capture: checkpoint connection failed: %s", db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return;
    }
    // A connection learns that the file is in WAL mode at its first read; until then a
    // checkpoint is a no-op.
    sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_pending || m_stop; });
            if (m_stop)
                break;
            m_pending = false;
        }
        int logFrames = 0;
        int copied = 0;
        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied);
        m_done.fetch_add(1, std::memory_order_relaxed);
    }
    sqlite3_close(db);
}

} // namespace portico::capture
