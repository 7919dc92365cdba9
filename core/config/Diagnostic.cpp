#include "core/config/Diagnostic.h"

namespace portico::config {

QString Diagnostic::toString() const
{
    QString where = file.isEmpty() ? (path.isEmpty() ? QStringLiteral("workspace") : path) : file;
    if (!file.isEmpty() && line > 0)
        where += QStringLiteral(":%1:%2").arg(line).arg(column);
    return QStringLiteral("%1: error: %2").arg(where, message);
}

} // namespace portico::config
