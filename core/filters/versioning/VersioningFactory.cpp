#include "core/filters/versioning/VersioningFactory.h"

#include "core/filters/FilterServices.h"
#include "core/filters/versioning/VersioningFilter.h"

namespace portico::filters::versioning {

FilterList VersioningFilters::make(const FilterBuildContext &context, QStringList &errors)
{
    const config::Workspace &workspace = context.workspace;
    const config::Route &route = context.route;
    if (!route.versions)
        return {};
    const auto fail = [&](const QString &message) {
        errors.append(QStringLiteral("route '%1': %2").arg(route.name, message));
        return FilterList {};
    };
    QString message;
    std::optional<VersionResolver> resolver = VersionResolver::compile(*route.versions, &message);
    if (!resolver)
        return fail(message);
    for (const auto &[version, upstream] : route.versions->map) {
        if (!workspace.findUpstream(upstream.trimmed()))
            return fail(QStringLiteral("versions: version '%1' names upstream '%2', which is not defined")
                            .arg(version, upstream));
    }
    return { std::make_shared<VersioningFilter>(route.name, std::move(*resolver), context.services.metrics) };
}

} // namespace portico::filters::versioning
