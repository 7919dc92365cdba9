#include "core/capture/ReplayQuery.h"

#include "core/capture/RedactionPolicy.h"

#include <QUrl>

#include <algorithm>

namespace portico::capture::replay_detail {

namespace {

QString decodeQueryPiece(QByteArray piece)
{
    piece.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(piece));
}

} // namespace

QList<QueryPart> queryParts(const QString &encodedQuery)
{
    QList<QueryPart> parts;
    if (encodedQuery.isEmpty())
        return parts;
    for (const QByteArray &text : encodedQuery.toUtf8().split('&')) {
        if (text.isEmpty())
            continue;
        const qsizetype eq = text.indexOf('=');
        QueryPart p;
        p.text = text;
        p.name = decodeQueryPiece(eq < 0 ? text : text.left(eq));
        p.redacted
            = eq >= 0 && decodeQueryPiece(text.mid(eq + 1)) == QLatin1StringView(RedactionPolicy::kMarker);
        parts.append(p);
    }
    return parts;
}

CapturedTarget capturedTarget(const Exchange &e)
{
    if (!e.path.isEmpty())
        return { e.path, e.query };
    const QUrl url(e.url);
    return { url.path(QUrl::FullyEncoded), url.query(QUrl::FullyEncoded) };
}

QList<QueryPart> overrideParts(const ReplayOptions &options)
{
    QList<QueryPart> parts;
    for (const auto &[name, value] : options.query) {
        QueryPart p;
        p.text = QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
        p.name = name;
        parts.append(p);
    }
    for (const QueryPart &t : queryParts(options.target.query(QUrl::FullyEncoded))) {
        parts.removeIf([&t](const QueryPart &p) { return p.name == t.name; });
        parts.append(t);
    }
    return parts;
}

QList<QueryPart> mergedQuery(const QString &originalQuery, const ReplayOptions &options)
{
    const QList<QueryPart> overrides = overrideParts(options);
    QList<QueryPart> parts = queryParts(originalQuery);
    parts.removeIf([&overrides](const QueryPart &p) {
        return std::any_of(
            overrides.cbegin(), overrides.cend(), [&p](const QueryPart &o) { return o.name == p.name; });
    });
    for (QueryPart o : overrides) {
        o.redacted = false; // whatever the user typed is what they mean to send
        parts.append(o);
    }
    return parts;
}

} // namespace portico::capture::replay_detail
