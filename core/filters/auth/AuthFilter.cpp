#include "core/filters/auth/AuthFilter.h"

#include "core/filters/auth/ApiKeyAuth.h"

namespace portico::filters::auth {

// One request's walk through the schemes. Holds the filter alive across async steps (a reload
// may drop the chain while a JWKS fetch is in flight).
class AuthFilter::Attempt : public std::enable_shared_from_this<Attempt>
{
public:
    Attempt(std::shared_ptr<const AuthFilter> filter, RequestContext &ctx,
        std::shared_ptr<FilterCallbacks> callbacks)
        : m_filter(std::move(filter))
        , m_ctx(ctx)
        , m_callbacks(std::move(callbacks))
    {
    }

    // Runs schemes from m_next on; returns the status to give the proxy when this is the
    // synchronous call, otherwise acts on the callbacks itself.
    FilterStatus run()
    {
        const auto &methods = m_filter->m_methods;
        while (m_next < methods.size()) {
            const AuthMethodPtr &method = methods[m_next];
            auto self = shared_from_this();
            auto result = method->authenticate(
                *m_ctx.request, m_callbacks, [self](AuthResult r) { self->onAsyncResult(std::move(r)); });
            if (!result) {
                m_async = true;
                return FilterStatus::Stop;
            }
            if (record(std::move(*result)))
                return finish();
        }
        return finish();
    }

private:
    void onAsyncResult(AuthResult r)
    {
        if (m_callbacks->cancelled())
            return;
        if (record(std::move(r)))
            finish();
        else
            run();
    }

    // True when this result ends the walk (success).
    bool record(AuthResult r)
    {
        ++m_next;
        const bool success = r.kind == AuthResult::Kind::Success;
        m_results.push_back(std::move(r));
        return success;
    }

    FilterStatus finish()
    {
        const FilterStatus status = m_results.empty() || m_results.back().kind != AuthResult::Kind::Success
            ? refuse()
            : admit(m_results.back());
        if (m_async && status == FilterStatus::Continue)
            m_callbacks->resume();
        return status;
    }

    FilterStatus admit(AuthResult &r)
    {
        m_ctx.consumer = std::move(r.consumer);
        m_ctx.credentialHeader = r.credentialHeader;
        m_ctx.credentialQuery = r.credentialQuery;
        if (m_filter->m_hideCredentials) {
            http::RequestHead &req = *m_ctx.request;
            if (!r.credentialHeader.isEmpty())
                req.headers.remove(r.credentialHeader);
            if (!r.credentialQuery.isEmpty()) {
                req.query = ApiKeyAuth::removeQueryParam(req.query, r.credentialQuery);
                req.target = req.pathAndQuery();
            }
        }
        return FilterStatus::Continue;
    }

    FilterStatus refuse()
    {
        const auto &methods = m_filter->m_methods;
        const AuthResult *counted = nullptr;
        size_t countedIndex = 0;
        bool unavailable = false;
        bool presented = false;
        for (size_t i = 0; i < m_results.size(); ++i) {
            const AuthResult &r = m_results[i];
            if (r.kind == AuthResult::Kind::Unavailable)
                unavailable = true;
            if (r.kind != AuthResult::Kind::NoCredentials && !presented) {
                presented = true;
                counted = &r;
                countedIndex = i;
            }
        }
        if (!counted && !m_results.empty()) {
            counted = &m_results.front();
            countedIndex = 0;
        }
        if (counted)
            methods[countedIndex]->countFailure(counted->reason);

        LocalReply reply;
        if (unavailable) {
            reply.status = 503;
            reply.title = QStringLiteral("Service Unavailable");
            reply.detail = QStringLiteral("The credentials could not be checked right now; try again later.");
            reply.typeSuffix = "auth-unavailable";
            reply.headers.set("Retry-After", "5");
        } else {
            reply.status = 401;
            reply.title = QStringLiteral("Unauthorized");
            reply.detail = presented ? QStringLiteral("The credentials are not valid for this route.")
                                     : QStringLiteral("This route requires authentication.");
            reply.typeSuffix = "unauthorized";
            QList<QByteArray> challenges;
            for (size_t i = 0; i < m_results.size(); ++i) {
                const QByteArray c
                    = methods[i]->challenge(m_results[i].kind != AuthResult::Kind::NoCredentials);
                if (challenges.contains(c))
                    continue;
                challenges.append(c);
            }
            for (const QByteArray &c : challenges)
                reply.headers.add("WWW-Authenticate", c);
        }
        m_callbacks->sendLocalReply(std::move(reply));
        return FilterStatus::Stop;
    }

    std::shared_ptr<const AuthFilter> m_filter;
    RequestContext &m_ctx;
    std::shared_ptr<FilterCallbacks> m_callbacks;
    std::vector<AuthResult> m_results;
    size_t m_next = 0;
    bool m_async = false;
};

AuthFilter::AuthFilter(std::vector<AuthMethodPtr> methods, bool hideCredentials)
    : m_methods(std::move(methods))
    , m_hideCredentials(hideCredentials)
{
}

FilterStatus AuthFilter::onRequest(RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &callbacks)
{
    auto attempt = std::make_shared<Attempt>(shared_from_this(), ctx, callbacks);
    return attempt->run();
}

} // namespace portico::filters::auth
