#include "core/capture/CaptureBatchWriter.h"

#include "core/capture/GrpcCall.h"

#include "core/capture/Schema.h"
#include "core/capture/WalCheckpointer.h"
#include "core/common/Clock.h"

#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

#include <algorithm>

namespace portico::capture {

namespace {

// WAL pages (4 KiB) after which the checkpointer is asked to copy the WAL back: ~16 MiB, a few
// thousand exchanges with 1 KiB bodies. Past kWalPanicPages (checkpoints cannot keep up, or a
// reader pins old pages) the writer checkpoints itself so the file stays bounded.
constexpr int kWalCheckpointPages = 4096;
constexpr int kWalPanicPages = 64 * 1024;

// A body as stored: at most `cap` bytes (cap < 0: no limit).
QByteArrayView capped(QByteArrayView body, qint64 &size, bool &truncated, qint64 cap)
{
    size = std::max<qint64>(size, body.size());
    if (cap >= 0 && body.size() > cap) {
        truncated = true;
        return body.first(cap);
    }
    return body;
}

// The exchanges table's columns in insert order, each with the record's value it holds: the one
// list the INSERT statement and its bindings are made from (the schema is in Schema.cpp).
using F = CaptureRecord::Field;
enum class N : std::uint8_t {
    Text,
    Id,
    StartedAt,
    Status,
    ParentId,
    Retries,
    RequestBytes,
    ResponseBytes,
    RequestBodySize,
    ResponseBodySize,
    RequestTruncated,
    ResponseTruncated,
    BodiesDropped,
    ReceivedUs,
    UpstreamConnectUs,
    FirstByteUs,
    DurationUs,
    GrpcService,
    GrpcMethod,
    GrpcStatus,
    Proxied,
    RequestBodyRef,
    ResponseBodyRef
};
struct Column
{
    const char *name;
    N number;                      // N::Text: the text field below
    F text = CaptureRecord::FieldCount;
};
constexpr Column kColumns[] = {
    { "id", N::Id },
    { "started_at", N::StartedAt },
    { "client_address", N::Text, F::ClientAddress },
    { "method", N::Text, F::Method },
    { "url", N::Text, F::Url },
    { "scheme", N::Text, F::Scheme },
    { "host", N::Text, F::Host },
    { "path", N::Text, F::Path },
    { "query", N::Text, F::Query },
    { "status", N::Status },
    { "route", N::Text, F::Route },
    { "consumer", N::Text, F::Consumer },
    { "upstream", N::Text, F::Upstream },
    { "upstream_target", N::Text, F::UpstreamTarget },
    { "api_version", N::Text, F::ApiVersion },
    { "trace_id", N::Text, F::TraceId },
    { "span_id", N::Text, F::SpanId },
    { "parent_span_id", N::Text, F::ParentSpanId },
    { "parent_id", N::ParentId },
    { "retries", N::Retries },
    { "error", N::Text, F::Error },
    { "request_bytes", N::RequestBytes },
    { "response_bytes", N::ResponseBytes },
    { "request_body_size", N::RequestBodySize },
    { "response_body_size", N::ResponseBodySize },
    { "request_truncated", N::RequestTruncated },
    { "response_truncated", N::ResponseTruncated },
    { "bodies_dropped", N::BodiesDropped },
    { "received_us", N::ReceivedUs },
    { "upstream_connect_us", N::UpstreamConnectUs },
    { "first_byte_us", N::FirstByteUs },
    { "duration_us", N::DurationUs },
    { "notes", N::Text, F::Notes },
    { "listener", N::Text, F::Listener },
    { "protocol", N::Text, F::Protocol },
    { "grpc_service", N::GrpcService },
    { "grpc_method", N::GrpcMethod },
    { "grpc_status", N::GrpcStatus },
    { "proxied", N::Proxied },
    { "request_body_ref", N::RequestBodyRef },
    { "response_body_ref", N::ResponseBodyRef },
};

qint64 numberOf(const CaptureRecord::Numbers &n, N which)
{
    switch (which) {
    case N::Text:
    case N::GrpcService:
    case N::GrpcMethod:
    case N::GrpcStatus:
    case N::RequestBodyRef:
    case N::ResponseBodyRef:
        break;
    case N::Id: return n.id;
    case N::StartedAt: return n.startedAtMs;
    case N::Status: return n.status;
    case N::ParentId: return n.parentId;
    case N::Retries: return n.retries;
    case N::RequestBytes: return n.requestBytes;
    case N::ResponseBytes: return n.responseBytes;
    case N::RequestBodySize: return n.requestBodySize;
    case N::ResponseBodySize: return n.responseBodySize;
    case N::RequestTruncated: return n.requestTruncated ? 1 : 0;
    case N::ResponseTruncated: return n.responseTruncated ? 1 : 0;
    case N::BodiesDropped: return n.bodiesDropped ? 1 : 0;
    case N::Proxied: return n.proxied ? 1 : 0;
    case N::ReceivedUs: return n.timings.receivedUs;
    case N::UpstreamConnectUs: return n.timings.upstreamConnectUs;
    case N::FirstByteUs: return n.timings.firstUpstreamByteUs;
    case N::DurationUs: return n.timings.lastByteUs;
    }
    return 0;
}

QByteArray insertExchangeSql()
{
    QByteArray names;
    QByteArray marks;
    for (const Column &c : kColumns) {
        names += (names.isEmpty() ? "" : ", ") + QByteArray(c.name);
        marks += marks.isEmpty() ? "?" : ",?";
    }
    return "INSERT INTO exchanges (" + names + ") VALUES (" + marks + ")";
}

} // namespace

CaptureBatchWriter::CaptureBatchWriter(const CaptureOptions &options, std::atomic<qint64> &nextId)
    : m_options(options)
    , m_nextId(nextId)
    , m_connection(QStringLiteral("portico-capture-writer-%1").arg(reinterpret_cast<quintptr>(this), 0, 16))
{
    setPolicy(options);
}

void CaptureBatchWriter::setPolicy(const CaptureOptions &options)
{
    m_options.redactHeaders = options.redactHeaders;
    m_options.redactQueryParameters = options.redactQueryParameters;
    m_options.maxBodyBytes = options.maxBodyBytes;
    m_options.maxExchanges = options.maxExchanges;
    m_options.maxAge = options.maxAge;
    m_agePending = true; // a shorter max_age applies at once
    m_redaction = RedactionPolicy(options.redactHeaders, options.redactQueryParameters);
}

CaptureBatchWriter::~CaptureBatchWriter()
{
    if (m_handle)
        sqlite3_wal_hook(m_handle, nullptr, nullptr);
    delete m_checkpointer; // before the writer's connection: the last one to close checkpoints
    m_checkpointer = nullptr;
    for (sqlite3_stmt *s : { m_insertExchange, m_insertHead, m_insertBody, m_begin, m_commit, m_rollback })
        sqlite3_finalize(s);
    m_shared.finalize();
    if (m_db.isOpen()) {
        // Refreshes the planner statistics (bounded work) so that readers pick the (column, id)
        // indexes for selective filters.
        QSqlQuery q(m_db);
        q.exec(QStringLiteral("PRAGMA analysis_limit=400"));
        q.exec(QStringLiteral("PRAGMA optimize"));
    }
    m_db = QSqlDatabase();
    schema::close(m_connection);
}

QString CaptureBatchWriter::sqliteError(const char *what) const
{
    return QStringLiteral("capture: %1: %2")
        .arg(QLatin1String(what), QString::fromUtf8(m_handle ? sqlite3_errmsg(m_handle) : "no connection"));
}

bool CaptureBatchWriter::exec(const char *sql, QString *error)
{
    if (sqlite3_exec(m_handle, sql, nullptr, nullptr, nullptr) == SQLITE_OK)
        return true;
    *error = sqliteError(sql);
    return false;
}

int CaptureBatchWriter::walHook(void *self, sqlite3 *db, const char *, int frames)
{
    auto *w = static_cast<CaptureBatchWriter *>(self);
    if (frames >= kWalPanicPages) {
        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    } else if (frames >= kWalCheckpointPages && w->m_checkpointer) {
        w->m_checkpointer->request();
    }
    return SQLITE_OK;
}

bool CaptureBatchWriter::open(QString *error)
{
    m_db = schema::open(m_options.databasePath, m_connection, true, error);
    if (!m_db.isValid())
        return false;
    {
        QSqlQuery q(m_db);
        if (!q.exec(QStringLiteral("SELECT coalesce(max(id), 0), count(*) FROM exchanges")) || !q.next()) {
            *error = QStringLiteral("capture: %1").arg(q.lastError().text());
            return false;
        }
        const qint64 maxId = q.value(0).toLongLong();
        m_rowCount = q.value(1).toLongLong();
        qint64 expected = m_nextId.load();
        while (expected <= maxId && !m_nextId.compare_exchange_weak(expected, maxId + 1)) { }
    }

    const QVariant handle = m_db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0
        || !(m_handle = *static_cast<sqlite3 *const *>(handle.constData()))) {
        *error = QStringLiteral("capture: the Qt SQLite driver gave no sqlite3 handle");
        return false;
    }
    sqlite3_extended_result_codes(m_handle, 1);
    // Inserts only touch the tail pages of the table and of each (column, id) index, so a 4 MiB
    // page cache keeps them resident; temp data in memory.
    if (!exec("PRAGMA cache_size=-4096", error) || !exec("PRAGMA temp_store=MEMORY", error))
        return false;
    auto prepare = [&](sqlite3_stmt **stmt, const char *sql) {
        if (sqlite3_prepare_v3(m_handle, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr) == SQLITE_OK)
            return true;
        *error = sqliteError(sql);
        return false;
    };
    if (!prepare(&m_insertExchange, insertExchangeSql().constData())
        || !prepare(
            &m_insertHead, "INSERT OR REPLACE INTO heads (exchange_id, request, response) VALUES (?,?,?)")
        || !prepare(
            &m_insertBody, "INSERT OR REPLACE INTO bodies (exchange_id, request, response) VALUES (?,?,?)")
        || !prepare(&m_begin, "BEGIN") || !prepare(&m_commit, "COMMIT") || !prepare(&m_rollback, "ROLLBACK")
        || !m_shared.prepare(m_handle, error))
        return false;

