#pragma once

#include <QElapsedTimer>
#include <QObject>

#include <vector>

class QTimer;

// Measures how long the UI thread is kept from its event loop: a 5 ms precise timer records the
// gap between consecutive ticks. A gap far above 5 ms is a stall of that length. On a loaded
// machine a gap also contains time the thread was runnable but had no CPU, so every gap is split
// with /proc/thread-self/schedstat into "on CPU", "waiting for a CPU" and the rest (sleeping:
// idle in the event loop, or blocked on a lock or I/O); gap minus CPU wait is the stall the
// application itself caused. Also reads the process's memory from /proc/self/status.
class StallMeter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StallMeter)

public:
    explicit StallMeter(QObject *parent = nullptr);

    void start();
    void stop();
    double maxMs() const;
    double percentileMs(double p) const;
    // The same over (gap - time spent waiting for a CPU).
    double ownMaxMs() const;
    double ownPercentileMs(double p) const;
    // Total time the UI thread waited for a CPU while measured.
    double runQueueWaitMs() const { return double(m_waitTotalNs) / 1e6; }
    qsizetype ticks() const { return qsizetype(m_gapsUs.size()); }

private:
    QTimer *m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastUs = -1;
    std::vector<qint64> m_gapsUs;
    std::vector<qint64> m_ownGapsUs;
    qint64 m_lastWaitNs = 0;
    qint64 m_waitTotalNs = 0;
};

// Milliseconds the calling thread has so far spent runnable but waiting for a CPU.
double threadCpuWaitMs();

// VmRSS / VmHWM of this process in MiB (0 when /proc is not there).
double rssMiB();
double peakRssMiB();
