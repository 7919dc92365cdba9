#pragma once

// The config side of core/filters/FilterRegistry.h: for each filter with route keys (in chain order),
// the keys and the parser. Validation and writing go through the configs themselves
// (FilterConfig::validate, ::write), in this order.

#include "core/config/FilterConfig.h"

#include <QStringList>

#include <vector>

namespace portico::config {

struct FilterConfigType
{
    QLatin1String name;
    const QStringList *routeKeys;
    // Reads one of routeKeys (key, node, path) into the route's configs.
    void (*parse)(YamlReader &r, const QString &key, const YAML::Node &node, const QString &path,
        FilterConfigs &configs);
};

const std::vector<FilterConfigType> &filterConfigTypes();
// The type reading `key` of a route, or null.
const FilterConfigType *filterConfigTypeForKey(const QString &key);

} // namespace portico::config
