#pragma once

// The traffic filter language shared by the GUI filter bar, `portico-cli traffic --filter` and
// the admin API `?filter=` (contract: docs/interfaces.md):
//
//   method:POST status:404 status:>=500 status:4xx route:users consumer:alice host:api.local
//   path:/api/users* duration:>200ms upstream:users-v1 trace:4bf9... error:true body:"needle"
//   header:x-request-id   protocol:HTTP/2   bare-word   -negated   a | b   field:"quoted value"
//
// Terms separated by spaces must all hold; `|` between two terms means either (binds tighter
// than the implicit AND); a leading `-` negates a term. A bare word matches anywhere in the URL.
// `*` and `?` are wildcards in text values; without them route/consumer/upstream/host/path match
// exactly (and use their indexes). Extra fields: url, version, span, client, scheme, id, parent,
// retries. header:NAME=VALUE matches a header value exactly (case-insensitively). grpc:SERVICE[/METHOD]
// matches gRPC calls by full or short service name; grpc_status:N their grpc-status.
//
// The text is parsed once into a SQL boolean expression over the `exchanges` table (alias `e`)
// with positional `?` placeholders; values are only ever bound, never spliced into the SQL.

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantList>

#include <optional>

namespace portico::capture {

struct FilterError
{
    int column = 0; // 1-based position of the offending term in the filter text
    QString message;
    QString toString() const { return QStringLiteral("column %1: %2").arg(column).arg(message); }
};

class FilterExpression
{
public:
    FilterExpression() = default; // matches every exchange

    // Parses `text`; on failure returns nullopt and fills *error (if given).
    static std::optional<FilterExpression> parse(const QString &text, FilterError *error = nullptr);

    bool isEmpty() const { return m_sql.isEmpty(); }
    const QString &text() const { return m_text; }
    // A boolean SQL expression over alias `e` ("1" when empty) and its values in order.
    QString sql() const { return m_sql.isEmpty() ? QStringLiteral("1") : m_sql; }
    const QVariantList &bindings() const { return m_bindings; }
    // True when a term looks into bodies or heads: those scan a second table row by row, so
    // readers run them in time-bounded slices (see CaptureReader::search()).
    bool isCostly() const { return m_costly; }

    // The AND-ed parts of sql(), each with its own values. `indexed`: one term that one of the
    // (column, id) indexes answers alone (status, exact route, exact consumer; not negated).
    struct Group
    {
        QString sql;
        QVariantList bindings;
        bool indexed = false;
    };
    const QList<Group> &groups() const { return m_groups; }

    // For completion in the GUI filter bar.
    static QStringList fieldNames();
    static QStringList valueCompletions(const QString &field);

private:
    QString m_text;
    QString m_sql;
    QVariantList m_bindings;
    QList<Group> m_groups;
    bool m_costly = false;

    friend class FilterParser;
};

} // namespace portico::capture
