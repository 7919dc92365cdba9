#pragma once

#include "core/admin/AdminReply.h"
#include "core/capture/FilterExpression.h"
#include "core/grpc/Schema.h"

#include <QString>

#include <atomic>

class QThread;

namespace portico::admin {

// One GET /exchanges.har export, run on a thread of its own so that a capture of a million
// exchanges (minutes of work) does not stall the thread the admin API shares with the gateway's
// control (reloads, SIGTERM). It opens its own reader connection on `databasePath`, writes the
// HAR into a QTemporaryFile in QDir::tempPath() and returns it as a streamed reply (bodyDevice),
// the file moved to `replyThread`. Failures are problem+json (500, or 503 when the database
// cannot be opened). `cancel` is checked between pages of 200 exchanges: a cancelled export
// returns a 503 soon. The same bytes as capture::exportHar (the CLI's `traffic har`).
struct HarExport
{
    QString databasePath;
    capture::FilterExpression filter;
    grpc::SchemaPtr schema; // the running workspace's: decodes gRPC messages (may be null)

    AdminReply run(const std::atomic<bool> &cancel, QThread *replyThread) const;
};

} // namespace portico::admin
