#pragma once

// The filter interface of the proxy path (modelled on Envoy's http filters, much smaller).
//
// For each route the gateway builds, once per config revision, an ordered chain of filters from
// the route's config: gateway::buildFilterChain() (core/gateway/FilterChain.cpp) calls the factory
// of every filter in core/filters/FilterRegistry.h, in that list's order, each with the same
// signature (FilterFactory below). Filter objects are shared by all worker threads and all
// requests on that route: they must be thread-safe and keep per-request state in RequestContext
// only. Shared mutable state (rate-limit counters, JWKS caches) lives in FilterServices, which
// outlives config reloads.
//
// Request order: onRequest() of each filter in chain order. A filter returns
//   Continue - go on to the next filter (and finally to the upstream);
//   Stop     - the filter has answered through callbacks->sendLocalReply(), or it will call
//              callbacks->resume() or callbacks->sendLocalReply() later, on the same worker thread
//              (async work such as a JWKS fetch or a token introspection).
// Response order: onResponseHead() in reverse chain order, then, only if some filter's
// wantsResponseBody() said so, the proxy buffers the body (up to limits.max_body_bytes) and calls
// onResponseBody() in reverse order. Local replies pass through onResponseHead() too, so headers
// such as RateLimit-* or Deprecation reach every answer.

#include "core/common/Clock.h"
#include "core/config/Workspace.h"
#include "core/http/HttpMessage.h"

#include <QHostAddress>
#include <QStringList>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

class QNetworkAccessManager;

namespace portico {
class MetricsRegistry;
}

namespace portico::filters {

// Who is calling, once an auth filter has said so.
struct ConsumerIdentity
{
    QString name;
    QStringList groups;
    QString tier;      // empty = none
    QString scheme;    // the auth scheme that authenticated it
    bool anonymous = false; // a JWT subject with no configured consumer (named after the claim)
};

// State of one exchange shared by the filters of its chain.
struct RequestContext
{
    http::RequestHead *request = nullptr; // mutable: filters may change method/path/query/headers
    QHostAddress clientAddress {};
    bool tls = false;
    const config::Workspace *workspace = nullptr;
    const config::Route *route = nullptr;
    std::optional<ConsumerIdentity> consumer {};
    // Credentials an auth filter found, so hide_credentials can strip exactly what was used.
    QByteArray credentialHeader {}; // header name carrying the key/token, if any
    QByteArray credentialQuery {}; // query parameter carrying the key, if any
    QString apiVersion {}; // chosen version (versions routes)
    QString upstreamName {}; // chosen upstream (versions routes pick it; else route.upstream)
    QByteArray traceId {};
    // Headers added to whatever answers this request, the upstream's or a local reply.
    http::HttpHeaders extraResponseHeaders {};
    QStringList notes {}; // recorded in the capture (e.g. why a JSON transform did not apply)
    std::chrono::steady_clock::time_point receivedAt {};
};

// A response the gateway produces itself: rendered as application/problem+json (RFC 9457) with
// type, title, status, detail and the trace id.
struct LocalReply
{
    int status = 500;
    QString title;
    QString detail;
    http::HttpHeaders headers; // e.g. WWW-Authenticate, Retry-After
    QByteArray typeSuffix;     // problem type URI suffix, e.g. "rate-limited"
};

// Handed to a filter for one request. Safe to keep (shared_ptr) across async work: once the
// client has gone, resume()/sendLocalReply() do nothing and cancelled() is true.
class FilterCallbacks
{
public:
    virtual ~FilterCallbacks() = default;
    virtual void resume() = 0;
    virtual void sendLocalReply(LocalReply reply) = 0;
    // Answer with a response the filter built itself (mock routes): status, headers and body as
    // given; the proxy adds framing, X-Request-Id and ctx.extraResponseHeaders.
    virtual void sendResponse(http::ResponseHead head, QByteArray body) = 0;
    virtual bool cancelled() const = 0;
    // This worker thread's HTTP client (JWKS fetches, token introspection).
    virtual QNetworkAccessManager &network() = 0;
};

enum class FilterStatus { Continue, Stop };

class HttpFilter
{
public:
    virtual ~HttpFilter() = default;
    virtual const char *name() const = 0;

    virtual FilterStatus onRequest(RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &callbacks)
    {
        Q_UNUSED(ctx);
        Q_UNUSED(callbacks);
        return FilterStatus::Continue;
    }
    virtual void onResponseHead(RequestContext &ctx, http::ResponseHead &head)
    {
        Q_UNUSED(ctx);
        Q_UNUSED(head);
    }
    virtual bool wantsResponseBody(const RequestContext &ctx, const http::ResponseHead &head) const
    {
        Q_UNUSED(ctx);
        Q_UNUSED(head);
        return false;
    }
    // `body` is the whole, decoded (identity) body; the filter may rewrite it. The proxy fixes
    // Content-Length and content coding afterwards.
    virtual void onResponseBody(RequestContext &ctx, http::ResponseHead &head, QByteArray &body)
    {
        Q_UNUSED(ctx);
        Q_UNUSED(head);
        Q_UNUSED(body);
    }
};

using FilterPtr = std::shared_ptr<HttpFilter>;
using FilterList = std::vector<FilterPtr>;

struct FilterServices;

// What a factory builds a route's filters from. The filter's own config is
// route.filters.get<ItsConfig>() (or, for versioning and mock, the route's backend).
struct FilterBuildContext
{
    const config::Workspace &workspace;
    const config::Route &route;
    FilterServices &services;
};

// The one factory signature: the route's filters of one kind, in chain order (none when the route
// does not use the filter). A config that cannot be built is reported in `errors` (one message per
// problem, naming the route); the factory then returns what fails closed, or nothing.
using FilterFactory = FilterList (*)(const FilterBuildContext &context, QStringList &errors);

} // namespace portico::filters
