#include "core/capture/Schema.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include <QFile>

#include <functional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace portico::capture::schema {

namespace {

const char *const kCreateV1[] = {
    "CREATE TABLE IF NOT EXISTS exchanges ("
    " id INTEGER PRIMARY KEY,"
    " started_at INTEGER NOT NULL,"
    " client_address TEXT NOT NULL DEFAULT '',"
    " method TEXT NOT NULL DEFAULT '',"
    " url TEXT NOT NULL DEFAULT '',"
    " scheme TEXT NOT NULL DEFAULT '',"
    " host TEXT NOT NULL DEFAULT '',"
    " path TEXT NOT NULL DEFAULT '',"
    " query TEXT NOT NULL DEFAULT '',"
    " status INTEGER NOT NULL DEFAULT 0,"
    " route TEXT NOT NULL DEFAULT '',"
    " consumer TEXT NOT NULL DEFAULT '',"
    " upstream TEXT NOT NULL DEFAULT '',"
    " upstream_target TEXT NOT NULL DEFAULT '',"
    " api_version TEXT NOT NULL DEFAULT '',"
    " trace_id TEXT NOT NULL DEFAULT '',"
    " span_id TEXT NOT NULL DEFAULT '',"
    " parent_span_id TEXT NOT NULL DEFAULT '',"
    " parent_id INTEGER NOT NULL DEFAULT 0,"
    " retries INTEGER NOT NULL DEFAULT 0,"
    " error TEXT NOT NULL DEFAULT '',"
    " request_bytes INTEGER NOT NULL DEFAULT 0,"
    " response_bytes INTEGER NOT NULL DEFAULT 0,"
    " request_body_size INTEGER NOT NULL DEFAULT 0,"
    " response_body_size INTEGER NOT NULL DEFAULT 0,"
    " request_truncated INTEGER NOT NULL DEFAULT 0,"
    " response_truncated INTEGER NOT NULL DEFAULT 0,"
    " bodies_dropped INTEGER NOT NULL DEFAULT 0,"
    " received_us INTEGER NOT NULL DEFAULT -1,"
    " upstream_connect_us INTEGER NOT NULL DEFAULT -1,"
    " first_byte_us INTEGER NOT NULL DEFAULT -1,"
    " duration_us INTEGER NOT NULL DEFAULT -1,"
    " notes TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS heads (exchange_id INTEGER PRIMARY KEY, request BLOB, response BLOB)",
    "CREATE TABLE IF NOT EXISTS bodies (exchange_id INTEGER PRIMARY KEY, request BLOB, response BLOB)",
    // (column, id) pairs let "WHERE col = ? AND id < ? ORDER BY id DESC LIMIT n" walk one index
    // range in order, which is what keyset paging with a filter needs.
    "CREATE INDEX IF NOT EXISTS exchanges_started_at ON exchanges(started_at)",
    "CREATE INDEX IF NOT EXISTS exchanges_status ON exchanges(status, id)",
    "CREATE INDEX IF NOT EXISTS exchanges_route ON exchanges(route, id)",
    "CREATE INDEX IF NOT EXISTS exchanges_consumer ON exchanges(consumer, id)",
    "CREATE INDEX IF NOT EXISTS exchanges_host ON exchanges(host, id)",
    "CREATE INDEX IF NOT EXISTS exchanges_upstream ON exchanges(upstream, id)",
    "CREATE INDEX IF NOT EXISTS exchanges_method ON exchanges(method, id)",
    "CREATE INDEX IF NOT EXISTS exchanges_trace ON exchanges(trace_id)",
    "CREATE TRIGGER IF NOT EXISTS exchanges_cascade AFTER DELETE ON exchanges BEGIN"
    " DELETE FROM heads WHERE exchange_id = old.id;"
    " DELETE FROM bodies WHERE exchange_id = old.id; END",
};

// Version 2: only the indexes the filter language needs to be fast. Every index is one more
// b-tree insert per captured exchange on the writer; trace ids are random, so their index
// touched a different page for nearly every row (about 40 % of the writer's time). trace:,
// span:, host:, upstream: and method: now scan newest first (trace: and span: within the
// search time budget); aggregate children get a small partial index. The delete trigger goes:
// it cost two lookups per pruned row.
const char *const kMigrateV2[] = {
    "DROP INDEX IF EXISTS exchanges_trace",
    "DROP INDEX IF EXISTS exchanges_method",
    "DROP INDEX IF EXISTS exchanges_host",
    "DROP INDEX IF EXISTS exchanges_upstream",
    "CREATE INDEX IF NOT EXISTS exchanges_parent ON exchanges(parent_id) WHERE parent_id <> 0",
    // Retention deletes heads and bodies itself, by id range (see CaptureBatchWriter::prune).
    "DROP TRIGGER IF EXISTS exchanges_cascade",
};

// Version 3: two index inserts fewer per captured exchange (the writer's floor is SQLite's
// b-tree work). started_at goes: age retention follows capture order like count retention
// (CaptureBatchWriter::prune) and no filter reads time. The consumer index holds only exchanges
// that have a consumer, which most development traffic (no auth) does not; a consumer:NAME
// filter repeats the index's condition so SQLite can use it (FilterExpression).
const char *const kMigrateV3[] = {
    "DROP INDEX IF EXISTS exchanges_started_at",
    "DROP INDEX IF EXISTS exchanges_consumer",
    "CREATE INDEX IF NOT EXISTS exchanges_consumer ON exchanges(consumer, id) WHERE consumer <> ''",
};

bool exec(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    *error = QStringLiteral("%1 (in: %2)").arg(q.lastError().text(), sql.left(80));
    return false;
}

// Migration i brings a file from user_version i to i + 1. Append new steps; never edit old ones.
using Step = std::function<bool(QSqlDatabase &, QString *)>;
template<std::size_t N> Step script(const char *const (&statements)[N])
{
    return [&statements](QSqlDatabase &db, QString *error) {
        for (const char *sql : statements) {
            if (!exec(db, QString::fromLatin1(sql), error))
                return false;
        }
        return true;
    };
}
// Adds a column unless the file has it: version 1 creates the table as the latest CREATE ...
// IF NOT EXISTS left it, so a later step's column may be there already.
bool addColumn(QSqlDatabase &db, const char *name, const char *definition, QString *error)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT count(*) FROM pragma_table_info('exchanges') WHERE name = '%1'")
                    .arg(QLatin1String(name)))
        || !q.next()) {
        *error = q.lastError().text();
        return false;
    }
    const bool present = q.value(0).toInt() > 0;
    q.finish();
    return present
        || exec(db,
            QStringLiteral("ALTER TABLE exchanges ADD COLUMN %1 %2")
                .arg(QLatin1String(name), QLatin1String(definition)),
            error);
}

