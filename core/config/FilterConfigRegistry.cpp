#include "core/config/FilterConfigRegistry.h"

// Only the filters' config types are used here (no factory is called), so portico_config does not
// link the filters.
#include "core/filters/FilterRegistry.h"

#include <type_traits>

namespace portico::config {

namespace {

template<class Filter> void addType(std::vector<FilterConfigType> &types)
{
    using Config = typename Filter::Config;
    if constexpr (!std::is_void_v<Config>)
        types.push_back(
            FilterConfigType { QLatin1String(Config::kName), &Config::routeKeys(), &Config::parse });
}

template<class... Filters> std::vector<FilterConfigType> configTypes(filters::FilterTypes<Filters...>)
{
    std::vector<FilterConfigType> types;
    (addType<Filters>(types), ...);
    return types;
}

} // namespace

const std::vector<FilterConfigType> &filterConfigTypes()
{
    static const std::vector<FilterConfigType> types = configTypes(filters::RegisteredFilters {});
    return types;
}

const FilterConfigType *filterConfigTypeForKey(const QString &key)
{
    for (const FilterConfigType &type : filterConfigTypes()) {
        if (type.routeKeys->contains(key))
            return &type;
    }
    return nullptr;
}

} // namespace portico::config
