#include "ui/traffic/IdMap.h"

#include <algorithm>

namespace portico::ui {

void IdMap::clear()
{
    m_isRun = false;
    m_runFirst = 0;
    m_runCount = 0;
    m_ids.clear();
}

void IdMap::setRun(qint64 first, qsizetype count)
{
    clear();
    m_isRun = true;
    m_runFirst = first;
    m_runCount = std::max<qsizetype>(0, count);
}

void IdMap::setList(QList<qint64> ids)
{
    clear();
    m_ids = std::move(ids);
}

qsizetype IdMap::indexOf(qint64 id) const
{
    if (m_isRun)
        return id >= m_runFirst && id < m_runFirst + m_runCount ? qsizetype(id - m_runFirst) : -1;
    const auto it = std::lower_bound(m_ids.cbegin(), m_ids.cend(), id);
    return it != m_ids.cend() && *it == id ? qsizetype(it - m_ids.cbegin()) : -1;
}

void IdMap::append(qint64 id)
{
    if (m_isRun) {
        if (m_runCount == 0)
            m_runFirst = id;
        if (id == m_runFirst + m_runCount) {
            ++m_runCount;
            return;
        }
        toList();
    }
    m_ids.append(id);
}

void IdMap::prepend(const QList<qint64> &ids)
{
    if (ids.isEmpty())
        return;
    toList();
    m_ids = ids + m_ids;
}

void IdMap::toList()
{
    if (!m_isRun)
        return;
    QList<qint64> ids;
    ids.reserve(m_runCount + 1024);
    for (qsizetype i = 0; i < m_runCount; ++i)
        ids.append(m_runFirst + i);
    m_isRun = false;
    m_ids = std::move(ids);
}

} // namespace portico::ui