// Version 4: the gateway listener each exchange came in on, where a replay goes by default (the
// Host the client sent is the client's choice, not a destination).
bool migrateV4(QSqlDatabase &db, QString *error)
{
    return addColumn(db, "listener", "TEXT NOT NULL DEFAULT ''", error);
}

// Version 5: the HTTP version the client spoke ("HTTP/1.1", "HTTP/2"; for aggregate parts the
// version spoken to the upstream). Rows of older files keep '' (not known: downstream HTTP/2
// came before this column). No index: protocol: filters scan newest first like host:.
bool migrateV5(QSqlDatabase &db, QString *error)
{
    return addColumn(db, "protocol", "TEXT NOT NULL DEFAULT ''", error);
}

// Version 6: gRPC calls' service, method and grpc-status (GrpcCall.h), for the grpc: and
// grpc_status: filters and the traffic list. Older rows keep '' and -1 (not known). No index:
// those filters scan newest first like protocol:.
bool migrateV6(QSqlDatabase &db, QString *error)
{
    return addColumn(db, "grpc_service", "TEXT NOT NULL DEFAULT ''", error)
        && addColumn(db, "grpc_method", "TEXT NOT NULL DEFAULT ''", error)
        && addColumn(db, "grpc_status", "INTEGER NOT NULL DEFAULT -1", error);
}

// Version 7: exchanges the forward proxy handled (an app's own calls, issue 18), for the
// proxied: filter and the traffic list. Older rows keep 0. No index (scanned like protocol:).
bool migrateV7(QSqlDatabase &db, QString *error)
{
    return addColumn(db, "proxied", "INTEGER NOT NULL DEFAULT 0", error);
}

