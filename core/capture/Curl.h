#pragma once

#include "core/capture/Exchange.h"

#include <QString>

namespace portico::capture {

// "Copy as curl": a POSIX shell command line that sends the captured request again. Values are
// single-quoted (bytes outside printable ASCII use $'...' quoting); headers curl derives itself
// (Host, Content-Length, Connection, Transfer-Encoding) are left out. A truncated body is sent as
// stored and flagged in a trailing comment.
QString toCurl(const Exchange &e);

} // namespace portico::capture
