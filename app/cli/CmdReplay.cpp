// portico-cli replay: send a captured request again, record the new exchange, optionally diff.
#include "app/cli/Command.h"
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/ExchangeDiff.h"
#include "core/capture/GrpcReplay.h"
#include "core/capture/Replayer.h"
#include "core/config/WorkspaceLoader.h"
#include "core/filters/auth/ReplayCredentials.h"

#include <QEventLoop>
#include <QFile>
#include <QUrl>

#include <cstdio>

namespace portico::cli {

using namespace portico::capture;

namespace {

constexpr const char *kUsage
    = "Usage: portico-cli replay ID --db DB [-c FILE] [--target URL] [--header 'K: V']... [--diff]\n"
      "                          [--timeout MS] [--grpc-json JSON | --grpc-json-file FILE]\n";

constexpr const char *kHelp
    = "Sends captured exchange ID again: through the gateway listener that captured it (with the\n"
      "captured Host, which chooses the route; never to the host a client named in Host), or\n"
      "straight to the upstream that answered it when no listener was recorded, or to --target\n"
      "(scheme://host:port[/base][?k=v], the path and query are kept; the parameters in\n"
      "--target's query replace captured ones of the same name). The new exchange is recorded\n"
      "in DB with a note naming ID; its id is printed on stdout. Where it goes is printed on\n"
      "stderr first.\n"
      "Headers and query parameters redacted in the capture are not sent; supply headers with\n"
      "--header and query parameters in the query of --target (they go to that destination\n"
      "only, and the new exchange records them as redacted).\n"
      "With -c FILE (the workspace the gateway runs), a redacted API key comes back: when the\n"
      "exchange names its consumer and its route, and the replay goes to a listener of that\n"
      "workspace's gateway, the consumer's key is sent in the header or query parameter of the\n"
      "route's api_key scheme, and the new exchange's note says so (never the key; the new row\n"
      "records it as redacted). A JWT or introspected token is not in the workspace: supply it\n"
      "with --header 'Authorization: Bearer TOKEN'.\n"
      "A unary gRPC call can be sent with its request message edited: --grpc-json takes the\n"
      "message as proto3 JSON (e.g. '{\"id\":\"7\"}', the form `traffic show --json` prints in\n"
      "request.messages), encoded with the method's input type from the schemas of -c FILE\n"
      "(grpc.protos). A field of the wrong type, an unknown field or malformed JSON is refused\n"
      "with the field named, before anything is sent; so is a streaming call. gRPC is sent\n"
      "over HTTP/2 only, with the captured headers (content-type, te: trailers); the new\n"
      "exchange records the answer's grpc-status.\n\n"
      "Options:\n"
      "  --db DB            the capture database\n"
      "  -c, --config FILE  the workspace, to restore redacted API keys from\n"
      "  --target URL       send here instead of the original URL\n"
      "  --header 'K: V'    set header K (replacing captured ones); 'K:' removes it (repeatable)\n"
      "  --diff             print what changed in status, headers and (JSON) body\n"
      "  --timeout MS       give up after MS milliseconds without progress (default 30000)\n"
      "  --grpc-json JSON   send this request message (proto3 JSON; needs -c FILE)\n"
      "  --grpc-json-file FILE  the same, read from FILE ('-': standard input)\n"
      "  -h, --help         show this help\n"
      "Exit status: 0 replayed, 1 no such exchange or no response, 2 bad usage (or an edited\n"
      "gRPC message that does not fit).\n";

int usageError(const QString &message)
{
    std::fprintf(stderr, "portico-cli replay: %s\n%s", qPrintable(message), kUsage);
    return 2;
}

} // namespace

int runReplay(const QStringList &args)
{
    QString db;
    QString workspaceFile;
    qint64 id = 0;
    bool diff = false;
    ReplayOptions options;
    bool grpcEdited = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == u"-h" || a == u"--help") {
            std::fputs(kUsage, stdout);
            std::fputs(kHelp, stdout);
            return 0;
        }
        if (a == u"--db" && hasValue) {
            db = args[++i];
        } else if ((a == u"-c" || a == u"--config") && hasValue) {
            workspaceFile = args[++i];
        } else if (a == u"--target" && hasValue) {
            options.target = QUrl(args[++i], QUrl::StrictMode);
            if (!options.target.isValid() || options.target.host().isEmpty()
                || (options.target.scheme() != u"http" && options.target.scheme() != u"https"))
                return usageError(
                    QStringLiteral("--target must be an http:// or https:// URL, got '%1'").arg(args[i]));
        } else if (a == u"--header" && hasValue) {
            const QString h = args[++i];
            const qsizetype colon = h.indexOf(u':');
            if (colon <= 0)
                return usageError(QStringLiteral("--header expects 'Name: value', got '%1'").arg(h));
            options.headers.emplaceBack(
                h.left(colon).trimmed().toLatin1(), h.mid(colon + 1).trimmed().toUtf8());
        } else if (a == u"--timeout" && hasValue) {
            bool ok = false;
            const int ms = args[++i].toInt(&ok);
            if (!ok || ms <= 0)
                return usageError(QStringLiteral("--timeout takes milliseconds"));
            options.timeout = std::chrono::milliseconds(ms);
        } else if ((a == u"--grpc-json" || a == u"--grpc-json-file") && hasValue) {
            if (grpcEdited)
                return usageError(
                    QStringLiteral("give the gRPC message once (--grpc-json or --grpc-json-file)"));
            grpcEdited = true;
            if (a == u"--grpc-json") {
                options.grpcMessageJson = args[++i].toUtf8();
            } else {
                QFile file(args[++i]);
                const bool opened = file.fileName() == u"-" ? file.open(stdin, QIODevice::ReadOnly)
                                                            : file.open(QIODevice::ReadOnly);
                if (!opened)
                    return usageError(QStringLiteral("cannot read %1: %2").arg(args[i], file.errorString()));
                options.grpcMessageJson = file.read(kMaxGrpcReplayJson + 1);
                if (options.grpcMessageJson.isNull())
                    options.grpcMessageJson = QByteArray(""); // empty, not "no edit"
            }
        } else if (a == u"--diff") {
            diff = true;
        } else if (!a.startsWith(u'-') && id == 0) {
            bool ok = false;
            id = a.toLongLong(&ok);
            if (!ok || id <= 0)
                return usageError(QStringLiteral("'%1' is not an exchange id").arg(a));
        } else {
            return usageError(QStringLiteral("unexpected argument '%1'").arg(a));
        }
    }
    if (id == 0 || db.isEmpty())
        return usageError(QStringLiteral("replay needs an ID and --db DB"));

    CaptureReader reader;
    QString error;
    if (!reader.open(db, &error)) {
        std::fprintf(stderr, "portico-cli replay: %s\n", qPrintable(error));
        return 2;
    }
    const auto original = reader.get(id);
    if (!original) {
        std::fprintf(stderr, "portico-cli replay: no exchange with id %lld\n", id);
        return 1;
    }

    if (!workspaceFile.isEmpty()) {
        const config::LoadResult loaded = config::loadWorkspaceFile(workspaceFile);
        for (const config::Diagnostic &d : loaded.errors)
            std::fprintf(stderr, "%s\n", qPrintable(d.toString()));
        if (!loaded.ok())
            return 2;
        const auto credentials = filters::auth::restoreCredentials(
            *original, *loaded.workspace, options, filters::auth::configuredListeners(*loaded.workspace));
        credentials.applyTo(options);
        for (const QString &note : credentials.notes)
            std::fprintf(stderr, "portico-cli replay: %s\n", qPrintable(note));
        for (const QString &problem : credentials.problems)
            std::fprintf(stderr, "portico-cli replay: warning: %s\n", qPrintable(problem));
        options.grpcSchema = loaded.workspace->grpcSchema;
        for (const auto &ask : credentials.asks)
            std::fprintf(stderr,
                "portico-cli replay: warning: header %s (scheme %s) holds a token the workspace does not "
                "know; supply it with --header '%s: Bearer TOKEN'\n",
                ask.header.constData(), qPrintable(ask.scheme), ask.header.constData());
    }

    if (grpcEdited) {
        // Checked before anything is sent: the JSON, the type, the call kind.
        const GrpcReplayBody edited
            = grpcReplayBody(*original, options.grpcMessageJson, options.grpcSchema.get());
        if (!edited.error.isEmpty()) {
            std::fprintf(stderr, "portico-cli replay: %s\n", qPrintable(edited.error));
            return 2;
        }
    }

    // Where it goes, before anything is sent: never the Host a client put in the capture.
    const Replayer::Destination where = Replayer::destination(*original, options);
    if (where.kind == Replayer::Destination::Kind::None) {
        std::fprintf(stderr, "portico-cli replay: %s (--target URL)\n", qPrintable(where.problem));
        return 1;
    }
    const QByteArray destination = where.url.toString().toUtf8();
    std::fprintf(stderr, "portico-cli replay: sending exchange %lld to %s (%s)\n", id,
        destination.constData(),
        where.kind == Replayer::Destination::Kind::Listener       ? "the gateway listener that captured it"
            : where.kind == Replayer::Destination::Kind::Upstream ? "the upstream that answered it"
                                                                  : "--target");

    // The capture keeps "[redacted]" in place of secrets; the replay leaves those headers and
    // query parameters out, so an authenticated request usually comes back 401. Say so, and how
    // to fix it, up front (the same list the Replayer notes in the recorded exchange).
    for (const Replayer::Withheld &w : Replayer::withheld(*original, options)) {
        const QByteArray name = w.name.toUtf8();
        if (w.kind == Replayer::Withheld::Kind::Header)
            std::fprintf(stderr,
                "portico-cli replay: warning: header %s was redacted in the capture and is not sent; "
                "supply it with --header '%s: VALUE' (sent to %s only)\n",
                name.constData(), name.constData(), destination.constData());
        else
            std::fprintf(stderr,
                "portico-cli replay: warning: query parameter %s was redacted in the capture and is not "
                "sent; supply it in the query of --target, e.g. --target '%s?%s=VALUE'\n",
                name.constData(), destination.constData(), QUrl::toPercentEncoding(w.name).constData());
    }

    CaptureOptions storeOptions;
    storeOptions.databasePath = db;
    storeOptions.maxExchanges = 0; // retention is the gateway's business
    storeOptions.maxAge = std::chrono::milliseconds(0);
    CaptureStore store(storeOptions);
    if (!store.open(&error)) {
        std::fprintf(stderr, "portico-cli replay: %s\n", qPrintable(error));
        return 2;
    }
    // The id the row really got: another process writing the same file may force a fresh one.
    qint64 storedId = 0;
    QObject::connect(
        &store, &CaptureStore::exchangesStored, &store,
        [&storedId](const QList<ExchangeSummary> &rows) {
            if (!rows.isEmpty())
                storedId = rows.last().id;
        },
        Qt::DirectConnection);

    Replayer replayer(&store);
    // A gateway serving from this file is another process with its own store: no row of its
    // can be claimed from here, so the CLI records the replay itself.
    replayer.setGatewayCapturesHere(false);
    QEventLoop loop;
    Exchange result;
    QObject::connect(&replayer, &Replayer::finished, &loop, [&](const Exchange &e) {
        result = e;
        loop.quit();
    });
    replayer.replay(*original, options);
    loop.exec();
    store.flush();
    store.close();

    if (storedId)
        std::printf("%lld\n", storedId);
    if (!result.error.isEmpty()) {
        std::fprintf(
            stderr, "portico-cli replay: %s: %s\n", qPrintable(result.url), qPrintable(result.error));
        return 1;
    }
    if (diff) {
        const ExchangeDiff d = diffExchanges(*original, result);
        if (d.isEmpty())
            std::printf("no differences in status, headers and body\n");
        else
            std::fputs(qPrintable(d.toText()), stdout);
    }
    return 0;
}

} // namespace portico::cli
