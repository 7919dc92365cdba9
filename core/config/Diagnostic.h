#pragma once

#include <QList>
#include <QString>

namespace portico::config {

// One problem found in a workspace. `file`, `line` and `column` (1-based) locate it in the file
// for terminals and editors; `path` is the dotted location in the model ("routes[2].upstream",
// "auth.idp.type") for GUIs that have no file position.
struct Diagnostic
{
    QString file;
    int line = 0; // 0 = no position (unreadable file, in-memory model)
    int column = 0;
    QString path;
    QString message;

    // "FILE:LINE:COL: error: MESSAGE"; without a position "FILE: error: MESSAGE"; without a file
    // the path stands in for it.
    QString toString() const;
    bool operator==(const Diagnostic &) const = default;
};

using Diagnostics = QList<Diagnostic>;

} // namespace portico::config
