// portico-cli traffic list|show|har|import-har|generate: read and move the capture database.
#include "app/cli/Command.h"
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/Curl.h"
#include "core/capture/ExchangeJson.h"
#include "core/capture/Har.h"
#include "core/capture/SyntheticExchanges.h"
#include "core/config/WorkspaceLoader.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSaveFile>

#include <cstdio>

namespace portico::cli {

using namespace portico::capture;

namespace {

constexpr const char *kUsage
    = "Usage: portico-cli traffic list --db DB [--filter EXPR] [--limit N] [--before ID] [--json]\n"
      "       portico-cli traffic show ID --db DB [-c FILE] [--json | --curl]\n"
      "       portico-cli traffic har --db DB [-c FILE] [--filter EXPR] -o OUT.har\n"
      "       portico-cli traffic import-har IN.har --db DB\n";

constexpr const char *kHelp
    = "Reads the capture database that `serve` writes (capture.database in the workspace).\n\n"
      "  list        exchanges, newest first (a table, or one JSON object per line with --json)\n"
      "  show ID     one exchange in full: heads, bodies, timings, route, consumer, trace ids;\n"
      "              --curl prints it as a curl command line. Exit 1 if there is no such id.\n"
      "  har         HAR 1.2 export of the matching exchanges (oldest first; -o - for stdout)\n"
      "  import-har  adds the entries of a HAR file (browsers, other tools) to DB, creating it\n\n"
      "Options:\n"
      "  --db DB          the capture database (SQLite)\n"
      "  --filter EXPR    e.g. 'method:POST status:>=500 route:users -consumer:bob path:/api/*'\n"
      "                   (terms: method status route consumer host path url duration upstream\n"
      "                   version trace span error body header client scheme id parent retries\n"
      "                   protocol grpc grpc_status;\n"
      "                   the whole language: portico-cli help filter)\n"
      "  --limit N        rows to list (default 50)\n"
      "  --before ID      list rows older than ID (paging; also resumes a body: search)\n"
      "  -c, --config FILE  a workspace whose gRPC schemas (grpc.protos) decode captured gRPC\n"
      "                   messages to JSON (show --json: request.messages and response.messages;\n"
      "                   har: _grpcMessages); without it they are shown as raw frames\n"
      "  --json           JSON output\n"
      "  -h, --help       show this help\n";

void usageError(const QString &message)
{
    std::fprintf(stderr, "portico-cli traffic: %s\n%s", qPrintable(message), kUsage);
}

void printLine(const QByteArray &line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fputc('\n', stdout);
}

struct Parsed
{
    QCommandLineParser parser;
    bool ok = false;
};

// Parses `args` for subcommand `sub` with the given value options (long names) and flags.
void parse(Parsed &p, const QString &sub, const QStringList &args, const QStringList &valued,
    const QStringList &flags)
{
    p.parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    for (const QString &name : valued) {
        QStringList names { name };
        if (name == u"output")
            names.prepend(QStringLiteral("o"));
        if (name == u"config")
            names.prepend(QStringLiteral("c"));
        p.parser.addOption(QCommandLineOption(names, QString(), QStringLiteral("value")));
    }
    for (const QString &name : flags)
        p.parser.addOption(QCommandLineOption(
            name == u"help" ? QStringList { QStringLiteral("h"), name } : QStringList { name }));
    if (!p.parser.parse(QStringList { QStringLiteral("traffic ") + sub } + args)) {
        usageError(p.parser.errorText());
        return;
    }
    p.ok = true;
}

bool openReader(CaptureReader &reader, const QCommandLineParser &parser)
{
    if (!parser.isSet(QStringLiteral("db"))) {
        usageError(QStringLiteral("missing --db DB"));
        return false;
    }
    QString error;
    if (!reader.open(parser.value(QStringLiteral("db")), &error)) {
        std::fprintf(stderr, "portico-cli traffic: %s\n", qPrintable(error));
        return false;
    }
    return true;
}

// -c FILE: the workspace's gRPC schemas; false (after saying why) when it does not load.
bool schemaFrom(const QCommandLineParser &parser, portico::grpc::SchemaPtr *schema)
{
    if (!parser.isSet(QStringLiteral("config")))
        return true;
    const portico::config::LoadResult r
        = portico::config::loadWorkspaceFile(parser.value(QStringLiteral("config")));
    for (const portico::config::Diagnostic &d : r.errors)
        std::fprintf(stderr, "%s\n", qPrintable(d.toString()));
    if (!r.ok())
        return false;
    *schema = r.workspace->grpcSchema;
    return true;
}

std::optional<FilterExpression> filterFrom(const QCommandLineParser &parser)
{
    FilterError error;
    const auto f = FilterExpression::parse(parser.value(QStringLiteral("filter")), &error);
    if (!f)
        std::fprintf(stderr, "portico-cli traffic: bad --filter: %s\n", qPrintable(error.toString()));
    return f;
}

QString durationText(qint64 us)
{
    if (us < 0)
        return QStringLiteral("-");
    if (us < 10'000)
        return QString::number(double(us) / 1000.0, 'f', 2) + QStringLiteral("ms");
    if (us < 10'000'000)
        return QString::number(us / 1000) + QStringLiteral("ms");
    return QString::number(double(us) / 1e6, 'f', 1) + QStringLiteral("s");
}

int list(const QStringList &args)
{
    Parsed p;
    parse(p, QStringLiteral("list"), args,
        { QStringLiteral("db"), QStringLiteral("filter"), QStringLiteral("limit"), QStringLiteral("before") },
        { QStringLiteral("json") });
    if (!p.ok)
        return 2;
    if (!p.parser.positionalArguments().isEmpty()) {
        usageError(QStringLiteral("unexpected argument '%1'").arg(p.parser.positionalArguments().first()));
        return 2;
    }
    bool okLimit = true, okBefore = true;
    const int limit = p.parser.isSet(QStringLiteral("limit"))
        ? p.parser.value(QStringLiteral("limit")).toInt(&okLimit)
        : 50;
    const qint64 before = p.parser.isSet(QStringLiteral("before"))
        ? p.parser.value(QStringLiteral("before")).toLongLong(&okBefore)
        : 0;
    if (!okLimit || limit <= 0 || !okBefore || before < 0) {
        usageError(QStringLiteral("--limit and --before take positive numbers"));
        return 2;
    }
    const auto filter = filterFrom(p.parser);
    if (!filter)
        return 2;
    CaptureReader reader;
    if (!openReader(reader, p.parser))
        return 2;
    const CaptureReader::Page page = reader.search(*filter, limit, before, std::chrono::seconds(5));
    if (!reader.lastError().isEmpty() && page.rows.isEmpty()) {
        std::fprintf(stderr, "portico-cli traffic: %s\n", qPrintable(reader.lastError()));
        return 2;
    }
    if (p.parser.isSet(QStringLiteral("json"))) {
        for (const ExchangeSummary &s : page.rows)
            printLine(QJsonDocument(summaryToJson(s)).toJson(QJsonDocument::Compact));
    } else {
        std::printf("%-8s %-23s %-7s %-8s %6s %9s %-14s %-12s %s\n", "ID", "STARTED (UTC)", "METHOD",
            "PROTOCOL", "STATUS", "DURATION", "ROUTE", "CONSUMER", "URL");
        for (const ExchangeSummary &s : page.rows) {
            const QString status = s.status ? QString::number(s.status) : QStringLiteral("-");
            const QString started = rfc3339(s.startedAtMs).replace(u'T', u' ').chopped(1);
            QString url = s.url;
            if (!s.error.isEmpty())
                url += QStringLiteral("  [%1]").arg(s.error);
            std::printf("%-8lld %-23s %-7s %-8s %6s %9s %-14s %-12s %s\n", s.id, qPrintable(started),
                qPrintable(s.method), qPrintable(s.protocol.isEmpty() ? QStringLiteral("-") : s.protocol),
                qPrintable(status), qPrintable(durationText(s.durationUs)),
                qPrintable(s.route.isEmpty() ? QStringLiteral("-") : s.route),
                qPrintable(s.consumer.isEmpty() ? QStringLiteral("-") : s.consumer), qPrintable(url));
        }
    }
    if (page.partial)
        std::fprintf(stderr,
            "note: the scan for body:, header:, trace: or span: terms stopped after its time limit; older exchanges were "
            "not searched. Continue with --before %lld\n",
            page.resumeBeforeId);
    return 0;
}

void printHead(char mark, const QString &first, const HeaderList &headers)
{
    std::printf("%c %s\n", mark, qPrintable(first));
    for (const auto &h : headers)
        std::printf("%c %s: %s\n", mark, h.first.constData(), h.second.constData());
}

void printBody(const QByteArray &body, qint64 size, bool truncated, bool dropped)
{
    if (dropped)
        std::printf("[body not stored: capture queue was overloaded]\n");
    if (body.isEmpty())
        return;
    const bool binary = body.contains('\0');
    if (binary)
        std::printf("[binary body, %lld bytes]\n", qint64(body.size()));
    else
        printLine(body);
    if (truncated)
        std::printf("[truncated: %lld of %lld bytes stored]\n", qint64(body.size()), size);
}

int show(const QStringList &args)
{
    Parsed p;
    parse(p, QStringLiteral("show"), args, { QStringLiteral("db"), QStringLiteral("config") },
        { QStringLiteral("json"), QStringLiteral("curl") });
    if (!p.ok)
        return 2;
    const QStringList pos = p.parser.positionalArguments();
    bool okId = pos.size() == 1;
    const qint64 id = okId ? pos.first().toLongLong(&okId) : 0;
    if (!okId) {
        usageError(QStringLiteral("show needs exactly one exchange ID"));
        return 2;
    }
    portico::grpc::SchemaPtr schema;
    if (!schemaFrom(p.parser, &schema))
        return 2;
    CaptureReader reader;
    if (!openReader(reader, p.parser))
        return 2;
    const auto e = reader.get(id);
    if (!e) {
        std::fprintf(stderr, "portico-cli traffic: no exchange with id %lld\n", id);
        return 1;
    }
    if (p.parser.isSet(QStringLiteral("curl"))) {
        printLine(toCurl(*e).toUtf8());
        return 0;
    }
    if (p.parser.isSet(QStringLiteral("json"))) {
        printLine(QJsonDocument(exchangeToJson(*e, schema.get())).toJson(QJsonDocument::Compact));
        return 0;
    }
    std::printf("exchange %lld  %s  from %s\n", e->id, qPrintable(rfc3339(e->startedAt.toMSecsSinceEpoch())),
        qPrintable(e->clientAddress));
    std::printf("%s %s -> %s  %s\n", qPrintable(e->method), qPrintable(e->url),
        e->status ? qPrintable(QString::number(e->status)) : "no response",
        qPrintable(durationText(e->timings.lastByteUs)));
    std::printf("route: %s  consumer: %s  upstream: %s %s  version: %s  retries: %d\n", qPrintable(e->route),
        qPrintable(e->consumer), qPrintable(e->upstream), qPrintable(e->upstreamTarget),
        qPrintable(e->apiVersion), e->retries);
    std::printf("trace: %s  span: %s  parent span: %s", qPrintable(e->traceId), qPrintable(e->spanId),
        qPrintable(e->parentSpanId));
    if (e->parentId)
        std::printf("  part of exchange %lld", e->parentId);
    std::printf("\ntimings: received %s, upstream connect %s, first upstream byte %s, last byte %s\n",
        qPrintable(durationText(e->timings.receivedUs)),
        qPrintable(durationText(e->timings.upstreamConnectUs)),
        qPrintable(durationText(e->timings.firstUpstreamByteUs)),
        qPrintable(durationText(e->timings.lastByteUs)));
    std::printf("bytes: %lld in, %lld out\n", e->requestBytes, e->responseBytes);
    if (!e->error.isEmpty())
        std::printf("error: %s\n", qPrintable(e->error));
    for (const QString &note : e->notes.split(u'\n', Qt::SkipEmptyParts))
        std::printf("note: %s\n", qPrintable(note));
    const QString target = e->path + (e->query.isEmpty() ? QString() : u'?' + e->query);
    std::printf("\n");
    // As curl -v shows them; rows captured before the protocol was recorded read as HTTP/1.1.
    const QString protocol = e->protocol.isEmpty() ? QStringLiteral("HTTP/1.1") : e->protocol;
    printHead('>', QStringLiteral("%1 %2 %3").arg(e->method, target, protocol), e->requestHeaders);
    std::printf("\n");
    printBody(e->requestBody, e->requestBodySize, e->requestTruncated, false);
    if (e->status) {
        std::printf("\n");
        printHead('<', QStringLiteral("%1 %2").arg(protocol).arg(e->status), e->responseHeaders);
        std::printf("\n");
        printBody(e->responseBody, e->responseBodySize, e->responseTruncated, e->bodiesDropped);
    }
    return 0;
}

int har(const QStringList &args)
{
    Parsed p;
    parse(p, QStringLiteral("har"), args,
        { QStringLiteral("db"), QStringLiteral("filter"), QStringLiteral("output"),
            QStringLiteral("config") },
        {});
    if (!p.ok)
        return 2;
    if (!p.parser.isSet(QStringLiteral("output"))) {
        usageError(QStringLiteral("missing -o OUT.har"));
        return 2;
    }
    const auto filter = filterFrom(p.parser);
    if (!filter)
        return 2;
    portico::grpc::SchemaPtr schema;
    if (!schemaFrom(p.parser, &schema))
        return 2;
    CaptureReader reader;
    if (!openReader(reader, p.parser))
        return 2;
    const QString out = p.parser.value(QStringLiteral("output"));
    QString error;
    int n = 0;
    if (out == u"-") {
        QFile stdoutFile;
        stdoutFile.open(stdout, QIODevice::WriteOnly);
        n = exportHar(reader, *filter, &stdoutFile, &error, nullptr, schema.get());
    } else {
        // Written beside the target and renamed at the end: a failed export leaves no half file.
        QSaveFile file(out);
        if (!file.open(QIODevice::WriteOnly)) {
            std::fprintf(stderr, "portico-cli traffic: cannot write %s: %s\n", qPrintable(out),
                qPrintable(file.errorString()));
            return 2;
        }
        n = exportHar(reader, *filter, &file, &error, nullptr, schema.get());
        if (n >= 0 && !file.commit())
            error = file.errorString(), n = -1;
    }
    if (n < 0) {
        std::fprintf(stderr, "portico-cli traffic: %s\n", qPrintable(error));
        return 2;
    }
    std::fprintf(stderr, "wrote %d exchanges to %s\n", n, qPrintable(out));
    return 0;
}

CaptureOptions cliStoreOptions(const QString &db)
{
    // The CLI adds rows; it never prunes (retention is the gateway's job, with its settings).
    CaptureOptions o;
    o.databasePath = db;
    o.maxExchanges = 0;
    o.maxAge = std::chrono::milliseconds(0);
    o.redactHeaders.clear();
    o.batchRows = 2000;
    o.maxBodyBytes = -1;
    return o;
}

int importHarFile(const QStringList &args)
{
    Parsed p;
    parse(p, QStringLiteral("import-har"), args, { QStringLiteral("db") }, {});
    if (!p.ok)
        return 2;
    if (p.parser.positionalArguments().size() != 1 || !p.parser.isSet(QStringLiteral("db"))) {
        usageError(QStringLiteral("import-har needs IN.har and --db DB"));
        return 2;
    }
    const QString in = p.parser.positionalArguments().first();
    QFile file(in);
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "portico-cli traffic: cannot read %s: %s\n", qPrintable(in),
            qPrintable(file.errorString()));
        return 2;
    }
    CaptureStore store(cliStoreOptions(p.parser.value(QStringLiteral("db"))));
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "portico-cli traffic: %s\n", qPrintable(error));
        return 2;
    }
    const int n = importHar(file.readAll(), store, &error);
    if (n < 0) {
        std::fprintf(stderr, "portico-cli traffic: %s: %s\n", qPrintable(in), qPrintable(error));
        return 2;
    }
    std::printf("imported %d exchanges\n", n);
    return 0;
}

