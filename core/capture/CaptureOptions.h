#pragma once

#include <QString>
#include <QStringList>

#include <chrono>

namespace portico {
class Clock;
}

namespace portico::capture {

// What CaptureStore needs to know. The gateway maps config::CaptureSettings onto this (capture
// does not link the config module); the defaults match the workspace file's defaults.
// The redaction lists, maxBodyBytes and the retention bounds may change while the store runs
// (CaptureStore::reconfigure, on every reload); the rest is fixed when the store is made.
struct CaptureOptions
{
    QString databasePath;
    // Header fields stored as "[redacted]" (names, any case). Proxy-Authorization is always
    // redacted, whatever the list says.
    QStringList redactHeaders { QStringLiteral("authorization"), QStringLiteral("cookie"),
        QStringLiteral("set-cookie"), QStringLiteral("x-api-key") };
    // Query parameters whose value is stored as "[redacted]", in the URL and the query (decoded
    // names, exact case): the gateway passes every api_key scheme's `query`.
    QStringList redactQueryParameters;
    // Safety net for bodies: the gateway already caps its copies, the store enforces it too.
    qint64 maxBodyBytes = 1024 * 1024;

    // Retention, pruned incrementally by the writer (0 = no limit).
    qint64 maxExchanges = 1'000'000;
    std::chrono::milliseconds maxAge { std::chrono::hours(24 * 30) };
    int pruneBatch = 2000; // rows deleted per writer cycle at most

    // Writer batching: one transaction per burst of at most batchRows, or every batchInterval.
    int batchRows = 500;
    std::chrono::milliseconds batchInterval { 50 };

    // The bounded queue between proxy threads and the writer, in the heap bytes the queued
    // exchanges really hold (strings, header fields, bodies, the queue slot). Above half of either
    // bound new exchanges lose their bodies; at the bound whole exchanges are dropped. Both are
    // counted. 16 MiB is ~5,000 exchanges with 1 KiB bodies: over 100 ms of a fast proxy's
    // traffic, while the writer needs a few ms per batch.
    int maxQueuedRows = 20'000;
    qint64 maxQueuedBytes = 16 * 1024 * 1024;

    // Identical bodies stored once (SharedBodies.h). Off only to measure or test the inline
    // layout (bench_capture_writer --no-share, tests of older files).
    bool shareBodies = true;

    const Clock *clock = nullptr; // for retention by age; nullptr = the system clock
};

} // namespace portico::capture
