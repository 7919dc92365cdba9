// portico-cli check: validate a workspace file and print every problem, compiler style.
#include "app/cli/Command.h"
#include "core/config/WorkspaceLoader.h"

#include <cstdio>

namespace portico::cli {

namespace {

constexpr const char *kUsage = "Usage: portico-cli check -c FILE\n";

void printUsage(FILE *out)
{
    std::fputs(kUsage, out);
    std::fputs("Validates a workspace file. Each problem is printed on stderr as\n"
               "FILE:LINE:COL: error: MESSAGE. Exit status: 0 valid, 2 invalid or unreadable.\n\n"
               "Options:\n"
               "  -c, --config FILE   the workspace file (YAML or JSON)\n"
               "  -h, --help          show this help\n",
        out);
}

} // namespace

int runCheck(const QStringList &args)
{
    QString file;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == u"-h" || a == u"--help") {
            printUsage(stdout);
            return 0;
        }
        if ((a == u"-c" || a == u"--config") && i + 1 < args.size() && file.isEmpty()) {
            file = args[++i];
        } else if (a.startsWith(QStringLiteral("--config=")) && file.isEmpty()) {
            file = a.mid(9);
        } else {
            std::fprintf(stderr, "portico-cli check: unexpected argument '%s'\n%s", qPrintable(a), kUsage);
            return 2;
        }
    }
    if (file.isEmpty()) {
        std::fprintf(stderr, "portico-cli check: missing -c FILE\n%s", kUsage);
        return 2;
    }

    const config::LoadResult result = config::loadWorkspaceFile(file);
    for (const config::Diagnostic &d : result.errors)
        std::fprintf(stderr, "%s\n", qPrintable(d.toString()));
    if (!result.ok())
        return 2;
    std::printf("%s: ok\n", qPrintable(file));
    return 0;
}

} // namespace portico::cli
