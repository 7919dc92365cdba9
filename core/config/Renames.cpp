#include "core/config/Renames.h"

namespace portico::config {

void renameUpstream(Workspace &ws, int index, const QString &name)
{
    const QString old = ws.upstreams[index].name;
    ws.upstreams[index].name = name;
    for (auto &r : ws.routes) {
        if (r.upstream == old)
            r.upstream = name;
        if (r.versions) {
            for (auto &entry : r.versions->map) {
                if (entry.second == old)
                    entry.second = name;
            }
        }
        for (auto &part : r.aggregate) {
            if (part.upstream == old)
                part.upstream = name;
        }
    }
}

void renameTier(Workspace &ws, int index, const QString &name)
{
    const QString old = ws.tiers[index].name;
    ws.tiers[index].name = name;
    for (auto &c : ws.consumers) {
        if (c.tier == old)
            c.tier = name;
    }
}

void renameAuthScheme(Workspace &ws, int index, const QString &name)
{
    const QString old = ws.auth[index].name;
    ws.auth[index].name = name;
    for (auto &r : ws.routes) {
        const config::AuthConfig *auth = r.filters.get<config::AuthConfig>();
        if (auth && auth->schemes.contains(old))
            r.filters.edit<config::AuthConfig>().schemes.replace(auth->schemes.indexOf(old), name);
    }
    // Secrets written as ${ENV} are remembered under the scheme's path.
    const QString oldPrefix = QStringLiteral("auth.") + old + u'.';
    const auto templates = ws.envTemplates;
    for (auto it = templates.cbegin(); it != templates.cend(); ++it) {
        if (it.key().startsWith(oldPrefix)) {
            ws.envTemplates.remove(it.key());
            ws.envTemplates.insert(QStringLiteral("auth.") + name + u'.' + it.key().mid(oldPrefix.size()), it.value());
        }
    }
}

} // namespace portico::config
