#pragma once

// The value types every part of the workspace model uses, filter configs included (they live in
// core/filters/<name>/ and must not include Workspace.h, which includes some of them).

#include <QList>
#include <QString>

#include <chrono>
#include <utility>

namespace portico::config {

using Duration = std::chrono::milliseconds;
// Ordered name/value pairs: header maps, version maps and the like keep the file's order.
using KeyValues = QList<std::pair<QString, QString>>;

} // namespace portico::config