// Version 8: identical bodies stored once (issue 19; SharedBodies.h). A body the writer has
// seen before goes into shared_bodies once and exchanges refer to it by id; their bodies row
// then holds only the other side (or is not written). Old rows keep 0 (their bodies are inline).
// exchange_bodies gives every exchange's bodies wherever they are stored, for sqlite3 users.
const char *const kMigrateV8[] = {
    "CREATE TABLE IF NOT EXISTS shared_bodies (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " last_used INTEGER NOT NULL, data BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS shared_bodies_last_used ON shared_bodies(last_used)",
    "CREATE VIEW IF NOT EXISTS exchange_bodies AS SELECT e.id AS exchange_id,"
    " coalesce(rq.data, b.request, x'') AS request, coalesce(rs.data, b.response, x'') AS response"
    " FROM exchanges e LEFT JOIN bodies b ON b.exchange_id = e.id"
    " LEFT JOIN shared_bodies rq ON e.request_body_ref <> 0 AND rq.id = e.request_body_ref"
    " LEFT JOIN shared_bodies rs ON e.response_body_ref <> 0 AND rs.id = e.response_body_ref",
};
bool migrateV8(QSqlDatabase &db, QString *error)
{
    return addColumn(db, "request_body_ref", "INTEGER NOT NULL DEFAULT 0", error)
        && addColumn(db, "response_body_ref", "INTEGER NOT NULL DEFAULT 0", error)
        && script(kMigrateV8)(db, error);
}

const Step kSteps[] = { script(kCreateV1), script(kMigrateV2), script(kMigrateV3), migrateV4, migrateV5,
    migrateV6, migrateV7, migrateV8 };
static_assert(std::size(kSteps) == kVersion);

bool migrate(QSqlDatabase &db, QString *error)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
        *error = q.lastError().text();
        return false;
    }
    int version = q.value(0).toInt();
    q.finish();
    if (version > kVersion) {
        *error = QStringLiteral("capture database has schema version %1, newer than this Portico (%2)")
                     .arg(version)
                     .arg(kVersion);
        return false;
    }
    for (; version < kVersion; ++version) {
        if (!db.transaction()) {
            *error = db.lastError().text();
            return false;
        }
        if (!kSteps[version](db, error)
            || !exec(db, QStringLiteral("PRAGMA user_version = %1").arg(version + 1), error)) {
            db.rollback();
            return false;
        }
        if (!db.commit()) {
            *error = db.lastError().text();
            return false;
        }
    }
    return true;
}

// The capture holds request and response bodies (and every header not on the redaction list):
// only its owner may read it. SQLite creates a missing file 0644 (less the umask) and gives its
// -wal and -shm files the mode of the database file, so the file is made here first, 0600, and
// an existing one (an older Portico's) loses its group and other bits, its -wal and -shm too.
bool makePrivate(const QString &path, QString *error)
{
    const QByteArray name = QFile::encodeName(path);
    const int fd = ::open(name.constData(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        // Not ours to fix (a read-only folder, a symbolic link): SQLite says what is wrong.
        return true;
    }
    struct stat st
    {
    };
    bool ok = ::fstat(fd, &st) == 0;
    if (ok && (st.st_mode & 077) != 0)
        ok = ::fchmod(fd, st.st_mode & 0700) == 0;
    ::close(fd);
    if (!ok) {
        *error = QStringLiteral("cannot make capture database %1 private (0600)").arg(path);
        return false;
    }
    for (const char *suffix : { "-wal", "-shm" }) {
        const QByteArray side = name + suffix;
        if (::stat(side.constData(), &st) == 0 && (st.st_mode & 077) != 0)
            ::chmod(side.constData(), st.st_mode & 0700);
    }
    return true;
}

} // namespace

