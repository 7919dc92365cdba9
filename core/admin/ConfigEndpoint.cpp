#include "core/admin/ConfigEndpoint.h"

#include "core/config/WorkspaceLoader.h"
#include "core/config/WorkspaceWriter.h"
#include "core/gateway/Gateway.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace portico::admin {

namespace {

enum class BodyFormat { Json, Yaml, Unsupported };

BodyFormat formatOf(const QByteArray &contentType, const QByteArray &body)
{
    const QByteArray mime = contentType.split(';').first().trimmed().toLower();
    if (mime == "application/yaml" || mime == "application/x-yaml" || mime == "text/yaml"
        || mime == "text/x-yaml")
        return BodyFormat::Yaml;
    if (mime == "application/json" || mime.endsWith("+json"))
        return BodyFormat::Json;
    if (mime.isEmpty() || mime == "application/octet-stream" || mime == "text/plain") {
        // curl -d sends application/x-www-form-urlencoded; others send nothing: look at the text.
        return body.trimmed().startsWith('{') ? BodyFormat::Json : BodyFormat::Yaml;
    }
    if (mime == "application/x-www-form-urlencoded")
        return body.trimmed().startsWith('{') ? BodyFormat::Json : BodyFormat::Yaml;
    return BodyFormat::Unsupported;
}

// The name the loader gets: it anchors relative paths, so it sits beside the running file; its
// extension chooses the parser.
QString anchorName(const config::Workspace &running, BodyFormat format)
{
    const QString dir = running.filePath.isEmpty() ? QDir::currentPath() : running.baseDir();
    const QString base = running.filePath.isEmpty() ? QStringLiteral("workspace")
                                                    : QFileInfo(running.filePath).completeBaseName();
    return dir + u'/' + base
        + (format == BodyFormat::Json ? QStringLiteral(".json") : QStringLiteral(".yaml"));
}

QJsonObject diagnosticJson(const config::Diagnostic &d)
{
    QJsonObject o;
    if (d.line > 0) {
        o.insert(QStringLiteral("line"), d.line);
        o.insert(QStringLiteral("column"), d.column);
    }
    if (!d.path.isEmpty())
        o.insert(QStringLiteral("path"), d.path);
    o.insert(QStringLiteral("message"), d.message);
    return o;
}

AdminReply invalid(const QJsonArray &problems)
{
    const QString first = problems.first().toObject().value(QStringLiteral("message")).toString();
    const QString detail = problems.size() == 1
        ? first
        : QStringLiteral("%1 problems, the first: %2").arg(problems.size()).arg(first);
    QJsonObject extra;
    extra.insert(QStringLiteral("problems"), problems);
    return AdminReply::problem(400, "invalid-config", QStringLiteral("Invalid configuration"),
        detail + QStringLiteral(" (the running configuration is unchanged)"), extra);
}

} // namespace

AdminReply getConfig(const gateway::Gateway &gateway)
{
    const config::WorkspacePtr ws = gateway.workspace();
    if (!ws)
        return AdminReply::problem(503, "no-config", QStringLiteral("No configuration"),
            QStringLiteral("the gateway has no configuration yet"));
    AdminReply r = AdminReply::json(config::workspaceToJson(*ws));
    r.addHeader("X-Config-Revision", QByteArray::number(gateway.revision()));
    return r;
}

AdminReply putConfig(gateway::Gateway &gateway, const QByteArray &body, const QByteArray &contentType)
{
    const config::WorkspacePtr running = gateway.workspace();
    if (!running)
        return AdminReply::problem(503, "no-config", QStringLiteral("No configuration"),
            QStringLiteral("the gateway has no configuration yet"));
    const BodyFormat format = formatOf(contentType, body);
    if (format == BodyFormat::Unsupported)
        return AdminReply::problem(415, "unsupported-media-type", QStringLiteral("Unsupported Media Type"),
            QStringLiteral("send the workspace as application/json or application/yaml, not %1")
                .arg(QString::fromLatin1(contentType)));
    if (body.trimmed().isEmpty())
        return AdminReply::problem(400, "invalid-config", QStringLiteral("Invalid configuration"),
            QStringLiteral("the request body is empty: send a whole workspace"));

    const config::LoadResult loaded = config::loadWorkspaceText(body, anchorName(*running, format));
    if (!loaded.ok()) {
        QJsonArray problems;
        for (const config::Diagnostic &d : loaded.errors)
            problems.append(diagnosticJson(d));
        if (problems.isEmpty())
            problems.append(QJsonObject {
                { QStringLiteral("message"), QStringLiteral("the workspace could not be read") } });
        return invalid(problems);
    }

    auto next = std::make_shared<config::Workspace>(*loaded.workspace);
    config::restoreRedactedSecrets(*next, *running);
    // The running file stays the workspace's identity (the writer, later reloads, the GUI).
    next->filePath = running->filePath;
    const QStringList applyProblems = gateway.apply(next);
    if (!applyProblems.isEmpty()) {
        QJsonArray problems;
        for (const QString &p : applyProblems)
            problems.append(QJsonObject { { QStringLiteral("message"), p } });
        return invalid(problems);
    }
    QJsonObject o;
    o.insert(QStringLiteral("revision"), gateway.revision());
    o.insert(QStringLiteral("applied"), true);
    AdminReply r = AdminReply::json(o);
    r.addHeader("X-Config-Revision", QByteArray::number(gateway.revision()));
    return r;
}

} // namespace portico::admin
