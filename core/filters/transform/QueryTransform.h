#pragma once

#include "core/filters/transform/TransformConfig.h"

#include <QByteArray>
#include <QList>

#include <utility>

namespace portico::filters {

// The query operations of a route's `request.query`, compiled once, applied to the raw query
// string (without '?').
//
// Parameters are matched by their decoded name ('+' and %XX decoded), case-sensitively (query names
// are case-sensitive, unlike header names). Every parameter that is not named by an operation is kept
// byte for byte, in its position and with its original encoding, so signatures over the rest of the
// query survive. `remove` drops every occurrence; `set` replaces every occurrence with one
// `name=value` at the first one's position (appended when absent), the value percent-encoded.
// Removes run before sets.
class QueryTransform
{
public:
    QueryTransform() = default;
    explicit QueryTransform(const config::QueryOps &ops);

    bool isEmpty() const { return m_remove.isEmpty() && m_set.isEmpty(); }
    QByteArray apply(const QByteArray &query) const;

    // The decoded name of one "name=value" (or bare "name") component.
    static QByteArray decodedName(QByteArrayView component);

private:
    QList<QByteArray> m_remove; // decoded names
    QList<std::pair<QByteArray, QByteArray>> m_set; // decoded name -> encoded "name=value"
};

} // namespace portico::filters
