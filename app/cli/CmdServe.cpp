// portico-cli serve: run the gateway until SIGTERM/SIGINT; SIGHUP or a change of the file reloads.
#include "app/cli/Command.h"
#include "app/cli/UnixSignals.h"
#include "core/common/Clock.h"
#include "core/config/ValueFormats.h"
#include "core/host/GatewayHost.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QStandardPaths>

#include <cstdio>
#include <limits>
#include <optional>

namespace portico::cli {

namespace {

const char kServeUsage[] =
    "Usage: portico-cli serve -c FILE | --demo [--drain-timeout DURATION] [--access-log FILE|-|off]\n"
    "Runs the gateway. Prints one line per listener (`listening on http://HOST:PORT`).\n"
    "  -c, --config FILE        the workspace file (YAML or JSON)\n"
    "      --demo               the built-in demo workspace, with its demo upstreams in this process\n"
    "      --drain-timeout DURATION\n"
    "                           how long SIGTERM waits for in-flight requests: 30s, 500ms or plain\n"
    "                           milliseconds (default 30s)\n"
    "      --access-log DEST    one JSON line per exchange: - (standard output, the default), a file\n"
    "                           (appended to), or off\n"
    "Listeners speak HTTP/1.1, and HTTP/2 too with gateway.http2: true (ALPN h2 on TLS listeners,\n"
    "prior-knowledge h2c on cleartext ones; WebSocket over HTTP/2 and gRPC included). Upstreams are\n"
    "reached as upstreams.NAME.protocol says: http1 (default), h2c or h2.\n"
    "The admin API starts on admin.listen (printed as `admin on http://HOST:PORT`); a reload that\n"
    "moves it prints that line again, one that sets admin.enabled: false prints `admin off`.\n"
    "An admin.listen that is not a loopback address needs admin.token (the config is refused\n"
    "otherwise); the admin API answers only requests addressed to it (Host) from no foreign Origin.\n"
    "SIGHUP or a change of FILE reloads it without dropping connections; an invalid file is reported\n"
    "and the running config keeps serving. SIGTERM/SIGINT drain in-flight requests (until their\n"
    "answers are written in full), flush the capture database, send the spans still queued for\n"
    "tracing.otlp (waiting at most 2 s) and exit 0.\n"
    "Exit status 2: the config is invalid or a listener cannot be opened.\n";

void printDiagnostics(const config::Diagnostics &errors, const char *prefix = "")
{
    for (const auto &d : errors)
        std::fprintf(stderr, "%s%s\n", prefix, qPrintable(d.toString()));
}

} // namespace

int runServe(const QStringList &args)
{
    QString file;
    bool demo = false;
    int drainMs = 30000;
    QString accessLogDest = QStringLiteral("-");
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if ((a == u"-c" || a == u"--config") && i + 1 < args.size()) {
            file = args[++i];
        } else if (a == u"--demo") {
            demo = true;
        } else if (a == u"--access-log" && i + 1 < args.size()) {
            accessLogDest = args[++i];
        } else if (a == u"--drain-timeout" && i + 1 < args.size()) {
            // Plain digits are milliseconds (the original form); anything else is a duration.
            const QString value = args[++i];
            bool isNumber = false;
            const qint64 ms = value.toLongLong(&isNumber);
            const std::optional<config::Duration> d = isNumber
                ? std::optional<config::Duration>(config::Duration(ms))
                : config::parseDuration(value);
            if (!d || d->count() < 0 || d->count() > std::numeric_limits<int>::max()) {
                std::fprintf(stderr,
                    "portico-cli serve: --drain-timeout: invalid duration '%s' (use e.g. 30s, 500ms or "
                    "30000)\n%s",
                    qPrintable(value), kServeUsage);
                return 2;
            }
            drainMs = int(d->count());
        } else if (a == u"-h" || a == u"--help") {
            std::fputs(kServeUsage, stdout);
            return 0;
        } else {
            std::fprintf(stderr, "portico-cli serve: unexpected argument '%s'\n%s", qPrintable(a), kServeUsage);
            return 2;
        }
    }
    if (file.isEmpty() == !demo) {
        std::fputs(kServeUsage, stderr);
        return 2;
    }

