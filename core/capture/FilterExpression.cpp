#include "core/capture/FilterExpression.h"

#include "core/capture/Schema.h"

#include "core/http/HttpSyntax.h"

#include <QRegularExpression>

namespace portico::capture {

namespace {

struct Token
{
    QString text; // raw, quotes included
    int column = 0;
};

struct Term
{
    QString sql;
    QVariantList bindings;
    bool indexed = false; // answered by one of the (column, id) indexes alone
};

const QStringList kFields = {
    QStringLiteral("method"),
    QStringLiteral("status"),
    QStringLiteral("route"),
    QStringLiteral("consumer"),
    QStringLiteral("host"),
    QStringLiteral("path"),
    QStringLiteral("url"),
    QStringLiteral("duration"),
    QStringLiteral("upstream"),
    QStringLiteral("version"),
    QStringLiteral("trace"),
    QStringLiteral("span"),
    QStringLiteral("error"),
    QStringLiteral("sample"),
    QStringLiteral("body"),
    QStringLiteral("header"),
    QStringLiteral("client"),
    QStringLiteral("scheme"),
    QStringLiteral("id"),
    QStringLiteral("parent"),
    QStringLiteral("retries"),
    QStringLiteral("protocol"),
    QStringLiteral("grpc"),
    QStringLiteral("grpc_status"),
    QStringLiteral("proxied"),
};

// LIKE pattern for a value with * and ? wildcards; %, _ and \ in the value match themselves.
QString likePattern(const QString &value, bool anywhere)
{
    QString out;
    out.reserve(value.size() + 2);
    if (anywhere)
        out += u'%';
    for (QChar c : value) {
        if (c == u'*')
            out += u'%';
        else if (c == u'?')
            out += u'_';
        else if (c == u'%' || c == u'_' || c == u'\\')
            out += u'\\', out += c;
        else
            out += c;
    }
    if (anywhere)
        out += u'%';
    return out;
}

bool hasWildcard(const QString &v)
{
    return v.contains(u'*') || v.contains(u'?');
}

} // namespace

class FilterParser
{
public:
    explicit FilterParser(const QString &text)
        : m_text(text)
    {
    }

    std::optional<FilterExpression> run(FilterError *error)
    {
        QList<Token> tokens;
        if (!tokenize(&tokens))
            return fail(error);
        FilterExpression out;
        out.m_text = m_text;
        QStringList groups;
        for (qsizetype i = 0; i < tokens.size();) {
            if (tokens[i].text == u"|")
                return fail(error, tokens[i].column, QStringLiteral("'|' needs a term on both sides"));
            QStringList alternatives;
            FilterExpression::Group group;
            for (;;) {
                Term term;
                if (!parseTerm(tokens[i], &term, &out.m_costly))
                    return fail(error);
                alternatives.append(term.sql);
                out.m_bindings.append(term.bindings);
                group.bindings.append(term.bindings);
                group.indexed = alternatives.size() == 1 && term.indexed;
                ++i;
                if (i < tokens.size() && tokens[i].text == u"|") {
                    if (i + 1 >= tokens.size() || tokens[i + 1].text == u"|")
                        return fail(
                            error, tokens[i].column, QStringLiteral("'|' needs a term on both sides"));
                    ++i;
                    continue;
                }
                break;
            }
            groups.append(alternatives.size() == 1 ? alternatives.first()
                                                   : u'(' + alternatives.join(QStringLiteral(" OR ")) + u')');
            group.sql = groups.last();
            out.m_groups.append(std::move(group));
        }
        out.m_sql = groups.join(QStringLiteral(" AND "));
        return out;
    }

private:
    std::optional<FilterExpression> fail(FilterError *error, int column = -1, const QString &message = {})
    {
        if (column >= 0) {
            m_column = column;
            m_message = message;
        }
        if (error)
            *error = FilterError { m_column, m_message };
        return std::nullopt;
    }

    bool setError(int column, const QString &message)
    {
        m_column = column;
        m_message = message;
        return false;
    }

