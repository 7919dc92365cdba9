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
