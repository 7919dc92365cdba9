// portico-cli serve: run the gateway until SIGTERM/SIGINT; SIGHUP or a change of the file reloads.
#include "app/cli/Command.h"
#include "app/cli/UnixSignals.h"
#include "core/admin/AccessLog.h"
#include "core/admin/AdminServer.h"
#include "core/common/Clock.h"
#include "core/config/ValueFormats.h"
#include "core/config/WorkspaceLoader.h"
#include "core/gateway/DemoBackend.h"
#include "core/gateway/Gateway.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QStandardPaths>
#include <QTimer>

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
    "The admin API starts on admin.listen (printed as `admin on http://HOST:PORT`); a reload that\n"
    "moves it prints that line again, one that sets admin.enabled: false prints `admin off`.\n"
    "An admin.listen that is not a loopback address needs admin.token (the config is refused\n"
    "otherwise); the admin API answers only requests addressed to it (Host) from no foreign Origin.\n"
    "SIGHUP or a change of FILE reloads it without dropping connections; an invalid file is reported\n"
    "and the running config keeps serving. SIGTERM/SIGINT drain in-flight requests, flush the capture\n"
    "database and exit 0. Exit status 2: the config is invalid or a listener cannot be opened.\n";

void printDiagnostics(const QList<config::Diagnostic> &errors, const char *prefix = "")
{
    for (const auto &d : errors)
        std::fprintf(stderr, "%s%s\n", prefix, qPrintable(d.toString()));
}

QByteArray fileDigest(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
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

    std::unique_ptr<gateway::DemoEnvironment> demoEnv;
    config::WorkspacePtr workspace;
    if (demo) {
        QString error;
        const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/portico");
        demoEnv = gateway::startDemo(dataDir, &error);
        if (!demoEnv) {
            std::fprintf(stderr, "portico-cli serve: %s\n", qPrintable(error));
            return 2;
        }
        workspace = demoEnv->workspace;
    } else {
        file = QFileInfo(file).absoluteFilePath();
        const config::LoadResult r = config::loadWorkspaceFile(file);
        if (!r.ok()) {
            printDiagnostics(r.errors);
            return 2;
        }
        workspace = r.workspace;
    }

    // Access log (core/admin): declared before the gateway so that it outlives the workers.
    admin::AccessLog accessLog;
    if (accessLogDest != u"off") {
        QString error;
        if (!accessLog.open(accessLogDest, &error)) {
            std::fprintf(stderr, "portico-cli serve: access log: %s\n", qPrintable(error));
            return 2;
        }
    }

    gateway::Gateway gw(SystemClock::instance());
    if (accessLog.isOpen()) {
        gw.state().setExchangeSink(&accessLog);
        accessLog.exportMetrics(gw.metrics());
    }
    QStringList errors = gw.apply(workspace);
    if (errors.isEmpty())
        errors = gw.start();
    if (!errors.isEmpty()) {
        for (const QString &e : errors)
            std::fprintf(stderr, "%s: error: %s\n", qPrintable(demo ? QStringLiteral("demo") : file), qPrintable(e));
        return 2;
    }
    for (const QUrl &url : gw.listenUrls())
        std::printf("listening on %s\n", qPrintable(url.toString()));
    std::fflush(stdout);
    // Where `traffic list --db` finds the exchanges; for --demo it is a per-user path nobody typed.
    if (workspace->capture.enabled) {
        const QString db = workspace->resolvePath(workspace->capture.database);
        std::fprintf(
            stderr, "capturing to %s (portico-cli traffic list --db '%s')\n", qPrintable(db), qPrintable(db));
    }

    // Admin API (core/admin) on admin.listen. It follows every config applied later (reload,
    // SIGHUP, PUT /config): it starts, stops or moves with admin.enabled and admin.listen, and each
    // change is printed like the first start. A busy admin port does not stop the data plane: it
    // is reported and the gateway keeps serving.
    const QString source = demo ? QStringLiteral("demo") : file;
    auto adminServer = std::make_unique<admin::AdminServer>(gw);
    QObject::connect(adminServer.get(), &admin::AdminServer::addressChanged, [](const QUrl &url) {
        std::printf("admin on %s\n", qPrintable(url.toString()));
        std::fflush(stdout);
    });
    QObject::connect(adminServer.get(), &admin::AdminServer::stopped, [] {
        std::printf("admin off\n");
        std::fflush(stdout);
    });
    QObject::connect(adminServer.get(), &admin::AdminServer::addressChangeFailed,
        [&source, admin = adminServer.get()](const QString &e) {
            if (admin->isListening())
                std::fprintf(stderr, "warning: the admin API stays where it was: %s\n", qPrintable(e));
            else
                std::fprintf(stderr, "%s: warning: admin API not started: %s\n", qPrintable(source),
                    qPrintable(e));
        });
    {
        QString error;
        if (!adminServer->startFollowing(&error)) {
            std::fprintf(stderr, "%s: warning: admin API not started: %s\n", qPrintable(source),
                qPrintable(error));
        } else if (adminServer->isListening()) {
            std::printf("admin on %s\n", qPrintable(adminServer->url().toString()));
            std::fflush(stdout);
        }
    }

    UnixSignals signals;
    QByteArray digest = demo ? QByteArray() : fileDigest(file);
    auto reload = [&](bool force) {
        if (demo)
            return;
        const QByteArray now = fileDigest(file);
        if (!force && (now.isEmpty() || now == digest))
            return;
        digest = now;
        const config::LoadResult r = config::loadWorkspaceFile(file);
        if (!r.ok()) {
            std::fprintf(stderr, "reload failed, the running config keeps serving:\n");
            printDiagnostics(r.errors, "  ");
            return;
        }
        const QStringList problems = gw.apply(r.workspace);
        if (!problems.isEmpty()) {
            std::fprintf(stderr, "reload failed, the running config keeps serving:\n");
            for (const QString &p : problems)
                std::fprintf(stderr, "  %s: error: %s\n", qPrintable(file), qPrintable(p));
            return;
        }
        std::fprintf(stderr, "reloaded %s (revision %d)\n", qPrintable(file), gw.revision());
        for (const QUrl &url : gw.listenUrls())
            std::printf("listening on %s\n", qPrintable(url.toString()));
        std::fflush(stdout);
    };

    QObject::connect(&signals, &UnixSignals::hangup, [&] { reload(true); });
    QObject::connect(&signals, &UnixSignals::terminate, [&](int) {
        std::fprintf(stderr, "draining in-flight requests...\n");
        gw.drain(std::chrono::milliseconds(drainMs));
        QCoreApplication::exit(0);
    });

    // Editors often save by writing a new file and renaming it over the old one: watch the folder
    // too, and debounce, then compare contents so a touch alone does not reload.
    QFileSystemWatcher watcher;
    QTimer debounce;
    debounce.setSingleShot(true);
    debounce.setInterval(150);
    if (!demo) {
        watcher.addPath(file);
        watcher.addPath(QFileInfo(file).absolutePath());
        QObject::connect(&watcher, &QFileSystemWatcher::fileChanged, &debounce, qOverload<>(&QTimer::start));
        QObject::connect(&watcher, &QFileSystemWatcher::directoryChanged, &debounce, qOverload<>(&QTimer::start));
        QObject::connect(&debounce, &QTimer::timeout, [&] {
            if (!watcher.files().contains(file) && QFileInfo::exists(file))
                watcher.addPath(file);
            reload(false);
        });
    }
    return QCoreApplication::exec();
}

} // namespace portico::cli
