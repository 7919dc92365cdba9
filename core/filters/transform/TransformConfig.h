#pragma once

// The transform filters' config: a route's `request` (header and query operations before the
// upstream) and `response` (header operations and JSON field removal on the way back).

#include "core/config/ConfigTypes.h"
#include "core/config/FilterConfig.h"

#include <QStringList>

namespace portico::config {

struct HeaderOps
{
    KeyValues set;
    QStringList remove;
    KeyValues rename; // old name -> new name
    bool empty() const { return set.isEmpty() && remove.isEmpty() && rename.isEmpty(); }
    bool operator==(const HeaderOps &) const = default;
};

struct QueryOps
{
    KeyValues set;
    QStringList remove;
    bool empty() const { return set.isEmpty() && remove.isEmpty(); }
    bool operator==(const QueryOps &) const = default;
};

struct RequestTransform
{
    HeaderOps headers;
    QueryOps query;
    bool empty() const { return headers.empty() && query.empty(); }
    bool operator==(const RequestTransform &) const = default;
};

struct ResponseTransform
{
    HeaderOps headers;
    QStringList jsonRemove; // dotted paths, "[*]" over arrays
    bool empty() const { return headers.empty() && jsonRemove.isEmpty(); }
    bool operator==(const ResponseTransform &) const = default;
};

struct TransformConfig final : FilterConfigBase<TransformConfig>
{
    static constexpr const char *kName = "transform";
    RequestTransform request;
    ResponseTransform response;

    static const QStringList &routeKeys();
    static void parse(YamlReader &r, const QString &key, const YAML::Node &node, const QString &path,
        FilterConfigs &configs);
    bool isEmpty() const override { return request.empty() && response.empty(); }
    void validate(ValidationSink &sink, const Route &route, const QString &routePath) const override;
    void write(const TreeWriter &w, const QString &routePath, WorkspaceTree &route) const override;
    bool operator==(const TransformConfig &) const = default;
};

} // namespace portico::config
