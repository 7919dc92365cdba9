#include "core/admin/ConfigEndpoint.h"

#include "core/config/WorkspaceLoader.h"
#include "core/config/WorkspaceWriter.h"
#include "core/gateway/Gateway.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

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

bool inside(const QString &path, const QString &folder)
{
    const QString dir = QDir::cleanPath(folder);
    return path.startsWith(dir.endsWith(u'/') ? dir : dir + u'/');
}

// A config that arrives over the network must not make the gateway read (or create) files
// outside the running workspace's folder: a mock body_file of ../../etc/passwd would serve the
// file, a TLS key or JWT public key path would probe it. Every file reference is resolved as the
// gateway will resolve it and must stay inside the folder, unless the running config already
// names that very file (so that GET /config, edit, PUT keeps working for a workspace whose
// certificate lives elsewhere). Paths are compared as written, cleaned: a symbolic link inside the
// folder is the folder owner's choice.
QJsonArray filesOutsideWorkspace(const config::Workspace &next, const config::Workspace &running)
{
    QSet<QString> known;
    QList<std::pair<QString, QString>> refs; // key path, path as written
    auto collect = [](const config::Workspace &ws, auto &&add) {
        if (ws.gateway.tls) {
            add(QStringLiteral("gateway.tls.cert"), ws.gateway.tls->cert);
            add(QStringLiteral("gateway.tls.key"), ws.gateway.tls->key);
        }
        if (ws.capture.enabled)
            add(QStringLiteral("capture.database"), ws.capture.database);
        for (const config::AuthScheme &a : ws.auth)
            add(QStringLiteral("auth.%1.public_key").arg(a.name), a.publicKey);
        for (int i = 0; i < ws.routes.size(); ++i) {
            if (ws.routes[i].mock)
                add(QStringLiteral("routes[%1].mock.body_file").arg(i), ws.routes[i].mock->bodyFile);
        }
    };
    collect(running, [&](const QString &, const QString &file) {
        if (!file.isEmpty())
            known.insert(running.resolvePath(file));
    });
    collect(next, [&](const QString &key, const QString &file) {
        if (!file.isEmpty())
            refs.append({ key, file });
    });
    QJsonArray problems;
    const QString folder = running.baseDir();
    for (const auto &[key, file] : std::as_const(refs)) {
        const QString resolved = next.resolvePath(file);
        if (inside(resolved, folder) || known.contains(resolved))
            continue;
        QJsonObject o;
        o.insert(QStringLiteral("path"), key);
        o.insert(QStringLiteral("message"),
            QStringLiteral("%1: '%2' is outside the workspace folder %3; a config sent to the admin API "
                           "may only name files inside it")
                .arg(key, file, folder));
        problems.append(o);
    }
    return problems;
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
    if (const QJsonArray outside = filesOutsideWorkspace(*next, *running); !outside.isEmpty())
        return invalid(outside);
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
