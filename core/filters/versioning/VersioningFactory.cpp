#include "core/filters/versioning/VersioningFactory.h"

#include "core/filters/versioning/VersioningFilter.h"

namespace portico::filters {

FilterPtr makeVersioningFilter(
    const config::Workspace &workspace, const config::Route &route, FilterServices &services, QString *error)
{
    if (error)
        error->clear();
    if (!route.versions)
        return nullptr;
    const auto fail = [&](const QString &message) {
        if (error)
            *error = QStringLiteral("route '%1': %2").arg(route.name, message);
        return nullptr;
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
    return std::make_shared<VersioningFilter>(route.name, std::move(*resolver), services.metrics);
}

} // namespace portico::filters
