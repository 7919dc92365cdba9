#pragma once

#include "core/filters/transform/TransformConfig.h"
#include "core/http/HttpHeaders.h"

#include <QByteArray>
#include <QList>

#include <optional>
#include <utility>

namespace portico::filters {

// The header operations of a route's `request.headers` or `response.headers`, compiled once.
//
// Names compare case-insensitively. The operations run in a fixed order, remove -> rename -> set:
//   remove  drops every field of that name;
//   rename  moves every value of `from` to `to` (positions kept); when `from` is present, values the
//           message already had under `to` are dropped first, so `to` carries exactly the renamed
//           values (a client cannot smuggle its own `to` next to the renamed one);
//   set     replaces every existing value with the configured one (added when absent).
class HeaderTransform
{
public:
    HeaderTransform() = default;

    // Checks names (RFC 9110 tokens) and values (no CR, LF or NUL); on a bad one returns nothing
    // and sets *error.
    static std::optional<HeaderTransform> compile(const config::HeaderOps &ops, QString *error = nullptr);

    bool isEmpty() const { return m_remove.isEmpty() && m_rename.isEmpty() && m_set.isEmpty(); }
    void apply(http::HttpHeaders &headers) const;

private:
    QList<QByteArray> m_remove;
    QList<std::pair<QByteArray, QByteArray>> m_rename;
    QList<std::pair<QByteArray, QByteArray>> m_set;
};

} // namespace portico::filters
