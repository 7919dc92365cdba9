#pragma once

// The factories as the filter tests call them: one filter family each, with the errors or the
// first error where a test looks at one. Every filter has the one FilterFactory signature
// (core/filters/FilterRegistry.h); these only adapt its result to what the tests check.

#include "core/filters/FilterServices.h"
#include "core/filters/acl/AclFactory.h"
#include "core/filters/auth/AuthFactory.h"
#include "core/filters/mock/MockFactory.h"
#include "core/filters/ratelimit/RateLimitFactory.h"
#include "core/filters/transform/TransformFactory.h"
#include "core/filters/versioning/VersioningFactory.h"

namespace portico::filters {

namespace shims {

template<class Filters>
FilterList make(const config::Workspace &ws, const config::Route &route, FilterServices &services,
    QStringList *errors = nullptr)
{
    QStringList local;
    return Filters::make(FilterBuildContext { ws, route, services }, errors ? *errors : local);
}

template<class Filters>
FilterList makeWithError(
    const config::Workspace &ws, const config::Route &route, FilterServices &services, QString *error)
{
    QStringList errors;
    FilterList filters = make<Filters>(ws, route, services, &errors);
    if (error)
        *error = errors.value(0);
    return filters;
}

inline FilterPtr single(FilterList filters)
{
    return filters.empty() ? nullptr : filters.front();
}

} // namespace shims

namespace auth {
inline FilterList makeAuthFilters(const config::Workspace &ws, const config::Route &route,
    FilterServices &services, QStringList *errors = nullptr)
{
    return shims::make<AuthFilters>(ws, route, services, errors);
}
} // namespace auth

namespace acl {
inline FilterList makeAclFilters(
    const config::Workspace &ws, const config::Route &route, FilterServices &services)
{
    return shims::make<AclFilters>(ws, route, services);
}
} // namespace acl

namespace ratelimit {
inline FilterList makeRateLimitFilters(
    const config::Workspace &ws, const config::Route &route, FilterServices &services)
{
    return shims::make<RateLimitFilters>(ws, route, services);
}
} // namespace ratelimit

inline FilterPtr makeVersioningFilter(
    const config::Workspace &ws, const config::Route &route, FilterServices &services, QString *error)
{
    return shims::single(shims::makeWithError<versioning::VersioningFilters>(ws, route, services, error));
}

inline FilterList makeTransformFilters(
    const config::Workspace &ws, const config::Route &route, FilterServices &services, QString *error)
{
    return shims::makeWithError<transform::TransformFilters>(ws, route, services, error);
}

inline FilterPtr makeMockFilter(
    const config::Workspace &ws, const config::Route &route, FilterServices &services, QString *error)
{
    return shims::single(shims::makeWithError<mock::MockFilters>(ws, route, services, error));
}

} // namespace portico::filters
