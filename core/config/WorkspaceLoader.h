#pragma once

// Loading a workspace file (YAML, or JSON with the same structure) into the model, with every
// problem reported at once as FILE:LINE:COL diagnostics. See docs/portico.example.yaml.

#include "core/config/Diagnostic.h"
#include "core/config/Workspace.h"

#include <QByteArray>
#include <QProcessEnvironment>

#include <memory>

namespace portico::config {

struct LoadResult
{
    std::shared_ptr<const Workspace> workspace; // null unless ok()
    QList<Diagnostic> errors; // sorted by line, then column
    bool ok() const { return workspace && errors.isEmpty(); }
};

// ${NAME} in any value expands from `env`; an unset variable is an error, except in admin.token and
// the auth secrets (secret, client_secret), where it means empty.
LoadResult loadWorkspaceFile(
    const QString &path, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
// `fileName` names the text in messages and anchors relative paths (it need not exist); a name
// ending in ".json" is read as JSON. For text that is no file (admin PUT /config), pass a name in
// the folder its relative paths belong to, e.g. QDir(running.baseDir()).filePath("PUT-config.json").
LoadResult loadWorkspaceText(const QByteArray &text, const QString &fileName,
    const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// The semantic checks (references, duplicates, ranges, files that must exist) on a model built in
// memory, e.g. by the GUI. Each diagnostic has `path` and `message`; `file` is the workspace's
// filePath and there is no line or column. Paths follow the file's keys: map sections by name,
// lists by index: "version", "gateway.listen", "upstreams.users.targets[0].url",
// "tiers.free.rate_limit.requests", "consumers[1].tier", "auth.idp.algorithms[2]",
// "routes[0].match.path_regex", "routes[0].versions.map.v2". A problem about something missing names
// the missing key when it is one key ("routes[0].versions.default"), else the item ("auth.idp").
QList<Diagnostic> validateWorkspace(const Workspace &ws);

} // namespace portico::config
