#pragma once

// The list of filters. Each filter lives in its own folder, core/filters/<name>/:
//   <Name>Config.h/.cpp - its config type: the route keys it reads, parse, validate, write
//                          (compiled into portico_config, for the loader, writer and exporters);
//   <Name>Factory.h/.cpp - its entry below: Config, kName and make() with the one FilterFactory
//                          signature (Filter.h);
//   its filter classes.
// Everything that handles route filters goes through this list and names none of them: the route
// parser (which keys a route may have, who parses each), the validator, the writer, equality of
// routes (FilterConfigs) and the filter chain (gateway::buildFilterChain).
//
// An entry is a type with:
//   using Config = ...;                  the FilterConfig subclass, or void when the filter reads
//                                        the route's backend instead (versioning, mock);
//   static constexpr const char *kName;  its name (Config::kName when it has a config);
//   static FilterList make(const FilterBuildContext &, QStringList &errors);

#include "core/filters/Filter.h"
#include "core/filters/acl/AclFactory.h"
#include "core/filters/auth/AuthFactory.h"
#include "core/filters/mock/MockFactory.h"
#include "core/filters/ratelimit/RateLimitFactory.h"
#include "core/filters/transform/TransformFactory.h"
#include "core/filters/versioning/VersioningFactory.h"

namespace portico::filters {

template<class... Filters> struct FilterTypes
{
};

// Every filter, in chain order: requests run it from the top, responses from the bottom. Adding a
// filter is its folder and one line here.
// clang-format off
using RegisteredFilters = FilterTypes<
    auth::AuthFilters,             // who is calling (any one of the route's auth schemes)
    acl::AclFilters,               // may they (allow_groups)
    ratelimit::RateLimitFilters,   // how often (the route's and the consumer tier's limits)
    versioning::VersioningFilters, // which version's upstream (versions routes)
    transform::TransformFilters,   // request and response rewriting
    mock::MockFilters>;            // answers itself (mock routes); last, so transforms shape it too
// clang-format on

struct FilterRegistration
{
    const char *name;
    int order; // position in the chain, from 0
    FilterFactory make;
};

// The runtime view of RegisteredFilters: name, order and factory of each filter, in chain order.
const std::vector<FilterRegistration> &filterRegistry();

} // namespace portico::filters
