#include "core/gateway/RuntimeConfig.h"

#include "core/filters/FilterServices.h"
#include "core/filters/acl/AclFactory.h"
#include "core/filters/auth/AuthFactory.h"
#include "core/filters/mock/MockFactory.h"
#include "core/filters/ratelimit/RateLimitFactory.h"
#include "core/filters/transform/TransformFactory.h"
#include "core/filters/versioning/VersioningFactory.h"

namespace portico::gateway {

// The fixed order of a route's filters in the request direction (responses run it backwards):
//   authentication -> authorization (groups) -> rate limits -> versioning
//   -> request/response transforms -> mock.
// The mock comes last so that the response transforms before it also shape its answers.
std::vector<filters::FilterPtr> buildFilterChain(const config::Workspace &ws, const config::Route &route,
                                                 filters::FilterServices &services, QStringList *errors)
{
    std::vector<filters::FilterPtr> chain;
    auto append = [&](std::vector<filters::FilterPtr> more) {
        for (auto &f : more) {
            if (f)
                chain.push_back(std::move(f));
        }
    };
    auto appendOne = [&](filters::FilterPtr f, const QString &error) {
        if (!error.isEmpty())
            errors->append(error);
        if (f)
            chain.push_back(std::move(f));
    };

    append(filters::auth::makeAuthFilters(ws, route, services, errors));
    append(filters::acl::makeAclFilters(ws, route, services));
    append(filters::ratelimit::makeRateLimitFilters(ws, route, services));
    QString error;
    appendOne(filters::makeVersioningFilter(ws, route, services, &error), error);
    error.clear();
    append(filters::makeTransformFilters(ws, route, services, &error));
    if (!error.isEmpty())
        errors->append(error);
    error.clear();
    appendOne(filters::makeMockFilter(ws, route, services, &error), error);
    return chain;
}

} // namespace portico::gateway
