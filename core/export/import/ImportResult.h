#pragma once

#include "core/config/Workspace.h"

#include <QStringList>

namespace portico::exporter {

// What an importer produces: a workspace (write it with config::writeWorkspaceYaml), one warning
// per part of the input that has no workspace equivalent, or an error when the input cannot be
// read at all (then the workspace is empty).
struct ImportResult
{
    config::Workspace workspace;
    QStringList warnings;
    QString error;
    bool ok() const { return error.isEmpty(); }
};

} // namespace portico::exporter