    // Checkpoints move to their own thread; see WalCheckpointer.
    sqlite3_wal_autocheckpoint(m_handle, 0);
    m_checkpointer = new WalCheckpointer(m_options.databasePath);
    sqlite3_wal_hook(m_handle, &CaptureBatchWriter::walHook, this);
    return true;
}

qint64 CaptureBatchWriter::freshId()
{
    QSqlQuery q(m_db);
    qint64 maxId = 0;
    if (q.exec(QStringLiteral("SELECT coalesce(max(id), 0) FROM exchanges")) && q.next())
        maxId = q.value(0).toLongLong();
    qint64 expected = m_nextId.load();
    while (expected <= maxId && !m_nextId.compare_exchange_weak(expected, maxId + 1)) { }
    return m_nextId.fetch_add(1);
}

qint64 CaptureBatchWriter::wallNowMs() const
{
    const Clock &clock = m_options.clock ? *m_options.clock : SystemClock::instance();
    return clock.wallNow().toMSecsSinceEpoch();
}

bool CaptureBatchWriter::insert(CaptureRecord &r, QString *error)
{
    // First: it may move the record's text, which the views below point into.
    m_redaction.apply(r);
    CaptureRecord::Numbers &n = r.n;
    if (n.parentId != 0 && !m_remapped.isEmpty()) {
        const auto it = m_remapped.constFind(n.parentId);
        if (it != m_remapped.cend())
            n.parentId = *it;
    }
    const QByteArrayView requestBody = capped(
        r.view(CaptureRecord::RequestBody), n.requestBodySize, n.requestTruncated, m_options.maxBodyBytes);
    const QByteArrayView responseBody = capped(
        r.view(CaptureRecord::ResponseBody), n.responseBodySize, n.responseTruncated, m_options.maxBodyBytes);
    if (n.startedAtMs == 0)
        n.startedAtMs = wallNowMs();
    r.normalizeCase();
    // The record's text is bound in place: it lives until the statement has run.
    auto bindText = [&](sqlite3_stmt *q, int column, CaptureRecord::Field f) {
        const QByteArrayView v = r.view(f);
        sqlite3_bind_text(q, column, v.data() ? v.data() : "", int(v.size()), SQLITE_STATIC);
    };

    const GrpcCall grpc = grpcCallOf(r.view(CaptureRecord::Path), r.view(CaptureRecord::RequestHead),
        r.view(CaptureRecord::ResponseHead), n.grpcStatus);
    auto bindView = [&](sqlite3_stmt *q, int column, QByteArrayView v) {
        sqlite3_bind_text(q, column, v.data() ? v.data() : "", int(v.size()), SQLITE_STATIC);
    };
    // A body seen before is a reference to its one stored copy (SharedBodies.h).
    SharedBodies::Entry *requestShared = nullptr;
    SharedBodies::Entry *responseShared = nullptr;
    if (m_options.shareBodies) {
        bool failed = false;
        requestShared = m_shared.share(requestBody, n.id, &failed, error);
        if (!failed)
            responseShared = m_shared.share(responseBody, n.id, &failed, error);
        if (failed)
            return false;
    }

    sqlite3_stmt *q = m_insertExchange;
    for (int attempt = 0; attempt < 2; ++attempt) {
        int c = 1;
        for (const Column &column : kColumns) {
            if (column.number == N::Text)
                bindText(q, c++, column.text);
            else if (column.number == N::GrpcService)
                bindView(q, c++, grpc.service);
            else if (column.number == N::GrpcMethod)
                bindView(q, c++, grpc.method);
            else if (column.number == N::GrpcStatus)
                sqlite3_bind_int64(q, c++, grpc.status);
            else if (column.number == N::RequestBodyRef)
                sqlite3_bind_int64(q, c++, requestShared ? requestShared->id : 0);
            else if (column.number == N::ResponseBodyRef)
                sqlite3_bind_int64(q, c++, responseShared ? responseShared->id : 0);
            else
                sqlite3_bind_int64(q, c++, numberOf(n, column.number));
        }
        const int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc == SQLITE_DONE)
            break;
        // Another process writing the same file took this id: move past its ids and retry once.
        const bool conflict = rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT;
        if (attempt == 1 || !conflict) {
            *error = sqliteError("insert into exchanges");
            return false;
        }
        const qint64 fresh = freshId();
        m_remapped.insert(n.id, fresh);
        if (m_remapped.size() > 10'000)
            m_remapped.clear();
        n.id = fresh;
    }

    auto bindBlob = [](sqlite3_stmt *s, int column, QByteArrayView v) {
        // A zero-length blob, not NULL, for an empty side: readers get an empty QByteArray.
        sqlite3_bind_blob(s, column, v.data() ? v.data() : "", int(v.size()), SQLITE_STATIC);
    };
    sqlite3_bind_int64(m_insertHead, 1, n.id);
    bindBlob(m_insertHead, 2, m_redaction.head(r.view(CaptureRecord::RequestHead), m_requestHead));
    bindBlob(m_insertHead, 3, m_redaction.head(r.view(CaptureRecord::ResponseHead), m_responseHead));
    int rc = sqlite3_step(m_insertHead);
    sqlite3_reset(m_insertHead);
    if (rc != SQLITE_DONE) {
        *error = sqliteError("insert into heads");
        return false;
    }
    for (SharedBodies::Entry *shared : { requestShared, responseShared }) {
        if (shared)
            m_shared.used(shared, n.id);
    }
    const QByteArrayView requestInline = requestShared ? QByteArrayView() : requestBody;
    const QByteArrayView responseInline = responseShared ? QByteArrayView() : responseBody;
    if (!requestInline.isEmpty() || !responseInline.isEmpty()) {
        sqlite3_bind_int64(m_insertBody, 1, n.id);
        bindBlob(m_insertBody, 2, requestInline);
        bindBlob(m_insertBody, 3, responseInline);
        rc = sqlite3_step(m_insertBody);
        sqlite3_reset(m_insertBody);
        if (rc != SQLITE_DONE) {
            *error = sqliteError("insert into bodies");
            return false;
        }
    }
    return true;
}

