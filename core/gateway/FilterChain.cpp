#include "core/gateway/RuntimeConfig.h"

#include "core/filters/FilterRegistry.h"
#include "core/filters/FilterServices.h"

namespace portico::gateway {

// A route's filters in the registry's order (core/filters/FilterRegistry.h), which is the request
// direction; responses run the chain backwards.
std::vector<filters::FilterPtr> buildFilterChain(const config::Workspace &ws, const config::Route &route,
                                                 filters::FilterServices &services, QStringList *errors)
{
    const filters::FilterBuildContext context { ws, route, services };
    std::vector<filters::FilterPtr> chain;
    QStringList problems;
    for (const filters::FilterRegistration &filter : filters::filterRegistry()) {
        for (filters::FilterPtr &f : filter.make(context, problems)) {
            if (f)
                chain.push_back(std::move(f));
        }
    }
    if (errors)
        errors->append(problems);
    return chain;
}

} // namespace portico::gateway
