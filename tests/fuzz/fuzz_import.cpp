// The OpenAPI 3.x and Kong declarative importers (YAML or JSON) on arbitrary text. Inputs that
// mention "_format_version" go to the Kong importer, others to the OpenAPI importer, so a seed of
// either kind mutates within its importer. What imports must write as a workspace YAML.
#include "FuzzSupport.h"

#include "core/config/WorkspaceWriter.h"
#include "core/export/import/KongImporter.h"
#include "core/export/import/OpenApiImporter.h"

using namespace portico::exporter;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    const QByteArray text = portico::fuzz::bytes(data, size);
    const ImportResult r = text.contains("_format_version")
        ? importKong(text)
        : importOpenApi(text, QUrl(QStringLiteral("http://127.0.0.1:9")));
    if (!r.ok())
        return 0;
    (void)portico::config::writeWorkspaceYaml(r.workspace);
    return 0;
}
