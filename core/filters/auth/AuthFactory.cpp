#include "core/filters/auth/AuthFactory.h"

#include "core/filters/FilterServices.h"
#include "core/filters/auth/ApiKeyAuth.h"
#include "core/filters/auth/AuthFilter.h"
#include "core/filters/auth/ConsumerDirectory.h"
#include "core/filters/auth/IntrospectionAuth.h"
#include "core/filters/auth/JwtAuth.h"

namespace portico::filters::auth {

namespace {

// Stands in for a scheme that could not be built: refuses everything, counted as misconfigured.
class BrokenAuth final : public AuthMethod
{
public:
    BrokenAuth(const QString &name, MetricsRegistry *metrics)
        : AuthMethod(name, metrics)
    {
    }
    std::optional<AuthResult> authenticate(
        const http::RequestHead &, const std::shared_ptr<FilterCallbacks> &, Done) const override
    {
        return AuthResult::rejected(AuthReason::Misconfigured);
    }
    QByteArray challenge(bool) const override { return QByteArrayLiteral("Bearer realm=\"portico\""); }
};

} // namespace

std::vector<FilterPtr> makeAuthFilters(const config::Workspace &workspace, const config::Route &route,
    FilterServices &services, QStringList *errors)
{
    if (route.auth.isEmpty())
        return {};
    auto consumers = std::make_shared<const ConsumerDirectory>(workspace);
    auto fail = [&](const QString &scheme, const QString &message) -> AuthMethodPtr {
        if (errors)
            errors->append(QStringLiteral("route %1, auth %2: %3").arg(route.name, scheme, message));
        return std::make_shared<BrokenAuth>(scheme, services.metrics);
    };

    std::vector<AuthMethodPtr> methods;
    for (const QString &name : route.auth) {
        const config::AuthScheme *scheme = workspace.findAuth(name);
        if (!scheme) {
            methods.push_back(fail(name, QStringLiteral("no such auth scheme")));
            continue;
        }
        switch (scheme->type) {
        case config::AuthType::ApiKey:
            methods.push_back(std::make_shared<ApiKeyAuth>(*scheme, consumers, services.metrics));
            break;
        case config::AuthType::Jwt: {
            QString error;
            auto jwt = std::make_shared<JwtAuth>(*scheme, workspace, consumers, services, &error);
            if (!error.isEmpty() && errors)
                errors->append(QStringLiteral("route %1, auth %2: %3").arg(route.name, name, error));
            methods.push_back(std::move(jwt));
            break;
        }
        case config::AuthType::OAuth2Introspection: {
            QString error;
            auto introspect = std::make_shared<IntrospectionAuth>(*scheme, consumers, services, &error);
            if (!error.isEmpty() && errors)
                errors->append(QStringLiteral("route %1, auth %2: %3").arg(route.name, name, error));
            methods.push_back(std::move(introspect));
            break;
        }
        }
    }
    return { std::make_shared<AuthFilter>(std::move(methods), route.hideCredentials) };
}

} // namespace portico::filters::auth
