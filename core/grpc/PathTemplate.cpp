#include "core/grpc/PathTemplate.h"

namespace portico::grpc {

namespace {

constexpr qsizetype kMaxTemplate = 4096;
constexpr int kMaxSegments = 64;

bool isIdentStart(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
        || c == QLatin1Char('_');
}

bool isIdent(QChar c)
{
    return isIdentStart(c) || (c >= QLatin1Char('0') && c <= QLatin1Char('9'));
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Percent-decodes `s` (as UTF-8); `keepSlash` leaves %2F as it is. Nothing when an escape is
// malformed or the result is not UTF-8.
std::optional<QString> decode(QStringView s, bool keepSlash)
{
    if (!s.contains(QLatin1Char('%')))
        return s.toString(); // nothing to decode (the common case, no round trip through UTF-8)
    const QByteArray in = s.toUtf8();
    QByteArray out;
    out.reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size())
            return std::nullopt;
        const int hi = hexValue(in[i + 1]);
        const int lo = hexValue(in[i + 2]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        const char c = char(hi * 16 + lo);
        if (keepSlash && c == '/')
            out += in.mid(i, 3);
        else
            out += c;
        i += 2;
    }
    const QString text = QString::fromUtf8(out);
    if (text.contains(QChar::ReplacementCharacter) && !s.contains(QChar::ReplacementCharacter))
        return std::nullopt;
    return text;
}

} // namespace

std::optional<PathTemplate> PathTemplate::parse(const QString &text, QString *error)
{
    const auto fail = [&](qsizetype at, const QString &why) {
        *error = QStringLiteral("path template '%1', at %2: %3").arg(text.left(200)).arg(at + 1).arg(why);
        return std::nullopt;
    };
    if (text.size() > kMaxTemplate)
        return fail(0, QStringLiteral("longer than %1 characters").arg(kMaxTemplate));
    if (!text.startsWith(QLatin1Char('/')))
        return fail(0, QStringLiteral("must start with '/'"));
    PathTemplate t;
    t.m_text = text;
    qsizetype end = text.size();
    // The verb: a ':' in the last segment, outside braces.
    int depth = 0;
    qsizetype lastSlash = 0;
    qsizetype colon = -1;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c == QLatin1Char('{'))
            ++depth;
        else if (c == QLatin1Char('}'))
            --depth;
        else if (depth == 0 && c == QLatin1Char('/'))
            lastSlash = i, colon = -1;
        else if (depth == 0 && c == QLatin1Char(':') && colon < 0)
            colon = i;
    }
    if (colon > lastSlash) {
        t.m_verb = text.mid(colon + 1);
        if (t.m_verb.isEmpty() || t.m_verb.contains(QLatin1Char('{')) || t.m_verb.contains(QLatin1Char('}'))
            || t.m_verb.contains(QLatin1Char('*')))
            return fail(colon, QStringLiteral("a verb is ':' and a literal"));
        end = colon;
    }

    // One segment (a literal, '*' or '**') ending at '/', '}' or `stop`.
    const auto segment = [&](qsizetype &pos, qsizetype stop, bool inVariable) -> std::optional<Segment> {
        qsizetype e = pos;
        while (e < stop && text[e] != QLatin1Char('/') && text[e] != QLatin1Char('}') && text[e] != QLatin1Char('{')
               && text[e] != QLatin1Char('='))
            ++e;
        const QStringView word = QStringView(text).mid(pos, e - pos);
        if (word.isEmpty()) {
            fail(pos, inVariable ? QStringLiteral("empty segment in a variable") : QStringLiteral("empty segment"));
            return std::nullopt;
        }
        Segment s;
        if (word == u"*") {
            s.kind = Kind::Single;
        } else if (word == u"**") {
            s.kind = Kind::Rest;
        } else {
            if (word.contains(QLatin1Char('*'))) {
                fail(pos, QStringLiteral("'*' must be a whole segment"));
                return std::nullopt;
            }
            const auto literal = decode(word, false);
            if (!literal) {
                fail(pos, QStringLiteral("malformed percent-encoding"));
                return std::nullopt;
            }
            s.literal = *literal;
        }
        pos = e;
        return s;
    };

    qsizetype pos = 1;
    while (true) {
        if (pos >= end)
            return fail(pos, QStringLiteral("empty segment (a template does not end with '/')"));
        if (text[pos] == QLatin1Char('{')) {
            Variable v;
            qsizetype e = pos + 1;
            while (e < end && (isIdent(text[e]) || text[e] == QLatin1Char('.')))
                ++e;
            v.fieldPath = text.mid(pos + 1, e - pos - 1);
            for (const QString &part : v.fieldPath.split(QLatin1Char('.'))) {
                if (part.isEmpty() || !isIdentStart(part[0]))
                    return fail(pos + 1, QStringLiteral("'%1' is not a field path").arg(v.fieldPath));
            }
            for (const Variable &other : std::as_const(t.m_variables)) {
                if (other.fieldPath == v.fieldPath)
                    return fail(pos + 1, QStringLiteral("'%1' is bound twice").arg(v.fieldPath));
            }
            v.first = int(t.m_segments.size());
            if (e < end && text[e] == QLatin1Char('=')) {
                qsizetype p = e + 1;
                while (true) {
                    if (p < end && text[p] == QLatin1Char('{'))
                        return fail(p, QStringLiteral("variables do not nest"));
                    const auto s = segment(p, end, true);
                    if (!s)
                        return std::nullopt;
                    t.m_segments.append(*s);
                    ++v.count;
                    if (p < end && text[p] == QLatin1Char('/')) {
                        ++p;
                        continue;
                    }
                    break;
                }
                e = p;
            } else {
                t.m_segments.append(Segment { Kind::Single, {} });
                v.count = 1;
            }
            if (e >= end || text[e] != QLatin1Char('}'))
                return fail(e, QStringLiteral("'}' expected"));
            t.m_variables.append(v);
            pos = e + 1;
        } else {
            const auto s = segment(pos, end, false);
            if (!s)
                return std::nullopt;
            if (pos < end && text[pos] != QLatin1Char('/'))
                return fail(pos, QStringLiteral("unexpected '%1'").arg(text[pos]));
            t.m_segments.append(*s);
        }
        if (t.m_segments.size() > kMaxSegments)
            return fail(pos, QStringLiteral("more than %1 segments").arg(kMaxSegments));
        if (pos == end)
            break;
        if (text[pos] != QLatin1Char('/'))
            return fail(pos, QStringLiteral("'/' expected"));
        ++pos;
    }
    for (qsizetype i = 0; i + 1 < t.m_segments.size(); ++i) {
        if (t.m_segments[i].kind == Kind::Rest)
            return fail(0, QStringLiteral("'**' must be the last segment"));
    }
    return t;
}

