// portico-cli export: a workspace as a production gateway's configuration.
#include "app/cli/Command.h"
#include "core/config/WorkspaceLoader.h"
#include "core/export/Exporter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cstdio>

namespace portico::cli {

namespace {

constexpr const char *kUsage
    = "Usage: portico-cli export -c FILE --to kong|traefik|envoy|nginx|krakend|openapi [-o OUT]\n";

void printUsage(FILE *out)
{
    std::fputs(kUsage, out);
    std::fputs("Writes the workspace as the target gateway's configuration (stdout without -o).\n"
               "Every workspace feature the target cannot express is printed on stderr as\n"
               "'warning: ...'. OpenAPI is YAML, or JSON when OUT ends in .json (or --to openapi-json).\n"
               "Files the configuration refers to are written beside OUT (Envoy with gRPC\n"
               "transcoding: portico-grpc.pb, the schemas' descriptor set).\n"
               "Exit status: 0 written, 2 bad arguments or invalid workspace, 1 OUT not writable.\n\n"
               "Options:\n"
               "  -c, --config FILE   the workspace file (YAML or JSON)\n"
               "  -t, --to TARGET     kong, traefik, envoy, nginx, krakend, openapi\n"
               "  -o, --output OUT    write to OUT instead of stdout\n"
               "  -h, --help          show this help\n",
        out);
}

} // namespace

int runExport(const QStringList &args)
{
    QString file;
    QString target;
    QString output;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == u"-h" || a == u"--help") {
            printUsage(stdout);
            return 0;
        } else if ((a == u"-c" || a == u"--config") && hasValue) {
            file = args[++i];
        } else if ((a == u"-t" || a == u"--to") && hasValue) {
            target = args[++i];
        } else if ((a == u"-o" || a == u"--output") && hasValue) {
            output = args[++i];
        } else if (a.startsWith(QStringLiteral("--to="))) {
            target = a.mid(5);
        } else {
            std::fprintf(stderr, "portico-cli export: unexpected argument '%s'\n%s", qPrintable(a), kUsage);
            return 2;
        }
    }
    if (file.isEmpty() || target.isEmpty()) {
        std::fprintf(stderr, "portico-cli export: %s\n%s",
            file.isEmpty() ? "missing -c FILE" : "missing --to TARGET", kUsage);
        return 2;
    }
    if (target == u"openapi" && output.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive))
        target = QStringLiteral("openapi-json");
    if (!exporter::exportTargets().contains(target)) {
        std::fprintf(stderr,
            "portico-cli export: unknown target '%s' (kong, traefik, envoy, nginx, krakend, openapi)\n",
            qPrintable(target));
        return 2;
    }

    const config::LoadResult loaded = config::loadWorkspaceFile(file);
    for (const config::Diagnostic &d : loaded.errors)
        std::fprintf(stderr, "%s\n", qPrintable(d.toString()));
    if (!loaded.ok())
        return 2;

    const exporter::ExportResult result = exporter::exportWorkspace(*loaded.workspace, target);
    if (!result.error.isEmpty()) {
        std::fprintf(stderr, "portico-cli export: %s\n", qPrintable(result.error));
        return 2;
    }
    for (const QString &w : result.warnings)
        std::fprintf(stderr, "warning: %s\n", qPrintable(w));
    if (output.isEmpty()) {
        for (const exporter::ExportFile &f : result.files)
            std::fprintf(
                stderr, "warning: %s not written: give -o OUT to write it beside OUT\n", qPrintable(f.name));
        std::fwrite(result.text.constData(), 1, size_t(result.text.size()), stdout);
        std::fflush(stdout);
        return 0;
    }
    // The files the configuration refers to (Envoy's descriptor set) go beside it.
    const QDir folder = QFileInfo(output).absoluteDir();
    QList<std::pair<QString, QByteArray>> writes { { output, result.text } };
    for (const exporter::ExportFile &f : result.files)
        writes.append({ folder.filePath(f.name), f.content });
    for (const auto &[path, content] : writes) {
        QSaveFile out(path);
        if (!out.open(QIODevice::WriteOnly) || out.write(content) != content.size() || !out.commit()) {
            std::fprintf(stderr, "portico-cli export: cannot write %s: %s\n", qPrintable(path),
                qPrintable(out.errorString()));
            return 1;
        }
        if (path != output)
            std::fprintf(stderr, "wrote %s\n", qPrintable(QDir::toNativeSeparators(path)));
    }
    return 0;
}

} // namespace portico::cli