// Hidden `traffic generate --db DB --count N`: a quick way to a large database for measuring
// list and filter speed. Rows vary in method, status, route, consumer, host and duration and are
// spread over the last 7 days.
int generate(const QStringList &args)
{
    Parsed p;
    parse(p, QStringLiteral("generate"), args, { QStringLiteral("db"), QStringLiteral("count") }, {});
    bool ok = p.ok && p.parser.isSet(QStringLiteral("db"));
    const qint64 count = ok ? p.parser.value(QStringLiteral("count")).toLongLong(&ok) : 0;
    if (!ok || count <= 0) {
        usageError(QStringLiteral("generate needs --db DB --count N"));
        return 2;
    }
    CaptureOptions o = cliStoreOptions(p.parser.value(QStringLiteral("db")));
    o.batchRows = 5000;
    CaptureStore store(o);
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "portico-cli traffic: %s\n", qPrintable(error));
        return 2;
    }
    QRandomGenerator rng(42);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 span = qint64(7) * 24 * 3600 * 1000;
    QElapsedTimer timer;
    timer.start();
    for (qint64 i = 0; i < count; ++i) {
        store.submit(syntheticExchange(rng, i, now - span + span * i / count));
        if (i % 20'000 == 19'999)
            store.flush();
    }
    store.close();
    std::printf("generated %lld exchanges in %.1f s\n", count, double(timer.elapsed()) / 1000.0);
    return 0;
}

} // namespace

int runTraffic(const QStringList &args)
{
    if (args.isEmpty()) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const QString sub = args.first();
    const QStringList rest = args.mid(1);
    if (sub == u"-h" || sub == u"--help" || rest.contains(QStringLiteral("--help"))
        || rest.contains(QStringLiteral("-h"))) {
        std::fputs(kUsage, stdout);
        std::fputs(kHelp, stdout);
        return 0;
    }
    if (sub == u"list")
        return list(rest);
    if (sub == u"show")
        return show(rest);
    if (sub == u"har")
        return har(rest);
    if (sub == u"import-har")
        return importHarFile(rest);
    if (sub == u"generate") // hidden: fills a database for benchmarks
        return generate(rest);
    usageError(QStringLiteral("unknown subcommand '%1'").arg(sub));
    return 2;
}

} // namespace portico::cli
