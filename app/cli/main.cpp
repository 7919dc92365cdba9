// portico-cli: the Portico core without a window, for terminals, CI and servers.
#include "app/cli/Command.h"
#include "core/common/Version.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>
#include <cstring>
#include <iterator>

using namespace portico::cli;

namespace {

// Each synopsis is the command line, then what it does on an indented line of its own (the
// command lines are too different in length to share one description column).
const Command kCommands[] = {
    { "serve",
        "serve -c FILE | --demo\n      run the gateway (SIGHUP or a file change reloads, SIGTERM drains)",
        runServe },
    { "check", "check -c FILE\n      validate a workspace file (exit 0 valid, 2 invalid)", runCheck },
    { "export",
        "export -c FILE --to kong|traefik|envoy|nginx|krakend|openapi [-o OUT]\n      production gateway "
        "config",
        runExport },
    { "import", "import --from openapi|kong IN [-o OUT.yaml]\n      an OpenAPI 3 or Kong file as a workspace",
        runImport },
    { "traffic", "traffic list|show|har|import-har --db DB\n      read captured exchanges (traffic --help)",
        runTraffic },
    { "replay",
        "replay ID --db DB [-c FILE] [--target URL] [--header 'K: V']... [--diff] [--grpc-json JSON]\n"
        "      send a captured request again (a unary gRPC call with its message edited as JSON)",
        runReplay },
    { "grpc",
        "grpc describe -c FILE [--json]\n      the services, methods and REST mappings of the gRPC schemas",
        runGrpc },
    { "ca",
        "ca export -c FILE [-o OUT.pem]\n      the forward proxy's CA certificate (created if missing), for "
        "clients to trust",
        runCa },
    { "proxy",
        "proxy env -c FILE [--shell sh|fish|powershell]\n      the environment that sends a terminal's "
        "programs "
        "through the forward proxy",
        runProxy },
};

void printHelp(FILE *out)
{
    std::fprintf(out,
                 "Usage: portico-cli COMMAND [OPTIONS]\n"
                 "Portico %s: developer API gateway and traffic inspector, without a window.\n\n"
                 "Commands:\n",
                 portico::kVersion);
    for (const Command &c : kCommands)
        std::fprintf(out, "  %s\n", c.synopsis);
    std::fprintf(out,
        "\nOptions:\n"
        "  -h, --help                show this help (COMMAND --help: that command's help)\n"
        "  -v, --version             print the version\n"
        "\nHelp topics (portico-cli help TOPIC; help COMMAND is COMMAND --help):\n"
        "  filter                    the filter language of --filter, the GUI and the admin API\n"
        "  files                     the files Portico reads and writes\n"
        "\nExit status: 0 success; 1 the command could not do its work (it says why: no such\n"
        "exchange, OUT not writable, ...); 2 bad usage, an invalid workspace or unreadable input.\n");
}

// `portico-cli help [COMMAND|TOPIC]`
int runHelp(const QStringList &args)
{
    if (args.isEmpty() || args.first() == u"-h" || args.first() == u"--help") {
        printHelp(stdout);
        return 0;
    }
    for (const Command &c : kCommands) {
        if (args.first() == QLatin1String(c.name))
            return c.run({ QStringLiteral("--help") });
    }
    if (const char *text = helpTopic(args.first())) {
        std::fputs(text, stdout);
        return 0;
    }
    QStringList names;
    for (const Command &c : kCommands)
        names.append(QLatin1String(c.name));
    names += helpTopicNames();
    std::fprintf(stderr, "portico-cli help: no command or topic '%s' (%s)\n", qPrintable(args.first()),
        qPrintable(names.join(QStringLiteral(", "))));
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("portico-cli"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(portico::kVersion));

    const QStringList args = QCoreApplication::arguments().mid(1);
    if (args.isEmpty()) {
        printHelp(stderr);
        return 2;
    }
    const QString first = args.first();
    if (first == u"-h" || first == u"--help") {
        printHelp(stdout);
        return 0;
    }
    if (first == u"help")
        return runHelp(args.mid(1));
    if (first == u"-v" || first == u"--version") {
        std::printf("portico-cli %s\n", portico::kVersion);
        return 0;
    }
    for (const Command &c : kCommands) {
        if (first == QLatin1String(c.name))
            return c.run(args.mid(1));
    }
    std::fprintf(stderr, "portico-cli: unknown command '%s' (see portico-cli --help)\n", qPrintable(first));
    return 2;
}