    bool tokenize(QList<Token> *tokens)
    {
        const qsizetype n = m_text.size();
        for (qsizetype i = 0; i < n;) {
            if (m_text[i].isSpace()) {
                ++i;
                continue;
            }
            Token t;
            t.column = int(i) + 1;
            if (m_text[i] == u'|') {
                t.text = QStringLiteral("|");
                tokens->append(t);
                ++i;
                continue;
            }
            bool quoted = false;
            qsizetype quoteAt = 0;
            for (; i < n; ++i) {
                const QChar c = m_text[i];
                if (quoted) {
                    if (c == u'\\' && i + 1 < n) {
                        t.text += c;
                        t.text += m_text[++i];
                        continue;
                    }
                    if (c == u'"')
                        quoted = false;
                } else if (c.isSpace() || c == u'|') {
                    break;
                } else if (c == u'"') {
                    quoted = true;
                    quoteAt = i;
                }
                t.text += c;
            }
            if (quoted)
                return setError(int(quoteAt) + 1, QStringLiteral("unterminated quote"));
            tokens->append(t);
        }
        return true;
    }

    // Removes surrounding quotes and backslash escapes.
    static QString unquote(const QString &raw)
    {
        if (!raw.contains(u'"'))
            return raw;
        QString out;
        bool quoted = false;
        for (qsizetype i = 0; i < raw.size(); ++i) {
            const QChar c = raw[i];
            if (quoted && c == u'\\' && i + 1 < raw.size())
                out += raw[++i];
            else if (c == u'"')
                quoted = !quoted;
            else
                out += c;
        }
        return out;
    }

    bool parseTerm(const Token &token, Term *term, bool *costly)
    {
        QString raw = token.text;
        int column = token.column;
        bool negate = false;
        if (raw.startsWith(u'-')) {
            negate = true;
            raw = raw.mid(1);
            if (raw.isEmpty())
                return setError(column, QStringLiteral("'-' must be followed by a term"));
        }
        static const QRegularExpression fieldRe(QStringLiteral("^([A-Za-z_]+):"));
        const auto m = fieldRe.match(raw);
        bool ok;
        if (!m.hasMatch()) {
            const QString value = unquote(raw);
            term->sql = QStringLiteral("e.url LIKE ? ESCAPE '\\'");
            term->bindings = { likePattern(value, true) };
            ok = true;
        } else {
            const QString field = m.captured(1).toLower();
            const QString value = unquote(raw.mid(m.capturedLength()));
            const int valueColumn = column + (negate ? 1 : 0) + int(m.capturedLength());
            if (!kFields.contains(field))
                return setError(column + (negate ? 1 : 0),
                    QStringLiteral("unknown field '%1' (known: %2)").arg(field, kFields.join(u", ")));
            if (value.isEmpty() && field != u"route" && field != u"consumer" && field != u"upstream")
                return setError(valueColumn, QStringLiteral("'%1:' needs a value").arg(field));
            ok = fieldTerm(field, value, valueColumn, term, costly);
        }
        if (ok && negate) {
            term->sql = QStringLiteral("NOT (%1)").arg(term->sql);
            term->indexed = false;
        }
        return ok;
    }

    static void textTerm(const QString &column, const QString &value, bool anywhere, Term *term)
    {
        if (anywhere || hasWildcard(value)) {
            term->sql = QStringLiteral("e.%1 LIKE ? ESCAPE '\\'").arg(column);
            term->bindings = { likePattern(value, anywhere) };
        } else {
            term->sql = QStringLiteral("e.%1 = ?").arg(column);
            term->bindings = { value.isNull() ? QStringLiteral("") : value }; // null would bind NULL
        }
    }

    // "<op><number>" with op one of = > >= < <= (default =).
    static bool comparison(const QString &value, QString *op, QString *rest)
    {
        static const QRegularExpression re(QStringLiteral("^(>=|<=|>|<|=)?(.+)$"));
        const auto m = re.match(value);
        if (!m.hasMatch())
            return false;
        *op = m.captured(1).isEmpty() ? QStringLiteral("=") : m.captured(1);
        *rest = m.captured(2);
        return true;
    }

    bool numberTerm(const QString &column, const QString &field, const QString &value, int at, Term *term)
    {
        QString op, rest;
        bool ok = comparison(value, &op, &rest);
        const qlonglong n = ok ? rest.toLongLong(&ok) : 0;
        if (!ok)
            return setError(at,
                QStringLiteral("'%1:' expects a number, optionally after >, >=, <, <= "
                               "(got '%2')")
                    .arg(field, value));
        term->sql = QStringLiteral("e.%1 %2 ?").arg(column, op);
        term->bindings = { n };
        return true;
    }