QSqlDatabase open(const QString &path, const QString &connectionName, bool writer, QString *error)
{
    QString scratch;
    if (!error)
        error = &scratch;
    if (writer && path != u":memory:" && !path.isEmpty() && !makePrivate(path, error))
        return {};
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    db.setDatabaseName(path);
    // A reader must not create an empty file where the user mistyped a path.
    db.setConnectOptions(writer ? QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000")
                                : QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000;QSQLITE_OPEN_READONLY"));
    if (!db.open()) {
        *error = QStringLiteral("cannot open capture database %1: %2").arg(path, db.lastError().text());
        db = QSqlDatabase();
        close(connectionName);
        return {};
    }
    // WAL: readers never block the writer and a kill -9 loses at most the uncommitted batch.
    // synchronous=NORMAL in WAL mode keeps the file consistent on a crash (only durability of
    // the last commits on power loss is traded for speed).
    bool ok = true;
    if (writer) {
        // 16 KiB pages for a new file (a no-op on an existing one): a quarter of the WAL frames
        // per committed batch; the writer's and the checkpointer's CPU per row drop ~12 %.
        ok = exec(db, QStringLiteral("PRAGMA page_size=16384"), error)
            && exec(db, QStringLiteral("PRAGMA journal_mode=WAL"), error)
            && exec(db, QStringLiteral("PRAGMA synchronous=NORMAL"), error) && migrate(db, error);
    } else {
        QSqlQuery q(db);
        ok = q.exec(QStringLiteral("PRAGMA user_version")) && q.next();
        if (!ok) {
            *error = QStringLiteral("%1 is not a capture database: %2").arg(path, q.lastError().text());
        } else if (q.value(0).toInt() < 1 || q.value(0).toInt() > kVersion) {
            *error = QStringLiteral("%1 is not a capture database of a supported version (user_version %2)")
                         .arg(path)
                         .arg(q.value(0).toInt());
            ok = false;
        }
    }
    if (!ok) {
        db.close();
        db = QSqlDatabase();
        close(connectionName);
        return {};
    }
    return db;
}

void close(const QString &connectionName)
{
    if (!QSqlDatabase::contains(connectionName))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
}

HeaderList decodeHeaders(const QByteArray &block)
{
    HeaderList out;
    forEachHeadLine(block, [&out](QByteArrayView name, QByteArrayView value) {
        out.append({ name.toByteArray(), value.toByteArray() });
    });
    return out;
}

QString summaryColumns(int version)
{
    return QStringLiteral("e.id, e.started_at, e.method, e.url, e.host, e.path, e.status, e.duration_us, "
                          "e.route, e.consumer, e.upstream, e.trace_id, e.parent_id, e.request_bytes, "
                          "e.response_bytes, e.error, e.api_version, "
                          "substr(e.notes, 1, 14) = 'sample traffic', %1, %2, %3")
        .arg(version >= 5 ? QStringLiteral("e.protocol") : QStringLiteral("''"),
            version >= 6 ? QStringLiteral("e.grpc_service, e.grpc_method, e.grpc_status")
                         : QStringLiteral("'', '', -1"),
            version >= 7 ? QStringLiteral("e.proxied") : QStringLiteral("0"));
}

QString filterSql(const QString &sql, int version)
{
    if (version >= 8 || !sql.contains(QLatin1String(kSharedBodyTerm)))
        return sql;
    return QString(sql).replace(QLatin1String(kSharedBodyTerm), QLatin1String("(? IS NULL AND 0)"));
}

ExchangeSummary readSummary(const QSqlQuery &q)
{
    ExchangeSummary s;
    s.id = q.value(0).toLongLong();
    s.startedAtMs = q.value(1).toLongLong();
    s.method = q.value(2).toString();
    s.url = q.value(3).toString();
    s.host = q.value(4).toString();
    s.path = q.value(5).toString();
    s.status = q.value(6).toInt();
    s.durationUs = q.value(7).toLongLong();
    s.route = q.value(8).toString();
    s.consumer = q.value(9).toString();
    s.upstream = q.value(10).toString();
    s.traceId = q.value(11).toString();
    s.parentId = q.value(12).toLongLong();
    s.requestBytes = q.value(13).toLongLong();
    s.responseBytes = q.value(14).toLongLong();
    s.error = q.value(15).toString();
    s.apiVersion = q.value(16).toString();
    s.sample = q.value(17).toBool();
    s.protocol = q.value(18).toString();
    s.grpcService = q.value(19).toString();
    s.grpcMethod = q.value(20).toString();
    s.grpcStatus = q.value(21).toInt();
    s.proxied = q.value(22).toBool();
    return s;
}

} // namespace portico::capture::schema
