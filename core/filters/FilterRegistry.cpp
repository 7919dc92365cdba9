#include "core/filters/FilterRegistry.h"

namespace portico::filters {

namespace {

template<class... Filters> std::vector<FilterRegistration> registrations(FilterTypes<Filters...>)
{
    int order = 0;
    return { FilterRegistration { Filters::kName, order++, &Filters::make }... };
}

} // namespace

const std::vector<FilterRegistration> &filterRegistry()
{
    static const std::vector<FilterRegistration> registry = registrations(RegisteredFilters {});
    return registry;
}

} // namespace portico::filters