    bool statusTerm(const QString &value, int at, Term *term)
    {
        static const QRegularExpression klass(QStringLiteral("^([1-5])[xX][xX]$"));
        static const QRegularExpression range(QStringLiteral("^(\\d{1,3})-(\\d{1,3})$"));
        if (const auto m = klass.match(value); m.hasMatch()) {
            const int base = m.captured(1).toInt() * 100;
            term->sql = QStringLiteral("e.status BETWEEN ? AND ?");
            term->bindings = { base, base + 99 };
            return true;
        }
        if (const auto m = range.match(value); m.hasMatch()) {
            term->sql = QStringLiteral("e.status BETWEEN ? AND ?");
            term->bindings = { m.captured(1).toInt(), m.captured(2).toInt() };
            return true;
        }
        QString op, rest;
        bool ok = comparison(value, &op, &rest);
        const int n = ok ? rest.toInt(&ok) : 0;
        if (!ok || n < 0 || n > 999)
            return setError(at,
                QStringLiteral("'status:' expects a code (404), a class (4xx), a range "
                               "(200-299) or a comparison (>=500), got '%1'")
                    .arg(value));
        term->sql = QStringLiteral("e.status %1 ?").arg(op);
        term->bindings = { n };
        return true;
    }

    bool durationTerm(const QString &value, int at, Term *term)
    {
        static const QRegularExpression re(QStringLiteral("^(>=|<=|>|<|=)?(\\d+(?:\\.\\d+)?)(us|ms|s|m)?$"));
        const auto m = re.match(value);
        if (!m.hasMatch())
            return setError(
                at, QStringLiteral("'duration:' expects e.g. >200ms, <1.5s, >=2m (got '%1')").arg(value));
        const QString op = m.captured(1).isEmpty() ? QStringLiteral("=") : m.captured(1);
        const QString unit = m.captured(3).isEmpty() ? QStringLiteral("ms") : m.captured(3);
        const double factor = unit == u"us" ? 1 : unit == u"ms" ? 1e3 : unit == u"s" ? 1e6 : 60e6;
        // 1e15 us is about 31 years: anything above is a typo, and a double beyond
        // qlonglong's range would not convert (found by tests/fuzz/fuzz_filter_expression).
        const double us = m.captured(2).toDouble() * factor;
        if (!(us <= 1e15))
            return setError(at, QStringLiteral("'duration:' value too large (got '%1')").arg(value));
        term->sql = QStringLiteral("e.duration_us %1 ?").arg(op);
        term->bindings = { qlonglong(us) };
        return true;
    }

    // protocol:HTTP/2 (also h2, 2) and protocol:HTTP/1.1 (also http/1, h1, 1.1, 1): the column holds
    // exactly "HTTP/1.1" or "HTTP/2" (Exchange::protocol), so a typo is an error, not no rows.
    bool protocolTerm(const QString &value, int at, Term *term)
    {
        const QString v = value.toLower();
        QString stored;
        if (v == u"http/2" || v == u"http/2.0" || v == u"h2" || v == u"2" || v == u"2.0")
            stored = QStringLiteral("HTTP/2");
        else if (v == u"http/1.1" || v == u"http/1" || v == u"h1" || v == u"1.1" || v == u"1")
            stored = QStringLiteral("HTTP/1.1");
        else
            return setError(
                at, QStringLiteral("'protocol:' expects HTTP/1.1 or HTTP/2 (got '%1')").arg(value));
        term->sql = QStringLiteral("e.protocol = ?");
        term->bindings = { stored };
        return true;
    }

    // grpc:SERVICE[/METHOD]: SERVICE is the full name (demo.users.v1.Users) or its last part
    // (Users); either part may hold * and ? wildcards.
    bool grpcTerm(const QString &value, int at, Term *term)
    {
        const qsizetype slash = value.indexOf(u'/');
        const QString service = slash < 0 ? value : value.left(slash);
        const QString method = slash < 0 ? QString() : value.mid(slash + 1);
        if (service.isEmpty() || method.contains(u'/'))
            return setError(
                at, QStringLiteral("'grpc:' expects SERVICE or SERVICE/METHOD (got '%1')").arg(value));
        if (hasWildcard(service)) {
            term->sql = QStringLiteral("e.grpc_service LIKE ? ESCAPE '\\'");
            term->bindings = { likePattern(service, false) };
        } else {
            term->sql = QStringLiteral("(e.grpc_service = ? OR e.grpc_service LIKE ? ESCAPE '\\')");
            term->bindings = { service, likePattern(QStringLiteral("*.") + service, false) };
        }
        if (!method.isEmpty()) {
            Term m;
            textTerm(QStringLiteral("grpc_method"), method, false, &m);
            term->sql = QStringLiteral("(%1 AND %2)").arg(term->sql, m.sql);
            term->bindings += m.bindings;
        }
        return true;
    }