bool CaptureBatchWriter::write(
    CaptureRecord *begin, CaptureRecord *end, QList<ExchangeSummary> *stored, QString *error)
{
    if (stored)
        stored->clear();
    if (begin == end)
        return true;
    auto step = [&](sqlite3_stmt *s, const char *what) {
        const int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc == SQLITE_DONE)
            return true;
        *error = sqliteError(what);
        return false;
    };
    if (!step(m_begin, "begin"))
        return false;
    if (stored)
        stored->reserve(qsizetype(end - begin));
    for (CaptureRecord *e = begin; e != end; ++e) {
        if (!insert(*e, error)) {
            sqlite3_step(m_rollback);
            sqlite3_reset(m_rollback);
            m_shared.reset();
            if (stored)
                stored->clear();
            return false;
        }
        if (stored)
            stored->append(e->summary());
    }
    if (!m_shared.flush(error) || !step(m_commit, "commit")) {
        sqlite3_step(m_rollback);
        sqlite3_reset(m_rollback);
        m_shared.reset();
        if (stored)
            stored->clear();
        return false;
    }
    m_rowCount += qint64(end - begin);
    return true;
}

int CaptureBatchWriter::prune(QString *error)
{
    // Oldest first, in small steps that keep each write transaction short, so readers and the
    // next batch are never held up for long. Heads and bodies go in the same transaction as
    // their rows (range deletes: a per-row trigger made pruning cost as much as inserting).
    auto query = [&](const QString &sql, const QVariantList &values, QSqlQuery &q) {
        q.setForwardOnly(true);
        q.prepare(sql);
        for (const QVariant &v : values)
            q.addBindValue(v);
        if (q.exec())
            return true;
        *error = QStringLiteral("capture: %1").arg(q.lastError().text());
        return false;
    };
    // Deletes every exchange up to and including `last`, with its heads and bodies.
    auto deleteThrough = [&](qint64 last, int *removed) {
        if (!exec("BEGIN", error))
            return false;
        bool ok;
        {
            QSqlQuery heads(m_db), bodies(m_db), shared(m_db), rows(m_db);
            // A shared body goes with the last exchange that refers to it (its last_used).
            ok = query(QStringLiteral("DELETE FROM heads WHERE exchange_id <= ?"), { last }, heads)
                && query(QStringLiteral("DELETE FROM bodies WHERE exchange_id <= ?"), { last }, bodies)
                && query(QStringLiteral("DELETE FROM shared_bodies WHERE last_used <= ?"), { last }, shared)
                && query(QStringLiteral("DELETE FROM exchanges WHERE id <= ?"), { last }, rows);
            *removed = ok ? rows.numRowsAffected() : 0;
        }
        if (!ok) {
            sqlite3_exec(m_handle, "ROLLBACK", nullptr, nullptr, nullptr);
            return false;
        }
        if (!exec("COMMIT", error))
            return false;
        m_shared.pruned(last);
        return true;
    };

    int deleted = 0;
    if (m_options.maxExchanges > 0 && m_rowCount > m_options.maxExchanges) {
        const qint64 n = std::min<qint64>(m_rowCount - m_options.maxExchanges, m_options.pruneBatch);
        QSqlQuery q(m_db);
        if (!query(QStringLiteral("SELECT id FROM exchanges ORDER BY id LIMIT 1 OFFSET ?"), { n - 1 }, q))
            return deleted;
        const qint64 last = q.next() ? q.value(0).toLongLong() : 0;
        q.finish();
        int removed = 0;
        if (last > 0 && !deleteThrough(last, &removed))
            return deleted;
        deleted += removed;
        m_rowCount -= removed;
    }
    const auto now = std::chrono::steady_clock::now();
    if (m_options.maxAge.count() > 0 && deleted < m_options.pruneBatch
        && (m_agePending || now - m_lastAgePrune >= std::chrono::seconds(1))) {
        m_lastAgePrune = now;
        const qint64 cutoff = wallNowMs() - m_options.maxAge.count();
        const int n = m_options.pruneBatch - deleted;
        // Capture (id) order, like max_exchanges, so no index on started_at is needed: the oldest
        // rows go while they are past the cutoff, up to the first that is not. An exchange that
        // started earlier but finished later (a long stream, an imported HAR) waits for the
        // rows captured before it. Reads at most n rows of the table's head.
        QSqlQuery q(m_db);
        if (!query(QStringLiteral("SELECT id, started_at FROM exchanges ORDER BY id LIMIT ?"), { n }, q))
            return deleted;
        qint64 last = 0;
        int old = 0;
        while (q.next() && q.value(1).toLongLong() < cutoff) {
            last = q.value(0).toLongLong();
            ++old;
        }
        q.finish();
        int aged = 0;
        if (last > 0 && !deleteThrough(last, &aged))
            return deleted;
        m_agePending = old >= n;
        deleted += aged;
        m_rowCount -= aged;
    }
    return deleted;
}

} // namespace portico::capture
