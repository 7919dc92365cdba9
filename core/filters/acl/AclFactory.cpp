#include "core/filters/acl/AclFactory.h"

#include "core/common/Metrics.h"
#include "core/filters/FilterServices.h"
#include "core/filters/acl/AclFilter.h"

namespace portico::filters::acl {

FilterList AclFilters::make(const FilterBuildContext &context, QStringList &)
{
    const QStringList &allowGroups = context.route.filters.value<Config>().allowGroups;
    if (allowGroups.isEmpty())
        return {};
    FilterServices &services = context.services;
    Counter *forbidden = nullptr;
    Counter *unauthenticated = nullptr;
    if (services.metrics) {
        const QByteArray help = "Requests refused by authentication";
        forbidden = &services.metrics->counter(
            "portico_auth_failures_total", help, { { "scheme", "acl" }, { "reason", "forbidden" } });
        unauthenticated = &services.metrics->counter(
            "portico_auth_failures_total", help, { { "scheme", "acl" }, { "reason", "missing" } });
    }
    return { std::make_shared<AclFilter>(allowGroups, forbidden, unauthenticated) };
}

} // namespace portico::filters::acl
