#pragma once

// The capture database layout, shared by the writer (CaptureStore) and readers (CaptureReader).
//
//   exchanges(id INTEGER PRIMARY KEY, started_at ms, ..., duration_us, ...,  one row per exchange
//             request_body_ref, response_body_ref)
//   heads(exchange_id INTEGER PRIMARY KEY, request BLOB, response BLOB)       header blocks
//   bodies(exchange_id INTEGER PRIMARY KEY, request BLOB, response BLOB)      only when a body is inline
//   shared_bodies(id INTEGER PRIMARY KEY AUTOINCREMENT, last_used, data)      bodies stored once
//   exchange_bodies (a view: exchange_id, request, response)                  bodies wherever stored
//
// Header blocks are stored as "\nName: value\nName: value\n" (leading and trailing newline; the
// proxy writes them through CaptureRecord::addHeader, decodeHeaders reads them back), so a
// header name or name/value pair is found with one instr() on the lower-cased block, and a whole
// head is read back with one row. Since version 2 whoever deletes exchanges deletes their heads
// and bodies too (retention does, by id range, in one transaction). Since version 8 a body the
// writer saw before is stored once in shared_bodies and the exchange's *_body_ref names it (0:
// the body is in bodies, or empty); a shared row lives while an exchange up to its last_used
// does (SharedBodies.h). Every blob is the bytes as they went through the gateway (no encoding).
// The version lives in PRAGMA user_version; open() migrates older files forward step by step
// inside one transaction each.

#include "core/capture/Exchange.h"

#include <QByteArrayView>
#include <QSqlDatabase>
#include <QString>

namespace portico::capture::schema {

inline constexpr int kVersion = 8;

// Opens (and for the writer creates and migrates) the SQLite file as connection `connectionName`
// in the calling thread. Sets WAL, synchronous=NORMAL and a busy timeout. Returns an invalid
// database and fills *error on failure.
QSqlDatabase open(const QString &path, const QString &connectionName, bool writer, QString *error);

// Closes and removes the named connection (safe to call with an unknown name).
void close(const QString &connectionName);

HeaderList decodeHeaders(const QByteArray &block);

// Calls fn(name, value) for each "Name: value" line of a head block (views into `block`).
template<typename Fn> void forEachHeadLine(QByteArrayView block, Fn &&fn)
{
    qsizetype start = 0;
    while (start < block.size()) {
        qsizetype end = block.indexOf('\n', start);
        if (end < 0)
            end = block.size();
        if (end > start) {
            const QByteArrayView line = block.sliced(start, end - start);
            // The first ": " (names are tokens; an HTTP/2 pseudo-header starts with ':'), found
            // with memchr: indexOf(": ") took a fifth of the capture writer's instructions.
            qsizetype colon = line.indexOf(':');
            while (colon >= 0 && (colon + 1 >= line.size() || line[colon + 1] != ' '))
                colon = line.indexOf(':', colon + 1);
            if (colon < 0)
                fn(line, QByteArrayView());
            else
                fn(line.first(colon), line.sliced(colon + 2));
        }
        start = end + 1;
    }
}

// Column list of `exchanges` in the order readSummary reads it (prefixed with "e."), for a file
// of schema `version` (columns a reader's older, not yet migrated file lacks read as '').
QString summaryColumns(int version = kVersion);

// The part of a body: filter that looks into shared_bodies (FilterExpression); filterSql()
// turns it into a false term (keeping its placeholder) for a file older than version 8.
inline constexpr char kSharedBodyTerm[]
    = "EXISTS (SELECT 1 FROM shared_bodies s WHERE s.id IN "
      "(e.request_body_ref, e.response_body_ref) AND instr(s.data, ?) > 0)";
QString filterSql(const QString &sql, int version);
ExchangeSummary readSummary(const class QSqlQuery &q);

} // namespace portico::capture::schema
