#include "InspectorProbe.h"

#include <QFile>
#include <QTimer>

#include <algorithm>

namespace {

// Nanoseconds this thread has spent runnable but waiting for a CPU (second field of schedstat).
qint64 runQueueWaitNs()
{
    QFile f(QStringLiteral("/proc/thread-self/schedstat"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    return f.readAll().split(' ').value(1).toLongLong();
}

double percentileOf(std::vector<qint64> values, double p)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const auto i = std::min(values.size() - 1, size_t(p / 100.0 * double(values.size())));
    return double(values[i]) / 1000.0;
}

} // namespace

StallMeter::StallMeter(QObject *parent)
    : QObject(parent)
    , m_timer(new QTimer(this))
{
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setInterval(5);
    connect(m_timer, &QTimer::timeout, this, [this] {
        const qint64 now = m_clock.nsecsElapsed() / 1000;
        const qint64 wait = runQueueWaitNs();
        if (m_lastUs >= 0) {
            const qint64 waited = wait - m_lastWaitNs;
            m_gapsUs.push_back(now - m_lastUs);
            m_ownGapsUs.push_back(std::max<qint64>(0, now - m_lastUs - waited / 1000));
            m_waitTotalNs += waited;
        }
        m_lastUs = now;
        m_lastWaitNs = wait;
    });
}

void StallMeter::start()
{
    m_gapsUs.clear();
    m_ownGapsUs.clear();
    m_waitTotalNs = 0;
    m_lastUs = -1;
    m_clock.start();
    m_timer->start();
}

void StallMeter::stop()
{
    m_timer->stop();
}

double StallMeter::maxMs() const
{
    return m_gapsUs.empty() ? 0.0 : double(*std::max_element(m_gapsUs.begin(), m_gapsUs.end())) / 1000.0;
}

double StallMeter::percentileMs(double p) const
{
    return percentileOf(m_gapsUs, p);
}

double StallMeter::ownMaxMs() const
{
    return m_ownGapsUs.empty() ? 0.0
                               : double(*std::max_element(m_ownGapsUs.begin(), m_ownGapsUs.end())) / 1000.0;
}

double StallMeter::ownPercentileMs(double p) const
{
    return percentileOf(m_ownGapsUs, p);
}

namespace {

double statusKiB(const char *key)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray prefix(key);
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toDouble();
    }
    return 0;
}

} // namespace

double threadCpuWaitMs()
{
    return double(runQueueWaitNs()) / 1e6;
}

double rssMiB()
{
    return statusKiB("VmRSS:") / 1024.0;
}

double peakRssMiB()
{
    return statusKiB("VmHWM:") / 1024.0;
}
