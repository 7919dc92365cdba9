#pragma once

#include "core/filters/Filter.h"
#include "core/filters/auth/AuthMethod.h"

#include <vector>

namespace portico::filters::auth {

// Authenticates a request with the schemes a route lists, tried in order: the first that
// succeeds sets ctx.consumer (and ctx.credentialHeader / ctx.credentialQuery); with
// hide_credentials the credential it used is removed from ctx.request before the upstream sees it.
// The proxy forwards ctx.consumer upstream as X-Consumer-Name / X-Consumer-Groups.
//
// When no scheme succeeds the answer is 401 problem+json with one WWW-Authenticate challenge per
// scheme and a generic detail, or 503 when a scheme could not reach its key set or introspection
// endpoint (an outage is never a pass, nor reported as bad credentials). Each refusal counts once
// in portico_auth_failures_total{scheme,reason}: the first scheme that saw a credential, else the
// first scheme with reason "missing".
//
// Schemes may be async (JWKS fetch, introspection): onRequest() then returns Stop and the filter
// later calls resume() or sendLocalReply() on the same worker thread. The RequestContext must stay
// alive until then unless callbacks->cancelled() is true (the contract of FilterCallbacks).
class AuthFilter final : public HttpFilter, public std::enable_shared_from_this<AuthFilter>
{
public:
    AuthFilter(std::vector<AuthMethodPtr> methods, bool hideCredentials);

    const char *name() const override { return "auth"; }
    FilterStatus onRequest(RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &callbacks) override;

    const std::vector<AuthMethodPtr> &methods() const { return m_methods; }

private:
    class Attempt;

    std::vector<AuthMethodPtr> m_methods;
    bool m_hideCredentials;
};

} // namespace portico::filters::auth
