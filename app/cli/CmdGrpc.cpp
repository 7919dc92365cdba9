// portico-cli grpc describe: the services and methods of a workspace's protobuf schemas, with their
// google.api.http REST mappings.
#include "app/cli/Command.h"
#include "core/config/WorkspaceLoader.h"

#include <google/protobuf/descriptor.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace portico::cli {

namespace {

namespace gp = google::protobuf;

constexpr const char *kUsage = "Usage: portico-cli grpc describe -c FILE [--json]\n";

void printUsage(FILE *out)
{
    std::fputs(kUsage, out);
    std::fputs("Lists the services of the workspace's gRPC schemas (grpc.protos): each method with\n"
               "its call kind (unary, server streaming, client streaming, bidi streaming), its\n"
               "input and output message types, and its REST mappings from google.api.http\n"
               "options (additional_bindings included). Schema errors are printed on stderr as\n"
               "FILE:LINE:COL: error: MESSAGE.\n"
               "Exit status: 0; 2 if the workspace is invalid or a schema does not load.\n\n"
               "Options:\n"
               "  -c, --config FILE   the workspace file (YAML or JSON)\n"
               "  --json              one JSON document: {\"services\": [{\"name\", \"file\",\n"
               "                      \"methods\": [{\"name\", \"path\", \"kind\", \"input\", \"output\",\n"
               "                      \"http\": [{\"verb\", \"pattern\", \"body\", \"response_body\",\n"
               "                      \"additional\"}]}]}]}\n"
               "  -h, --help          show this help\n",
        out);
}

QString kindOf(const gp::MethodDescriptor *m)
{
    if (m->client_streaming() && m->server_streaming())
        return QStringLiteral("bidi streaming");
    if (m->client_streaming())
        return QStringLiteral("client streaming");
    if (m->server_streaming())
        return QStringLiteral("server streaming");
    return QStringLiteral("unary");
}

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

QJsonObject describeJson(const grpc::Schema &schema)
{
    QJsonArray services;
    for (const gp::ServiceDescriptor *s : schema.services()) {
        QJsonArray methods;
        for (int i = 0; i < s->method_count(); ++i) {
            const gp::MethodDescriptor *m = s->method(i);
            QJsonArray http;
            for (const grpc::HttpBinding &b : schema.httpBindings(m))
                http.append(QJsonObject { { "verb", b.verb }, { "pattern", b.pattern }, { "body", b.body },
                    { "response_body", b.responseBody }, { "additional", b.additional } });
            methods.append(QJsonObject { { "name", q(m->name()) },
                { "path", QStringLiteral("/%1/%2").arg(q(s->full_name()), q(m->name())) },
                { "kind", kindOf(m) }, { "input", q(m->input_type()->full_name()) },
                { "output", q(m->output_type()->full_name()) }, { "http", http } });
        }
        services.append(QJsonObject {
            { "name", q(s->full_name()) }, { "file", q(s->file()->name()) }, { "methods", methods } });
    }
    return QJsonObject { { "services", services } };
}

void describeText(const grpc::Schema &schema)
{
    for (const gp::ServiceDescriptor *s : schema.services()) {
        std::printf("service %s (%s)\n", s->full_name().c_str(), s->file()->name().c_str());
        for (int i = 0; i < s->method_count(); ++i) {
            const gp::MethodDescriptor *m = s->method(i);
            std::printf("  rpc %s(%s%s) returns (%s%s)  %s\n", m->name().c_str(),
                m->client_streaming() ? "stream " : "", m->input_type()->full_name().c_str(),
                m->server_streaming() ? "stream " : "", m->output_type()->full_name().c_str(),
                qPrintable(kindOf(m)));
            for (const grpc::HttpBinding &b : schema.httpBindings(m)) {
                QString line = QStringLiteral("    %1 %2").arg(b.verb, b.pattern);
                if (!b.body.isEmpty())
                    line += QStringLiteral("  body: %1").arg(b.body);
                if (!b.responseBody.isEmpty())
                    line += QStringLiteral("  response_body: %1").arg(b.responseBody);
                if (b.additional)
                    line += QStringLiteral("  (additional binding)");
                std::printf("%s\n", qPrintable(line));
            }
        }
    }
}

int describe(const QStringList &args)
{
    QString file;
    bool json = false;
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
        } else if (a == u"--json") {
            json = true;
        } else {
            std::fprintf(
                stderr, "portico-cli grpc describe: unexpected argument '%s'\n%s", qPrintable(a), kUsage);
            return 2;
        }
    }
    if (file.isEmpty()) {
        std::fprintf(stderr, "portico-cli grpc describe: missing -c FILE\n%s", kUsage);
        return 2;
    }
    const config::LoadResult result = config::loadWorkspaceFile(file);
    for (const config::Diagnostic &d : result.errors)
        std::fprintf(stderr, "%s\n", qPrintable(d.toString()));
    if (!result.ok())
        return 2;
    const grpc::SchemaPtr schema = result.workspace->grpcSchema;
    if (!schema) {
        std::fprintf(stderr, "%s: no gRPC schemas (grpc.protos is empty)\n", qPrintable(file));
        if (json)
            std::printf("{\"services\":[]}\n");
        return 0;
    }
    if (json)
        std::printf("%s\n", QJsonDocument(describeJson(*schema)).toJson(QJsonDocument::Compact).constData());
    else
        describeText(*schema);
    return 0;
}

} // namespace

int runGrpc(const QStringList &args)
{
    if (args.isEmpty() || args.first() == u"-h" || args.first() == u"--help") {
        printUsage(args.isEmpty() ? stderr : stdout);
        return args.isEmpty() ? 2 : 0;
    }
    if (args.first() == u"describe")
        return describe(args.mid(1));
    std::fprintf(stderr, "portico-cli grpc: unknown subcommand '%s'\n%s", qPrintable(args.first()), kUsage);
    return 2;
}

} // namespace portico::cli