std::optional<QList<PathTemplate::Binding>> PathTemplate::match(QStringView path) const
{
    if (const qsizetype q = path.indexOf(QLatin1Char('?')); q >= 0)
        path = path.first(q);
    if (!path.startsWith(QLatin1Char('/')))
        return std::nullopt;
    path = path.mid(1);
    if (!m_verb.isEmpty()) {
        const QString suffix = QLatin1Char(':') + m_verb;
        const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
        if (!path.endsWith(suffix) || path.size() - suffix.size() <= slash)
            return std::nullopt;
        path.chop(suffix.size());
    }
    const QList<QStringView> parts = path.split(QLatin1Char('/'));
    // Where each template segment's match starts in `parts` (a Rest segment takes the rest).
    QList<qsizetype> starts(m_segments.size() + 1);
    qsizetype j = 0;
    for (qsizetype i = 0; i < m_segments.size(); ++i) {
        starts[i] = j;
        const Segment &s = m_segments[i];
        if (s.kind == Kind::Rest) {
            j = parts.size(); // zero or more segments
            continue;
        }
        if (j >= parts.size() || parts[j].isEmpty())
            return std::nullopt;
        if (s.kind == Kind::Literal) {
            if (!parts[j].contains(QLatin1Char('%'))) {
                if (parts[j] != s.literal)
                    return std::nullopt;
            } else if (const auto decoded = decode(parts[j], false); !decoded || *decoded != s.literal) {
                return std::nullopt;
            }
        }
        ++j;
    }
    if (j != parts.size())
        return std::nullopt;
    starts[m_segments.size()] = j;
    QList<Binding> out;
    out.reserve(m_variables.size());
    for (const Variable &v : m_variables) {
        const qsizetype from = starts[v.first];
        const qsizetype to = starts[v.first + v.count];
        const bool multi = v.count > 1 || m_segments[v.first].kind == Kind::Rest;
        // The segments as they were in the path, '/' between them.
        const QStringView joined = from < to
            ? QStringView(parts[from].data(), parts[to - 1].data() + parts[to - 1].size())
            : QStringView();
        const auto value = decode(joined, multi);
        if (!value)
            return std::nullopt;
        out.append({ v.fieldPath, *value });
    }
    return out;
}

QStringList PathTemplate::fieldPaths() const
{
    QStringList out;
    for (const Variable &v : m_variables)
        out << v.fieldPath;
    return out;
}

int PathTemplate::specificity() const
{
    int score = m_verb.isEmpty() ? 0 : 1;
    for (const Segment &s : m_segments)
        score += s.kind == Kind::Literal ? 100 : s.kind == Kind::Single ? 10 : 0;
    return score;
}

} // namespace portico::grpc
