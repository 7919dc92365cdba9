#pragma once

#include "core/filters/Filter.h"
#include "core/filters/transform/HeaderTransform.h"
#include "core/filters/transform/JsonPathRemover.h"

namespace portico::filters {

// A route's `response.headers` operations (onResponseHead) and `response.json.remove`
// (onResponseBody). Placed last in the chain, so on the way back it runs first.
//
// JSON field removal:
// - applies only to JSON media types (application/json, application/*+json) with a body (not HEAD,
//   1xx, 204, 304); wantsResponseBody() is false otherwise, so other bodies stream unbuffered;
// - sees through gzip and deflate: the body is decoded (capped at limits.max_body_bytes, so a
//   small compressed body cannot expand without bound), rewritten, and encoded again with the same
//   coding. onRequest() narrows the request's Accept-Encoding to those codings so that upstreams do
//   not pick one the filter cannot read, and drops Range/If-Range (a byte range of a document
//   cannot be parsed, so a 206 JSON answer fails closed);
// - a body that is not valid JSON passes unchanged, with the parser's reason in ctx.notes;
// - a body it must inspect but cannot (unsupported or corrupt coding, decoded size over the cap)
//   FAILS CLOSED: the answer becomes a 502 problem, never the unfiltered body with its sensitive
//   fields. (The proxy separately enforces max_body_bytes on the buffered body with a 502.)
// - a body with nothing to remove keeps its exact bytes; otherwise it is re-serialised compactly
//   (duplicate keys collapse to the last one, as Qt parses them; integers beyond 64 bits become
//   doubles), Content-Length (when present) is set to the new length and a strong ETag is weakened.
class ResponseTransformFilter final : public HttpFilter
{
public:
    ResponseTransformFilter(HeaderTransform headers, JsonPathRemover json, qint64 maxBodyBytes);

    const char *name() const override { return "response-transform"; }
    FilterStatus onRequest(RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &callbacks) override;
    void onResponseHead(RequestContext &ctx, http::ResponseHead &head) override;
    bool wantsResponseBody(const RequestContext &ctx, const http::ResponseHead &head) const override;
    void onResponseBody(RequestContext &ctx, http::ResponseHead &head, QByteArray &body) override;

    // application/json or application/<anything>+json, parameters and case ignored.
    static bool isJsonMediaType(QByteArrayView contentType);

private:
    void failClosed(
        RequestContext &ctx, http::ResponseHead &head, QByteArray &body, const QString &why) const;

    const HeaderTransform m_headers;
    const JsonPathRemover m_json;
    const qint64 m_maxBodyBytes;
};

} // namespace portico::filters
