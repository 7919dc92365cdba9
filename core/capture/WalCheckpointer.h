#pragma once

#include <QString>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace portico::capture {

// Copies the capture database's WAL back into the main file on its own thread and connection,
// so that the writer never pays for a checkpoint (page copies plus an fsync) between two
// batches. The writer turns SQLite's automatic checkpoints off and calls request() when the WAL
// has grown past a threshold; PASSIVE checkpoints never block the writer or readers, and the
// WAL restarts from its beginning at the first write after a checkpoint that caught up.
class WalCheckpointer
{
public:
    explicit WalCheckpointer(const QString &databasePath);
    ~WalCheckpointer(); // finishes a running checkpoint, then stops
    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

    // Asks for one checkpoint soon; never blocks. Requests while one runs fold into one.
    void request();
    quint64 checkpointsDone() const { return m_done.load(std::memory_order_relaxed); }

private:
    void run();

    const QByteArray m_path;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_pending = false;
    bool m_stop = false;
    std::atomic<quint64> m_done { 0 };
    std::thread m_thread;
};

} // namespace portico::capture
