#include "core/http/HttpHeaders.h"

namespace portico::http {

bool HttpHeaders::isSafeValue(QByteArrayView value)
{
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

bool HttpHeaders::sameLetters(QByteArrayView a, QByteArrayView b)
{
    for (qsizetype i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = char(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = char(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

QByteArray HttpHeaders::value(QByteArrayView name) const
{
    for (const Entry &e : m_entries) {
        if (nameEquals(e.first, name))
            return e.second;
    }
    return {};
}

QList<QByteArray> HttpHeaders::values(QByteArrayView name) const
{
    QList<QByteArray> out;
    for (const Entry &e : m_entries) {
        if (nameEquals(e.first, name))
            out.append(e.second);
    }
    return out;
}

QByteArray HttpHeaders::combined(QByteArrayView name) const
{
    QByteArray out;
    bool first = true;
    for (const Entry &e : m_entries) {
        if (!nameEquals(e.first, name))
            continue;
        if (!first)
            out += ", ";
        out += e.second;
        first = false;
    }
    return out;
}

bool HttpHeaders::contains(QByteArrayView name) const
{
    for (const Entry &e : m_entries) {
        if (nameEquals(e.first, name))
            return true;
    }
    return false;
}

qsizetype HttpHeaders::count(QByteArrayView name) const
{
    qsizetype n = 0;
    for (const Entry &e : m_entries)
        n += nameEquals(e.first, name) ? 1 : 0;
    return n;
}

void HttpHeaders::set(const QByteArray &name, const QByteArray &value)
{
    qsizetype first = -1;
    for (qsizetype i = 0; i < m_entries.size();) {
        if (nameEquals(m_entries[i].first, name)) {
            if (first < 0) {
                first = i;
                m_entries[i].second = value;
                ++i;
            } else {
                m_entries.removeAt(i);
            }
        } else {
            ++i;
        }
    }
    if (first < 0)
        m_entries.append({ name, value });
}

qsizetype HttpHeaders::remove(QByteArrayView name)
{
    return m_entries.removeIf([&](const Entry &e) { return nameEquals(e.first, name); });
}

void HttpHeaders::rename(QByteArrayView from, const QByteArray &to)
{
    for (Entry &e : m_entries) {
        if (nameEquals(e.first, from))
            e.first = to;
    }
}

} // namespace portico::http