    bool fieldTerm(const QString &field, const QString &value, int at, Term *term, bool *costly)
    {
        if (field == u"method") {
            const QStringList methods = value.toUpper().split(u',', Qt::SkipEmptyParts);
            term->sql = QStringLiteral("e.method IN (%1)")
                            .arg(QStringList(methods.size(), QStringLiteral("?")).join(u','));
            for (const QString &m : methods)
                term->bindings.append(m);
            return true;
        }
        if (field == u"status") {
            term->indexed = true; // every form is a range of the (status, id) index
            return statusTerm(value, at, term);
        }
        if (field == u"duration")
            return durationTerm(value, at, term);
        if (field == u"id")
            return numberTerm(QStringLiteral("id"), field, value, at, term);
        if (field == u"parent")
            return numberTerm(QStringLiteral("parent_id"), field, value, at, term);
        if (field == u"retries")
            return numberTerm(QStringLiteral("retries"), field, value, at, term);
        if (field == u"route" || field == u"consumer" || field == u"upstream" || field == u"path") {
            textTerm(field, value, false, term);
            term->indexed = (field == u"route" || field == u"consumer") && !hasWildcard(value);
            if (field == u"consumer" && term->indexed) {
                // The consumer index only holds rows with a consumer (Schema.cpp, version 3):
                // SQLite uses a partial index only when the query repeats its condition.
                if (value.isEmpty())
                    term->indexed = false;
                else
                    term->sql = QStringLiteral("(%1 AND e.consumer <> '')").arg(term->sql);
            }
            return true;
        }
        if (field == u"host") {
            textTerm(field, value.toLower(), false, term);
            return true;
        }
        if (field == u"version" || field == u"client" || field == u"scheme") {
            const QString column = field == u"version" ? QStringLiteral("api_version")
                : field == u"client"                   ? QStringLiteral("client_address")
                                                       : QStringLiteral("scheme");
            textTerm(column, value, false, term);
            return true;
        }
        if (field == u"protocol")
            return protocolTerm(value, at, term);
        if (field == u"grpc")
            return grpcTerm(value, at, term);
        if (field == u"grpc_status") {
            if (!numberTerm(QStringLiteral("grpc_status"), field, value, at, term))
                return false;
            term->sql = QStringLiteral("(%1 AND e.grpc_status >= 0)").arg(term->sql); // -1: no status
            return true;
        }
        if (field == u"url") {
            textTerm(QStringLiteral("url"), value, true, term);
            return true;
        }
        if (field == u"trace" || field == u"span") {
            QString id = value.toLower();
            // Ids copied from a shortened display ("4bf92f35...") are prefixes.
            while (id.endsWith(u'.') || id.endsWith(QChar(0x2026)))
                id.chop(1);
            static const QRegularExpression hex(QStringLiteral("^[0-9a-f]+$"));
            if (!hex.match(id).hasMatch())
                return setError(at,
                    QStringLiteral("'%1:' expects a hexadecimal id or prefix (got '%2')").arg(field, value));
            const QString column = field == u"trace" ? QStringLiteral("trace_id") : QStringLiteral("span_id");
            const int full = field == u"trace" ? 32 : 16;
            // Not indexed (random ids made the index the writer's largest cost): scanned newest
            // first in time-bounded slices. A trace's spans sit close together in id order.
            *costly = true;
            if (id.size() == full) {
                term->sql = QStringLiteral("e.%1 = ?").arg(column);
                term->bindings = { id };
            } else {
                term->sql = QStringLiteral("(e.%1 >= ? AND e.%1 < ?)").arg(column);
                term->bindings = { id, id + QStringLiteral("g") };
            }
            return true;
        }
        if (field == u"proxied") {
            const QString v = value.toLower();
            const bool yes = v == u"true" || v == u"yes";
            if (!yes && v != u"false" && v != u"no")
                return setError(at, QStringLiteral("'proxied:' expects true or false (got '%1')").arg(value));
            term->sql = yes ? QStringLiteral("e.proxied <> 0") : QStringLiteral("e.proxied = 0");
            return true;
        }
        if (field == u"sample") {
            // Send Sample Traffic's rows: their notes start with kSampleNote.
            const QString v = value.toLower();
            const bool yes = v == u"true" || v == u"yes";
            if (!yes && v != u"false" && v != u"no")
                return setError(at, QStringLiteral("'sample:' expects true or false (got '%1')").arg(value));
            term->sql = yes ? QStringLiteral("coalesce(substr(e.notes, 1, 14) = 'sample traffic', 0)")
                            : QStringLiteral("coalesce(substr(e.notes, 1, 14), '') <> 'sample traffic'");
            return true;
        }
        if (field == u"error") {
            const QString v = value.toLower();
            if (v == u"true" || v == u"yes") {
                term->sql = QStringLiteral("e.error <> ''");
            } else if (v == u"false" || v == u"no") {
                term->sql = QStringLiteral("e.error = ''");
            } else {
                term->sql = QStringLiteral("e.error LIKE ? ESCAPE '\\'");
                term->bindings = { likePattern(value, true) };
            }
            return true;
        }
        if (field == u"body") {
            *costly = true;
            // Inline bodies, and bodies stored once (schema version 8; see Schema.h).
            term->sql = QStringLiteral("(EXISTS (SELECT 1 FROM bodies b WHERE b.exchange_id = e.id AND "
                                       "(instr(b.request, ?) > 0 OR instr(b.response, ?) > 0)) OR %1)")
                            .arg(QLatin1String(schema::kSharedBodyTerm));
            const QByteArray needle = value.toUtf8();
            term->bindings = { needle, needle, needle };
            return true;
        }
        if (field == u"header") {
            *costly = true;
            const qsizetype eq = value.indexOf(u'=');
            const QString name = (eq < 0 ? value : value.left(eq)).trimmed().toLower();
            if (!http::isToken(name.toLatin1()))
                return setError(
                    at, QStringLiteral("'header:' expects NAME or NAME=VALUE (got '%1')").arg(value));
            // Blocks are "\nName: value\n"; see Schema.h.
            const QString needle = eq < 0
                ? u'\n' + name + u':'
                : u'\n' + name + QStringLiteral(": ") + value.mid(eq + 1).toLower() + u'\n';
            term->sql = QStringLiteral("EXISTS (SELECT 1 FROM heads h WHERE h.exchange_id = e.id AND "
                                       "(instr(lower(CAST(h.request AS TEXT)), ?) > 0 OR "
                                       "instr(lower(CAST(h.response AS TEXT)), ?) > 0))");
            term->bindings = { needle, needle };
            return true;
        }
        return setError(at, QStringLiteral("unsupported field '%1'").arg(field));
    }

