#include "core/export/Exporter.h"

#include "core/export/envoy/EnvoyExporter.h"
#include "core/export/kong/KongExporter.h"
#include "core/export/krakend/KrakendExporter.h"
#include "core/export/nginx/NginxExporter.h"
#include "core/export/openapi/OpenApiExporter.h"
#include "core/export/traefik/TraefikExporter.h"

namespace portico::exporter {

namespace {

struct TargetEntry
{
    const char *name;
    ExportResult (*run)(const config::Workspace &);
};

const TargetEntry kTargets[] = {
    { "kong", exportKong },
    { "traefik", exportTraefik },
    { "envoy", exportEnvoy },
    { "nginx", exportNginx },
    { "krakend", exportKrakend },
    { "openapi", [](const config::Workspace &ws) { return exportOpenApi(ws, false); } },
    { "openapi-json", [](const config::Workspace &ws) { return exportOpenApi(ws, true); } },
};

bool hasRateLimits(const config::Workspace &ws)
{
    for (const config::Tier &t : ws.tiers) {
        if (t.rateLimit)
            return true;
    }
    for (const config::Route &r : ws.routes) {
        if (r.filters.value<config::RateLimitConfig>().limit)
            return true;
    }
    return false;
}

} // namespace

QStringList exportTargets()
{
    QStringList names;
    for (const TargetEntry &t : kTargets)
        names << QString::fromLatin1(t.name);
    return names;
}

ExportResult exportWorkspace(const config::Workspace &workspace, const QString &target)
{
    for (const TargetEntry &t : kTargets) {
        if (target == QLatin1String(t.name)) {
            ExportResult r = t.run(workspace);
            const QLatin1String name(t.name);
            if (workspace.rateLimitStore.shared() && name != QLatin1String("kong")
                && !name.startsWith(QLatin1String("openapi")) && hasRateLimits(workspace))
                r.warnings << QStringLiteral(
                    "rate_limit_store.redis: %1 counts rate limits per instance; they are not "
                    "shared across instances as Portico's are")
                                  .arg(name);
            // A versioned route is exported once per version; say what it loses only once.
            r.warnings.removeDuplicates();
            return r;
        }
    }
    ExportResult r;
    r.error
        = QStringLiteral("unknown export target '%1' (known: %2)").arg(target, exportTargets().join(u", "));
    return r;
}

} // namespace portico::exporter
