#pragma once

#include <QList>
#include <QStringList>

namespace portico::ui::list {

template<typename T>
QStringList names(const QList<T> &items)
{
    QStringList out;
    for (const T &i : items)
        out << i.name;
    return out;
}

template<typename T>
void move(QList<T> &items, int from, int to)
{
    if (from >= 0 && to >= 0 && from < items.size() && to < items.size())
        items.move(from, to);
}

} // namespace portico::ui::list