    const QString m_text;
    int m_column = 0;
    QString m_message;
};

std::optional<FilterExpression> FilterExpression::parse(const QString &text, FilterError *error)
{
    return FilterParser(text).run(error);
}

QStringList FilterExpression::fieldNames()
{
    return kFields;
}

QStringList FilterExpression::valueCompletions(const QString &field)
{
    const QString f = field.toLower();
    if (f == u"method")
        return { QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"),
            QStringLiteral("PATCH"), QStringLiteral("DELETE"), QStringLiteral("HEAD"),
            QStringLiteral("OPTIONS") };
    if (f == u"status")
        return { QStringLiteral("2xx"), QStringLiteral("3xx"), QStringLiteral("4xx"), QStringLiteral("5xx"),
            QStringLiteral("404"), QStringLiteral(">=400"), QStringLiteral(">=500") };
    if (f == u"error" || f == u"sample" || f == u"proxied")
        return { QStringLiteral("true"), QStringLiteral("false") };
    if (f == u"duration")
        return { QStringLiteral(">100ms"), QStringLiteral(">200ms"), QStringLiteral(">500ms"),
            QStringLiteral(">1s") };
    if (f == u"scheme")
        return { QStringLiteral("http"), QStringLiteral("https") };
    if (f == u"protocol")
        return { QStringLiteral("HTTP/2"), QStringLiteral("HTTP/1.1") };
    if (f == u"header")
        return { QStringLiteral("x-request-id"), QStringLiteral("authorization"),
            QStringLiteral("content-type"), QStringLiteral("traceparent") };
    return {};
}

} // namespace portico::capture
