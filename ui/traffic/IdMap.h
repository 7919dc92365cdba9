#pragma once

#include <QList>

namespace portico::ui {

// Row number -> exchange id for the traffic table, ascending. A capture database's ids are
// nearly always one unbroken run (ids are handed out in order and retention deletes from the
// oldest end), so an unfiltered view is held as that run, in O(1) memory and without reading a
// million ids; anything else (a filter, a gap from dropped exchanges) is an explicit list.
class IdMap
{
public:
    void clear();
    // The run first, first + 1, ..., first + count - 1.
    void setRun(qint64 first, qsizetype count);
    void setList(QList<qint64> ids);

    qsizetype size() const { return m_isRun ? m_runCount : m_ids.size(); }
    bool isEmpty() const { return size() == 0; }
    bool isRun() const { return m_isRun; }
    qint64 at(qsizetype row) const { return m_isRun ? m_runFirst + row : m_ids.at(row); }
    qint64 last() const { return at(size() - 1); }
    // The row of `id`, or -1.
    qsizetype indexOf(qint64 id) const;

    // `id` must be greater than last().
    void append(qint64 id);
    // `ids` ascending and all below the first id.
    void prepend(const QList<qint64> &ids);

private:
    void toList();

    bool m_isRun = false;
    qint64 m_runFirst = 0;
    qsizetype m_runCount = 0;
    QList<qint64> m_ids;
};

} // namespace portico::ui
