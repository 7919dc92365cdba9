#include "core/filters/transform/ResponseTransformFilter.h"

#include "core/http/Compression.h"

#include <QJsonObject>
#include <QJsonParseError>

namespace portico::filters {

ResponseTransformFilter::ResponseTransformFilter(
    HeaderTransform headers, JsonPathRemover json, qint64 maxBodyBytes)
    : m_headers(std::move(headers))
    , m_json(std::move(json))
    , m_maxBodyBytes(maxBodyBytes)
{
}

bool ResponseTransformFilter::isJsonMediaType(QByteArrayView contentType)
{
    const qsizetype semi = contentType.indexOf(';');
    const QByteArray type
        = (semi < 0 ? contentType : contentType.first(semi)).trimmed().toByteArray().toLower();
    if (type == "application/json")
        return true;
    return type.startsWith("application/") && type.endsWith("+json") && !type.contains(' ');
}

FilterStatus ResponseTransformFilter::onRequest(RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &)
{
    if (m_json.isEmpty() || !ctx.request)
        return FilterStatus::Continue;
    http::HttpHeaders &headers = ctx.request->headers;
    // A byte range of a JSON document cannot be parsed, so it could not be filtered: ask for the
    // whole representation.
    headers.remove("Range");
    headers.remove("If-Range");
    if (headers.contains("Accept-Encoding")) {
        const QByteArray narrowed
            = http::Compression::narrowAcceptEncoding(headers.combined("Accept-Encoding"));
        if (narrowed.isEmpty())
            headers.remove("Accept-Encoding");
        else
            headers.set("Accept-Encoding", narrowed);
    }
    return FilterStatus::Continue;
}

void ResponseTransformFilter::onResponseHead(RequestContext &, http::ResponseHead &head)
{
    m_headers.apply(head.headers);
}

bool ResponseTransformFilter::wantsResponseBody(
    const RequestContext &ctx, const http::ResponseHead &head) const
{
    if (m_json.isEmpty())
        return false;
    if (ctx.request && ctx.request->method == "HEAD")
        return false;
    if (head.status < 200 || head.status == 204 || head.status == 304)
        return false;
    return isJsonMediaType(head.headers.value("Content-Type"));
}

void ResponseTransformFilter::onResponseBody(RequestContext &ctx, http::ResponseHead &head, QByteArray &body)
{
    if (body.isEmpty() || !wantsResponseBody(ctx, head))
        return;

    if (head.status == 206) {
        failClosed(ctx, head, body, QStringLiteral("a partial (206) JSON body cannot be filtered"));
        return;
    }
    const QByteArray encoding = head.headers.combined("Content-Encoding");
    const http::Compression::Coding coding = http::Compression::codingOf(encoding);
    if (coding == http::Compression::Coding::Unsupported) {
        failClosed(ctx, head, body,
            QStringLiteral("the response is encoded as '%1', which cannot be decoded to remove JSON fields")
                .arg(QString::fromLatin1(encoding)));
        return;
    }
    QString error;
    const std::optional<QByteArray> decoded = http::Compression::decode(coding, body, m_maxBodyBytes, &error);
    if (!decoded) {
        failClosed(ctx, head, body, QStringLiteral("the response body could not be decoded: %1").arg(error));
        return;
    }

    // RFC 8259 8.1: a parser may ignore a byte order mark; Qt's does not, and a body that slips
    // through as "not JSON" would keep its sensitive fields.
    const QByteArrayView json = QByteArrayView(*decoded).startsWith("\xEF\xBB\xBF")
        ? QByteArrayView(*decoded).sliced(3)
        : QByteArrayView(*decoded);
    QJsonParseError parseError;
    QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // Passing it through would pass the fields this transform exists to remove (a body nested
        // past the parser's limit, invalid UTF-8, a truncated document): fail closed like the rest.
        failClosed(ctx, head, body,
            QStringLiteral("the body is not valid JSON (%1 at offset %2)")
                .arg(parseError.errorString())
                .arg(parseError.offset));
        return;
    }
    const int removed = m_json.apply(doc);
    if (removed == 0)
        return;

    body = http::Compression::encode(coding, doc.toJson(QJsonDocument::Compact));
    if (head.headers.contains("Content-Length"))
        head.headers.set("Content-Length", QByteArray::number(body.size()));
    // The bytes changed, the meaning did not (RFC 9110 8.8.1): a strong validator becomes weak.
    const QByteArray etag = head.headers.value("ETag");
    if (!etag.isEmpty() && !etag.startsWith("W/"))
        head.headers.set("ETag", "W/" + etag);
    ctx.notes.append(QStringLiteral("response.json.remove removed %1 field(s)").arg(removed));
}

void ResponseTransformFilter::failClosed(
    RequestContext &ctx, http::ResponseHead &head, QByteArray &body, const QString &why) const
{
    ctx.notes.append(QStringLiteral("response.json.remove failed closed: %1").arg(why));
    QJsonObject problem {
        { QStringLiteral("type"), QStringLiteral("about:blank") },
        { QStringLiteral("title"), QStringLiteral("Bad Gateway") },
        { QStringLiteral("status"), 502 },
        { QStringLiteral("detail"), why },
    };
    if (!ctx.traceId.isEmpty())
        problem.insert(QStringLiteral("trace_id"), QString::fromLatin1(ctx.traceId));
    body = QJsonDocument(problem).toJson(QJsonDocument::Compact);
    head.status = 502;
    head.reason = http::reasonPhrase(502);
    // Nothing of the upstream's representation may describe this body; headers other filters
    // added (rate limits, deprecation) stay.
    for (const char *name : { "Content-Encoding", "Content-Range", "Content-Language", "Content-Location",
             "ETag", "Last-Modified", "Digest", "Content-MD5" })
        head.headers.remove(name);
    head.headers.set("Content-Type", "application/problem+json");
    head.headers.set("Content-Length", QByteArray::number(body.size()));
}

} // namespace portico::filters
