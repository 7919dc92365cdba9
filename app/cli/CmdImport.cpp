// portico-cli import: an OpenAPI 3 document or a Kong declarative file as a workspace file.
#include "app/cli/Command.h"
#include "core/config/WorkspaceLoader.h"
#include "core/config/WorkspaceWriter.h"
#include "core/export/import/KongImporter.h"
#include "core/export/import/OpenApiImporter.h"

#include <QFile>
#include <QSaveFile>

#include <cstdio>

namespace portico::cli {

namespace {

constexpr const char *kUsage
    = "Usage: portico-cli import --from openapi|kong IN [-o OUT.yaml] [--upstream URL]\n";

void printUsage(FILE *out)
{
    std::fputs(kUsage, out);
    std::fputs("Turns an OpenAPI 3 document or a Kong declarative config (YAML or JSON; IN '-' reads\n"
               "stdin) into a workspace file (stdout without -o). What has no workspace equivalent is\n"
               "printed on stderr as 'warning: ...'.\n"
               "Exit status: 0 written, 2 bad arguments or unreadable input, 1 OUT not writable.\n\n"
               "Options:\n"
               "  -f, --from KIND     openapi or kong\n"
               "  -o, --output OUT    write to OUT instead of stdout\n"
               "  --upstream URL      openapi: the upstream for paths when the document has no server URL\n"
               "  -h, --help          show this help\n",
        out);
}

} // namespace

int runImport(const QStringList &args)
{
    QString from;
    QString input;
    QString output;
    QString upstream;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == u"-h" || a == u"--help") {
            printUsage(stdout);
            return 0;
        } else if ((a == u"-f" || a == u"--from") && hasValue) {
            from = args[++i];
        } else if (a.startsWith(QStringLiteral("--from="))) {
            from = a.mid(7);
        } else if ((a == u"-o" || a == u"--output") && hasValue) {
            output = args[++i];
        } else if (a == u"--upstream" && hasValue) {
            upstream = args[++i];
        } else if ((a == u"-" || !a.startsWith(u'-')) && input.isEmpty()) {
            input = a;
        } else {
            std::fprintf(stderr, "portico-cli import: unexpected argument '%s'\n%s", qPrintable(a), kUsage);
            return 2;
        }
    }
    if (from != u"openapi" && from != u"kong") {
        std::fprintf(stderr, "portico-cli import: --from must be openapi or kong\n%s", kUsage);
        return 2;
    }
    if (input.isEmpty()) {
        std::fprintf(stderr, "portico-cli import: missing IN\n%s", kUsage);
        return 2;
    }
    QFile in;
    const bool opened = input == u"-" ? in.open(stdin, QIODevice::ReadOnly)
                                      : (in.setFileName(input), in.open(QIODevice::ReadOnly));
    if (!opened) {
        std::fprintf(stderr, "portico-cli import: cannot read %s: %s\n", qPrintable(input),
            qPrintable(in.errorString()));
        return 2;
    }
    const QByteArray text = in.readAll();

    const exporter::ImportResult result
        = from == u"kong" ? exporter::importKong(text) : exporter::importOpenApi(text, QUrl(upstream));
    if (!result.ok()) {
        std::fprintf(stderr, "%s: error: %s\n", qPrintable(input), qPrintable(result.error));
        return 2;
    }
    for (const QString &w : result.warnings)
        std::fprintf(stderr, "warning: %s\n", qPrintable(w));
    const QByteArray yaml = config::writeWorkspaceYaml(result.workspace);
    // What `check` would say about the result, so nothing surprises the user later.
    const config::LoadResult check
        = config::loadWorkspaceText(yaml, output.isEmpty() ? QStringLiteral("imported.yaml") : output);
    for (const config::Diagnostic &d : check.errors)
        std::fprintf(stderr, "warning: imported workspace: %s\n", qPrintable(d.toString()));

    if (output.isEmpty()) {
        std::fwrite(yaml.constData(), 1, size_t(yaml.size()), stdout);
        std::fflush(stdout);
        return 0;
    }
    QSaveFile out(output);
    if (!out.open(QIODevice::WriteOnly) || out.write(yaml) != yaml.size() || !out.commit()) {
        std::fprintf(stderr, "portico-cli import: cannot write %s: %s\n", qPrintable(output),
            qPrintable(out.errorString()));
        return 1;
    }
    return 0;
}

} // namespace portico::cli
