#include "core/config/WorkspaceLoader.h"

#include "core/config/GrpcConfig.h"
#include "core/config/ProxyConfig.h"
#include "core/config/SectionParsers.h"
#include "core/config/WorkspaceValidator.h"
#include "core/config/YamlReader.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

#include <algorithm>

namespace portico::config {

namespace {

const QStringList kTopLevelKeys { "version", "gateway", "admin", "capture", "tracing", "rate_limit_store",
    "grpc", "proxy", "upstreams", "tiers", "consumers", "auth", "routes" };

QString parentPath(const QString &path)
{
    const qsizetype cut = std::max(path.lastIndexOf(u'.'), path.lastIndexOf(u'['));
    return cut < 0 ? QString() : path.left(cut);
}

Diagnostic errorAtOffset(
    const QByteArray &text, const QString &fileName, qsizetype offset, const QString &message)
{
    offset = std::clamp<qsizetype>(offset, 0, text.size());
    const QByteArray before = text.left(offset);
    const int line = int(before.count('\n')) + 1;
    const int column = int(QString::fromUtf8(before.mid(before.lastIndexOf('\n') + 1)).size()) + 1;
    return Diagnostic { fileName, line, column, QString(), message };
}

void sortByPosition(QList<Diagnostic> &errors)
{
    std::stable_sort(errors.begin(), errors.end(), [](const Diagnostic &a, const Diagnostic &b) {
        return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
}

Workspace parseDocument(YamlReader &r, const YAML::Node &root)
{
    Workspace ws;
    r.registerRoot(root);
    for (const auto &f : r.fields(root, QString(), QStringLiteral("the workspace"), kTopLevelKeys)) {
        if (f.value.IsNull()) // "routes:" with nothing under it: the section's defaults
            continue;
        if (f.key == u"version") {
            if (const auto v = r.integer(f.value, f.path))
                ws.version = *v;
        } else if (f.key == u"gateway") {
            ws.gateway = parseGateway(r, f.value, f.path);
        } else if (f.key == u"admin") {
            ws.admin = parseAdmin(r, f.value, f.path);
        } else if (f.key == u"capture") {
            ws.capture = parseCapture(r, f.value, f.path);
        } else if (f.key == u"tracing") {
            ws.tracing = parseTracing(r, f.value, f.path);
        } else if (f.key == u"rate_limit_store") {
            ws.rateLimitStore = parseRateLimitStore(r, f.value, f.path);
        } else if (f.key == u"grpc") {
            ws.grpc = parseGrpc(r, f.value, f.path);
        } else if (f.key == u"proxy") {
            ws.proxy = parseProxy(r, f.value, f.path);
        } else if (f.key == u"upstreams") {
            ws.upstreams = parseUpstreams(r, f.value, f.path);
        } else if (f.key == u"tiers") {
            ws.tiers = parseTiers(r, f.value, f.path);
        } else if (f.key == u"consumers") {
            ws.consumers = parseConsumers(r, f.value, f.path);
        } else if (f.key == u"auth") {
            ws.auth = parseAuthSchemes(r, f.value, f.path);
        } else if (f.key == u"routes") {
            ws.routes = parseRoutes(r, f.value, f.path);
        }
    }
    return ws;
}

} // namespace

LoadResult loadWorkspaceText(const QByteArray &text, const QString &fileName, const QProcessEnvironment &env)
{
    LoadResult result;
    // yaml-cpp reads JSON too and gives positions; QJsonDocument is asked first only so that a .json
    // file is held to JSON's stricter rules (no comments, no trailing commas) with a JSON message.
    if (fileName.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive)) {
        QJsonParseError jsonError;
        QJsonDocument::fromJson(text, &jsonError);
        if (jsonError.error != QJsonParseError::NoError) {
            // Qt reports the offset just past the character it choked on.
            result.errors.append(errorAtOffset(text, fileName, std::max(0, jsonError.offset - 1),
                QStringLiteral("invalid JSON: %1").arg(jsonError.errorString())));
            return result;
        }
    }

    YAML::Node root;
    try {
        root = YAML::Load(text.toStdString());
    } catch (const YAML::Exception &e) {
        const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
        const int column = e.mark.is_null() ? 0 : e.mark.column + 1;
        QString message = QStringLiteral("YAML syntax error: %1").arg(QString::fromStdString(e.msg));
        // "listen: [::1]:8080" unquoted is a flow list followed by junk: say what was meant.
        static const QRegularExpression bareIpv6(
            QStringLiteral("(^|[\\s,\\[])\\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\\]:\\d+"));
        const QList<QByteArray> lines = text.split('\n');
        if (line > 0 && line <= lines.size() && bareIpv6.match(QString::fromUtf8(lines[line - 1])).hasMatch())
            message += QStringLiteral(" (write IPv6 listeners in quotes: \"[::1]:8080\")");
        result.errors.append(Diagnostic { fileName, line, column, QString(), message });
        return result;
    }
    if (!root || root.IsNull()) {
        result.errors.append(
            Diagnostic { fileName, 1, 1, QString(), QStringLiteral("the workspace file is empty") });
        return result;
    }

    if (!root.IsMap()) {
        result.errors.append(Diagnostic { fileName, 1, 1, QString(),
            QStringLiteral("the workspace must be a map of sections (version, gateway, "
                           "upstreams, routes, ...)") });
        return result;
    }

    YamlReader reader(fileName, env);
    Workspace ws = parseDocument(reader, root);
    ws.filePath = QFileInfo(fileName).absoluteFilePath();
    ws.envTemplates = reader.takeEnvTemplates();
    // Before the checks: they look routes' gRPC services up in the compiled schema.
    const Diagnostics schemaErrors = compileGrpcSchema(ws);

    // A semantic issue on something that already failed to read is a consequence, not a second
    // mistake: "route has none of upstream, ..." after "unknown key 'upstreem'" would only confuse.
    QSet<QString> suppressed;
    for (const QString &failed : reader.failedPaths()) {
        suppressed.insert(failed);
        suppressed.insert(parentPath(failed));
        suppressed.insert(parentPath(parentPath(failed)));
    }
    for (const ValidationIssue &issue : checkWorkspace(ws)) {
        if (suppressed.contains(issue.path)
            || (!issue.refersTo.isEmpty() && suppressed.contains(issue.refersTo)))
            continue;
        reader.error(
            issue.path, issue.message, issue.atKey ? YamlReader::Anchor::Key : YamlReader::Anchor::Value);
    }

    result.errors = reader.takeErrors();
    sortByPosition(result.errors);
    result.errors += schemaErrors; // in the .proto files, after the workspace file's own
    if (result.errors.isEmpty())
        result.workspace = std::make_shared<const Workspace>(std::move(ws));
    return result;
}

LoadResult loadWorkspaceFile(const QString &path, const QProcessEnvironment &env)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        LoadResult result;
        result.errors.append(Diagnostic {
            path, 0, 0, QString(), QStringLiteral("cannot read the file: %1").arg(file.errorString()) });
        return result;
    }
    return loadWorkspaceText(file.readAll(), path, env);
}

QList<Diagnostic> validateWorkspace(const Workspace &ws)
{
    QList<Diagnostic> out;
    Diagnostics schemaErrors;
    if (!ws.grpcSchema && !ws.grpc.protos.isEmpty()) { // a model built in memory: compile its schemas
        Workspace compiled = ws;
        schemaErrors = compileGrpcSchema(compiled);
        for (const ValidationIssue &issue : checkWorkspace(compiled))
            out.append(Diagnostic { ws.filePath, 0, 0, issue.path, issue.message });
        return out + schemaErrors;
    }
    for (const ValidationIssue &issue : checkWorkspace(ws))
        out.append(Diagnostic { ws.filePath, 0, 0, issue.path, issue.message });
    return out;
}

} // namespace portico::config
