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

FilterList AuthFilters::make(const FilterBuildContext &context, QStringList &errors)
{
    const config::Workspace &workspace = context.workspace;
    const config::Route &route = context.route;
    FilterServices &services = context.services;
    const Config &config = route.filters.value<Config>();
    if (config.schemes.isEmpty())
        return {};
    auto consumers = std::make_shared<const ConsumerDirectory>(workspace);
    auto fail = [&](const QString &scheme, const QString &message) -> AuthMethodPtr {
        errors.append(QStringLiteral("route %1, auth %2: %3").arg(route.name, scheme, message));
        return std::make_shared<BrokenAuth>(scheme, services.metrics);
    };

    std::vector<AuthMethodPtr> methods;
    for (const QString &name : config.schemes) {
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
            if (!error.isEmpty())
                errors.append(QStringLiteral("route %1, auth %2: %3").arg(route.name, name, error));
            methods.push_back(std::move(jwt));
            break;
        }
        case config::AuthType::OAuth2Introspection: {
            QString error;
            auto introspect = std::make_shared<IntrospectionAuth>(*scheme, consumers, services, &error);
            if (!error.isEmpty())
                errors.append(QStringLiteral("route %1, auth %2: %3").arg(route.name, name, error));
            methods.push_back(std::move(introspect));
            break;
        }
        }
    }
    return { std::make_shared<AuthFilter>(std::move(methods), config.hideCredentials) };
}

} // namespace portico::filters::auth
