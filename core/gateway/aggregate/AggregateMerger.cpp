#include "core/gateway/aggregate/AggregateMerger.h"

#include "core/http/Compression.h"
#include "core/http/HttpMessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <optional>

namespace portico::gateway {

namespace {

QByteArray jsonString(const QString &s)
{
    const QByteArray array = QJsonDocument(QJsonArray { s }).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2); // strip [ ]
}

// `body` as one JSON value (object, array or scalar), or nothing. QJsonDocument only parses
// containers, so the value is parsed inside an array of exactly one element.
std::optional<QByteArray> singleJsonValue(const QByteArray &body)
{
    const QByteArray trimmed = body.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson('[' + trimmed + ']', &error);
    if (error.error != QJsonParseError::NoError || doc.array().size() != 1)
        return std::nullopt;
    return trimmed;
}

struct PartValue
{
    QByteArray json;
    bool failed = false;
    QString detail;
};

PartValue errorValue(int status, const QString &detail, const std::optional<QByteArray> &upstreamBody = {})
{
    QJsonObject error {
        { QStringLiteral("status"), status },
        { QStringLiteral("title"), QString::fromLatin1(http::reasonPhrase(status)) },
        { QStringLiteral("detail"), detail },
    };
    QByteArray json
        = QJsonDocument(QJsonObject { { QStringLiteral("error"), error } }).toJson(QJsonDocument::Compact);
    if (upstreamBody) {
        // {"error":{...}} -> {"error":{...,"body":<upstream JSON>}}, the body kept byte for byte.
        json.chop(2);
        json += ",\"body\":" + *upstreamBody + "}}";
    }
    return { json, true, detail };
}

QString upstreamName(const AggregatePartResult &part)
{
    return part.upstream.isEmpty() ? QStringLiteral("the upstream")
                                   : QStringLiteral("upstream '%1'").arg(part.upstream);
}

PartValue partValue(const AggregatePartResult &part, qint64 maxBytes)
{
    const QString who = upstreamName(part);
    const QString why = part.error.isEmpty() ? QString() : QStringLiteral(": ") + part.error;
    switch (part.outcome) {
    case AggregatePartResult::Outcome::Timeout:
        return errorValue(504, QStringLiteral("%1 did not answer in time%2").arg(who, why));
    case AggregatePartResult::Outcome::Unavailable:
        return errorValue(503, QStringLiteral("%1 has no healthy target%2").arg(who, why));
    case AggregatePartResult::Outcome::Failed:
        return errorValue(502, QStringLiteral("%1 could not be reached%2").arg(who, why));
    case AggregatePartResult::Outcome::Response:
        break;
    }

    QString decodeError;
    const http::Compression::Coding coding
        = http::Compression::codingOf(part.headers.combined("Content-Encoding"));
    const std::optional<QByteArray> body
        = http::Compression::decode(coding, part.body, maxBytes, &decodeError);
    if (!body)
        return errorValue(
            502, QStringLiteral("the answer of %1 could not be decoded: %2").arg(who, decodeError));

    const bool success = part.status >= 200 && part.status < 300;
    if (!success) {
        return errorValue(part.status >= 100 && part.status <= 599 ? part.status : 502,
            QStringLiteral("%1 answered %2 %3")
                .arg(who)
                .arg(part.status)
                .arg(QString::fromLatin1(http::reasonPhrase(part.status))),
            singleJsonValue(*body));
    }
    if (body->trimmed().isEmpty())
        return { QByteArray("null"), false, {} };
    if (std::optional<QByteArray> json = singleJsonValue(*body))
        return { *json, false, {} };
    return errorValue(
        502, QStringLiteral("%1 answered %2 with a body that is not JSON").arg(who).arg(part.status));
}

} // namespace

AggregateMerger::AggregateMerger(qint64 maxPartBytes)
    : m_maxPartBytes(maxPartBytes)
{
}

AggregateResponse AggregateMerger::merge(const QList<AggregatePartResult> &parts) const
{
    AggregateResponse out;
    QSet<QString> seen;
    QByteArray body = "{";
    int merged = 0;
    for (const AggregatePartResult &part : parts) {
        if (seen.contains(part.key))
            continue;
        seen.insert(part.key);
        const PartValue value = partValue(part, m_maxPartBytes);
        if (merged++ > 0)
            body += ',';
        body += jsonString(part.key) + ':' + value.json;
        if (value.failed) {
            ++out.failedParts;
            out.notes.append(QStringLiteral("aggregate part '%1' failed: %2").arg(part.key, value.detail));
        }
    }
    body += '}';
    out.body = body;
    out.status = merged > 0 && out.failedParts == merged ? 502 : 200;
    out.headers.add("Content-Type", "application/json");
    return out;
}

} // namespace portico::gateway
