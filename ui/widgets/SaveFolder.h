#pragma once

#include <QString>

namespace portico::ui {

// Where a Save dialog for an exported file (nginx/OpenAPI export, HAR) starts: the folder saved
// to last in this session; else the folder of `workspaceFile` when it is the user's own (not the
// demo's, which lives in the application's data folder, and not an unsaved workspace); else
// Documents, else the home folder.
QString defaultSaveFolder(const QString &workspaceFile);
// A file was saved: the next Save dialog starts in its folder.
void rememberSaveFolder(const QString &savedFile);

} // namespace portico::ui
