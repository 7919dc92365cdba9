#pragma once

// The acl filter's config: a route's `allow_groups` (consumer groups let through after auth).

#include "core/config/FilterConfig.h"

#include <QStringList>

namespace portico::config {

struct AclConfig final : FilterConfigBase<AclConfig>
{
    static constexpr const char *kName = "acl";
    QStringList allowGroups; // empty = any authenticated consumer

    static const QStringList &routeKeys();
    static void parse(YamlReader &r, const QString &key, const YAML::Node &node, const QString &path,
        FilterConfigs &configs);
    bool isEmpty() const override { return allowGroups.isEmpty(); }
    void validate(ValidationSink &sink, const Route &route, const QString &routePath) const override;
    void write(const TreeWriter &w, const QString &routePath, WorkspaceTree &route) const override;
    bool operator==(const AclConfig &) const = default;
};

} // namespace portico::config