    // The gateway, its capture, the admin API, the access log and reload live in the host
    // (core/host); this function only turns the host's signals into lines on the terminal.
    host::GatewayHost gatewayHost(SystemClock::instance());
    const QString source = demo ? QStringLiteral("demo") : QFileInfo(file).absoluteFilePath();
    QObject::connect(&gatewayHost, &host::GatewayHost::adminListening, [](const QUrl &url) {
        std::printf("admin on %s\n", qPrintable(url.toString()));
        std::fflush(stdout);
    });
    QObject::connect(&gatewayHost, &host::GatewayHost::adminStopped, [] {
        std::printf("admin off\n");
        std::fflush(stdout);
    });
    QObject::connect(
        &gatewayHost, &host::GatewayHost::adminFailed, [&source, &gatewayHost](const QString &e) {
            if (!gatewayHost.adminUrl().isEmpty())
                std::fprintf(stderr, "warning: the admin API stays where it was: %s\n", qPrintable(e));
            else
                std::fprintf(
                    stderr, "%s: warning: admin API not started: %s\n", qPrintable(source), qPrintable(e));
        });
    auto printListeners = [&gatewayHost] {
        for (const QUrl &url : gatewayHost.listenUrls())
            std::printf("listening on %s\n", qPrintable(url.toString()));
        std::fflush(stdout);
    };
    QObject::connect(&gatewayHost, &host::GatewayHost::reloaded, [&](int revision) {
        std::fprintf(stderr, "reloaded %s (revision %d)\n", qPrintable(source), revision);
        printListeners();
    });
    QObject::connect(&gatewayHost, &host::GatewayHost::reloadFailed, [](const config::Diagnostics &problems) {
        std::fprintf(stderr, "reload failed, the running config keeps serving:\n");
        printDiagnostics(problems, "  ");
    });

    // The listeners are printed before the admin API starts (`admin on` comes after them).
    QObject::connect(&gatewayHost, &host::GatewayHost::runningChanged, [&](bool running) {
        if (!running)
            return;
        printListeners();
        // Where `traffic list --db` finds the exchanges; for --demo it is a per-user path nobody typed.
        if (const QString db = gatewayHost.captureDatabase(); !db.isEmpty())
            std::fprintf(stderr, "capturing to %s (portico-cli traffic list --db '%s')\n", qPrintable(db),
                qPrintable(db));
    });
    config::WorkspacePtr workspace;
    if (demo) {
        QString error;
        const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/portico");
        workspace = gatewayHost.startDemo(dataDir, &error);
        if (!workspace) {
            std::fprintf(stderr, "portico-cli serve: %s\n", qPrintable(error));
            return 2;
        }
    } else {
        const config::LoadResult r = gatewayHost.loadFile(source);
        if (!r.ok()) {
            printDiagnostics(r.errors);
            return 2;
        }
        workspace = r.workspace;
    }
    if (accessLogDest != u"off") {
        QString error;
        if (!gatewayHost.openAccessLog(accessLogDest, &error)) {
            std::fprintf(stderr, "portico-cli serve: access log: %s\n", qPrintable(error));
            return 2;
        }
    }
    // Before start(): `listening on` is printed inside it, and a supervisor (or a test) may send
    // SIGTERM as soon as it reads that line; the handlers only queue the signal for the loop.
    UnixSignals signals;
    QObject::connect(&signals, &UnixSignals::hangup, [&] { gatewayHost.reload(true); });
    QObject::connect(&signals, &UnixSignals::terminate, [&](int) {
        std::fprintf(stderr, "draining in-flight requests...\n");
        gatewayHost.drain(std::chrono::milliseconds(drainMs));
        QCoreApplication::exit(0);
    });
    if (const config::Diagnostics problems = gatewayHost.start(workspace, source); !problems.isEmpty()) {
        printDiagnostics(problems);
        return 2;
    }

    gatewayHost.watchFile();
    return QCoreApplication::exec();
}

} // namespace portico::cli
