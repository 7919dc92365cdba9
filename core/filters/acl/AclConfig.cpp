#include "core/filters/acl/AclConfig.h"

#include "core/config/ValidationSink.h"
#include "core/config/WorkspaceTree.h"
#include "core/config/YamlReader.h"
#include "core/filters/auth/AuthConfig.h"

#include <algorithm>

namespace portico::config {

const QStringList &AclConfig::routeKeys()
{
    static const QStringList keys { "allow_groups" };
    return keys;
}

void AclConfig::parse(
    YamlReader &r, const QString &, const YAML::Node &node, const QString &path, FilterConfigs &configs)
{
    configs.edit<AclConfig>().allowGroups = r.stringList(node, path);
}

void AclConfig::validate(ValidationSink &sink, const Route &route, const QString &p) const
{
    // Groups belong to consumers, which only an auth filter names.
    if (!allowGroups.isEmpty() && route.filters.value<AuthConfig>().schemes.isEmpty())
        sink.add(p + QStringLiteral(".allow_groups"),
            QStringLiteral("route '%1' has allow_groups but no auth (list the schemes in 'auth')")
                .arg(route.name),
            true);
    const QList<Consumer> &consumers = sink.workspace().consumers;
    for (int i = 0; i < allowGroups.size(); ++i) {
        const QString &group = allowGroups[i];
        const bool held = std::any_of(
            consumers.begin(), consumers.end(), [&](const Consumer &c) { return c.groups.contains(group); });
        if (!held)
            sink.add(QStringLiteral("%1.allow_groups[%2]").arg(p).arg(i),
                QStringLiteral("route '%1' allows group '%2', which no consumer has").arg(route.name, group),
                false, "consumers");
    }
}

void AclConfig::write(const TreeWriter &w, const QString &p, WorkspaceTree &route) const
{
    if (!allowGroups.isEmpty())
        route.insert("allow_groups", w.list(p + ".allow_groups", allowGroups));
}

} // namespace portico::config
