#include "core/config/WorkspaceWriter.h"

#include "core/config/WorkspaceTree.h"

#include <QJsonArray>

#include <yaml-cpp/yaml.h>

namespace portico::config {

namespace {

using Tree = WorkspaceTree;

// Short collections of plain values read best on one line: [GET, POST], {connect: 2s, response: 30s}.
bool writeAsFlow(const Tree &t)
{
    if (t.block)
        return false;
    qsizetype length = 0;
    if (t.kind == Tree::Kind::List) {
        for (const Tree &item : t.list) {
            if (!item.isScalar())
                return false;
            length += item.text.size() + 6;
        }
    } else {
        for (const auto &[key, value] : t.map) {
            if (!value.isScalar())
                return false;
            length += key.size() + value.text.size() + (value.envTemplate.size()) + 8;
        }
    }
    return length <= 72;
}

void emitYaml(YAML::Emitter &out, const Tree &t)
{
    switch (t.kind) {
    case Tree::Kind::String:
        out << (t.envTemplate.isEmpty() ? t.text : t.envTemplate).toStdString();
        break;
    case Tree::Kind::Number:
        if (t.envTemplate.isEmpty())
            out << static_cast<long long>(t.number);
        else
            out << t.envTemplate.toStdString();
        break;
    case Tree::Kind::Bool:
        if (t.envTemplate.isEmpty())
            out << (t.flag ? "true" : "false");
        else
            out << t.envTemplate.toStdString();
        break;
    case Tree::Kind::List:
        if (writeAsFlow(t))
            out << YAML::Flow;
        out << YAML::BeginSeq;
        for (const Tree &item : t.list)
            emitYaml(out, item);
        out << YAML::EndSeq;
        break;
    case Tree::Kind::Map:
        if (writeAsFlow(t))
            out << YAML::Flow;
        out << YAML::BeginMap;
        for (const auto &[key, value] : t.map) {
            out << YAML::Key << key.toStdString() << YAML::Value;
            emitYaml(out, value);
        }
        out << YAML::EndMap;
        break;
    }
}

QJsonValue toJson(const Tree &t)
{
    switch (t.kind) {
    case Tree::Kind::String:
        if (t.secret) {
            if (!t.envTemplate.isEmpty() && !t.escapedLiteral)
                return t.envTemplate;
            return t.text.isEmpty() ? QString() : QString::fromLatin1(kRedacted);
        }
        return t.text;
    case Tree::Kind::Number:
        return double(t.number);
    case Tree::Kind::Bool:
        return t.flag;
    case Tree::Kind::List: {
        QJsonArray a;
        for (const Tree &item : t.list)
            a.append(toJson(item));
        return a;
    }
    case Tree::Kind::Map: {
        QJsonObject o;
        for (const auto &[key, value] : t.map)
            o.insert(key, toJson(value));
        return o;
    }
    }
    return {};
}

} // namespace

QByteArray writeWorkspaceYaml(const Workspace &ws)
{
    YAML::Emitter out;
    out.SetIndent(2);
    emitYaml(out, buildWorkspaceTree(ws));

    // A blank line before each top-level section and between routes, as in the example file.
    QByteArray text;
    QByteArray section;
    const QList<QByteArray> lines = QByteArray(out.c_str()).split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        const bool topLevel = !line.isEmpty() && line[0] != ' ' && line[0] != '-' && line.contains(':');
        if (topLevel)
            section = line.left(line.indexOf(':'));
        const bool nextRoute
            = section == "routes" && line.startsWith("  - ") && !lines[i - 1].startsWith("routes:");
        if ((i > 0 && topLevel) || nextRoute)
            text += '\n';
        text += line;
        text += '\n';
    }
    return "# Portico workspace file\n" + text.trimmed() + '\n';
}

QJsonObject workspaceToJson(const Workspace &ws)
{
    return toJson(buildWorkspaceTree(ws)).toObject();
}

void restoreRedactedSecrets(Workspace &incoming, const Workspace &running)
{
    const QString redacted = QString::fromLatin1(kRedacted);
    if (incoming.admin.token == redacted)
        incoming.admin.token = running.admin.token;
    if (incoming.rateLimitStore.redis == redacted)
        incoming.rateLimitStore.redis = running.rateLimitStore.redis;
    for (AuthScheme &scheme : incoming.auth) {
        const AuthScheme *old = running.findAuth(scheme.name);
        if (scheme.secret == redacted)
            scheme.secret = old ? old->secret : QString();
        if (scheme.clientSecret == redacted)
            scheme.clientSecret = old ? old->clientSecret : QString();
    }
}

} // namespace portico::config
