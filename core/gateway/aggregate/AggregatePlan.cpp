#include "core/gateway/aggregate/AggregatePlan.h"

#include <QSet>

namespace portico::gateway {

std::shared_ptr<const AggregatePlan> makeAggregatePlan(
    const config::Workspace &workspace, const config::Route &route, QString *error)
{
    if (error)
        error->clear();
    if (route.aggregate.isEmpty())
        return nullptr;
    const auto fail = [&](const QString &message) {
        if (error)
            *error = QStringLiteral("route '%1': aggregate: %2").arg(route.name, message);
        return nullptr;
    };
    QSet<QString> keys;
    for (const config::AggregatePart &part : route.aggregate) {
        if (part.key.isEmpty())
            return fail(QStringLiteral("a part has no key"));
        if (keys.contains(part.key))
            return fail(QStringLiteral("key '%1' is used by more than one part").arg(part.key));
        keys.insert(part.key);
        if (!workspace.findUpstream(part.upstream))
            return fail(QStringLiteral("part '%1' names upstream '%2', which is not defined")
                            .arg(part.key, part.upstream));
        if (!part.path.startsWith(u'/'))
            return fail(QStringLiteral("the path of part '%1' must start with '/'").arg(part.key));
    }
    return std::make_shared<const AggregatePlan>(
        AggregatePlan { route.aggregate, AggregateMerger(workspace.gateway.limits.maxBodyBytes) });
}

} // namespace portico::gateway
