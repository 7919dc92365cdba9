#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <utility>

namespace portico::http {

// An ordered list of header fields as they appear on the wire. Names keep their original case;
// every lookup is case-insensitive (RFC 9110 5.1). Repeated fields stay separate entries.
class HttpHeaders
{
public:
    using Entry = std::pair<QByteArray, QByteArray>;

    // First value of the field, or a null QByteArray.
    QByteArray value(QByteArrayView name) const;
    // Every value of the field, in order.
    QList<QByteArray> values(QByteArrayView name) const;
    // All values joined with ", " (the list form of RFC 9110 5.3).
    QByteArray combined(QByteArrayView name) const;
    bool contains(QByteArrayView name) const;
    qsizetype count(QByteArrayView name) const;

    void add(const QByteArray &name, const QByteArray &value) { m_entries.append({ name, value }); }
    // Replaces every existing value of the field (keeps the first one's position).
    void set(const QByteArray &name, const QByteArray &value);
    // Removes every value; returns how many were removed.
    qsizetype remove(QByteArrayView name);
    // Renames every occurrence of `from` to `to` (values and positions kept).
    void rename(QByteArrayView from, const QByteArray &to);

    const QList<Entry> &entries() const { return m_entries; }
    QList<Entry> &entries() { return m_entries; }
    bool isEmpty() const { return m_entries.isEmpty(); }
    qsizetype size() const { return m_entries.size(); }
    void clear() { m_entries.clear(); }
    void reserve(qsizetype n) { m_entries.reserve(n); }

    bool operator==(const HttpHeaders &) const = default;

    // Inline: most comparisons end at the lengths.
    static bool nameEquals(QByteArrayView a, QByteArrayView b)
    {
        return a.size() == b.size() && sameLetters(a, b);
    }
    // Equal ignoring ASCII case, for views of the same length.
    static bool sameLetters(QByteArrayView a, QByteArrayView b);
    // A field value that cannot split or end a header: no control characters (CR, LF, NUL, ...) but tab.
    static bool isSafeValue(QByteArrayView value);

private:
    QList<Entry> m_entries;
};

} // namespace portico::http
