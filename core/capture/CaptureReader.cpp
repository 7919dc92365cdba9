#include "core/capture/CaptureReader.h"

#include "core/capture/Schema.h"

#include <QElapsedTimer>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <atomic>

namespace portico::capture {

namespace {

std::atomic<int> s_readerSerial { 0 };

void bindAll(QSqlQuery &q, const QVariantList &values)
{
    for (const QVariant &v : values)
        q.addBindValue(v);
}

} // namespace

CaptureReader::CaptureReader()
    : m_connection(QStringLiteral("portico-capture-reader-%1").arg(s_readerSerial.fetch_add(1)))
{
}

CaptureReader::~CaptureReader()
{
    m_getExchange.reset();
    m_getHeads.reset();
    m_getBodies.reset();
    m_getShared.reset();
    m_db = QSqlDatabase();
    schema::close(m_connection);
}

bool CaptureReader::open(const QString &path, QString *error)
{
    m_db = schema::open(path, m_connection, false, &m_error);
    if (!m_db.isValid()) {
        if (error)
            *error = m_error;
        return false;
    }
    return true;
}

bool CaptureReader::runPage(
    const FilterExpression &filter, int limit, qint64 beforeId, qint64 floorId, QList<ExchangeSummary> *rows)
{
    // Ids first, rows second: the inner query can then be answered from a (column, id) index
    // alone. A range such as status:5xx matches many index entries that SQLite sorts by id;
    // sorting bare index entries is cheap, fetching every matching row before the sort was not
    // (0.8 s instead of 20 ms on a million rows).
    QString inner = QStringLiteral("SELECT e.id FROM exchanges e WHERE (%1)")
                        .arg(schema::filterSql(filter.sql(), schemaVersion()));
    if (beforeId > 0)
        inner += QStringLiteral(" AND e.id < ?");
    if (floorId > 0)
        inner += QStringLiteral(" AND e.id >= ?");
    inner += QStringLiteral(" ORDER BY e.id DESC LIMIT ?");
    const QString sql = QStringLiteral("SELECT %1 FROM exchanges e WHERE e.id IN (%2) ORDER BY e.id DESC")
                            .arg(schema::summaryColumns(schemaVersion()), inner);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.prepare(sql)) {
        m_error = q.lastError().text();
        return false;
    }
    bindAll(q, filter.bindings());
    if (beforeId > 0)
        q.addBindValue(beforeId);
    if (floorId > 0)
        q.addBindValue(floorId);
    q.addBindValue(limit);
    if (!q.exec()) {
        m_error = q.lastError().text();
        return false;
    }
    while (q.next())
        rows->append(schema::readSummary(q));
    return true;
}

QList<ExchangeSummary> CaptureReader::list(const FilterExpression &filter, int limit, qint64 beforeId)
{
    return search(filter, limit, beforeId, m_budget).rows;
}

CaptureReader::Page CaptureReader::search(
    const FilterExpression &filter, int limit, qint64 beforeId, std::chrono::milliseconds budget)
{
    Page page;
    if (limit <= 0 || !m_db.isOpen())
        return page;
    if (!filter.isCostly()) {
        runPage(filter, limit, beforeId, 0, &page.rows);
        return page;
    }
    // Costly terms are checked per row, so walk the id space downwards in slices and look at
    // the clock between slices: a search never runs much longer than its budget.
    qint64 minId = 0;
    {
        QSqlQuery q(m_db);
        if (!q.exec(QStringLiteral("SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM exchanges"))
            || !q.next())
            return page;
        minId = q.value(0).toLongLong();
        if (beforeId <= 0)
            beforeId = q.value(1).toLongLong() + 1;
    }
    QElapsedTimer timer;
    timer.start();
    qint64 high = beforeId;
    while (high > minId) {
        const qint64 low = std::max<qint64>(minId, high - m_sliceIds);
        if (!runPage(filter, limit - int(page.rows.size()), high, low, &page.rows))
            return page;
        if (page.rows.size() >= limit)
            return page;
        high = low;
        if (high > minId && timer.elapsed() >= budget.count()) {
            page.partial = true;
            page.resumeBeforeId = high;
            return page;
        }
    }
    return page;
}

QList<ExchangeSummary> CaptureReader::listAscending(const FilterExpression &filter, int limit, qint64 afterId)
{
    QList<ExchangeSummary> rows;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(
        QStringLiteral("SELECT %1 FROM exchanges e WHERE (%2) AND e.id > ? ORDER BY e.id LIMIT ?")
            .arg(schema::summaryColumns(schemaVersion()), schema::filterSql(filter.sql(), schemaVersion())));
    bindAll(q, filter.bindings());
    q.addBindValue(afterId);
    q.addBindValue(limit);
    if (!q.exec()) {
        m_error = q.lastError().text();
        return rows;
    }
    while (q.next())
        rows.append(schema::readSummary(q));
    return rows;
}

QList<qint64> CaptureReader::ids(const FilterExpression &filter, qint64 afterId, qint64 beforeId)
{
    QList<qint64> out;
    const QString range = beforeId > 0 ? QStringLiteral("e.id > ? AND e.id < ?") : QStringLiteral("e.id > ?");
    QVariantList values;
    const auto addRange = [&] {
        values.append(afterId);
        if (beforeId > 0)
            values.append(beforeId);
    };
    QStringList indexed;
    QStringList rest;
    QVariantList restValues;
    for (const FilterExpression::Group &g : filter.groups()) {
        if (g.indexed) {
            indexed.append(QStringLiteral("SELECT e.id FROM exchanges e WHERE %1 AND %2")
                               .arg(schema::filterSql(g.sql, schemaVersion()), range));
            values.append(g.bindings);
            addRange();
        } else {
            rest.append(schema::filterSql(g.sql, schemaVersion()));
            restValues.append(g.bindings);
        }
    }
    QString sql;
    if (indexed.size() >= 2) {
        // Two or more indexed terms: intersect their index-only scans instead of walking one
        // index and reading a table row per candidate to test the others (status:>=400
        // route:x read 83,000 rows, up to 4.4 s from a disk busy with retention). The table is
        // read only for what is left, and only for the ids all indexed terms agree on.
        const QString both = indexed.join(QStringLiteral(" INTERSECT "));
        if (rest.isEmpty()) {
            // No ORDER BY: on a compound query it makes SQLite merge in id order, walking the
            // table for the first part. The ids are sorted below instead.
            sql = both;
        } else {
            sql = QStringLiteral("SELECT e.id FROM exchanges e WHERE e.id IN (%1) AND %2 ORDER BY e.id")
                      .arg(both, rest.join(QStringLiteral(" AND ")));
            values.append(restValues);
        }
    } else {
        sql = QStringLiteral("SELECT e.id FROM exchanges e WHERE (%1) AND %2 ORDER BY e.id")
                  .arg(schema::filterSql(filter.sql(), schemaVersion()), range);
        values = filter.bindings();
        addRange();
    }
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.prepare(sql)) {
        m_error = q.lastError().text();
        return out;
    }
    bindAll(q, values);
    if (!q.exec()) {
        m_error = q.lastError().text();
        return out;
    }
    while (q.next())
        out.append(q.value(0).toLongLong());
    if (indexed.size() >= 2 && rest.isEmpty())
        std::sort(out.begin(), out.end());
    return out;
}

QSqlQuery &CaptureReader::prepared(std::optional<QSqlQuery> &slot, const QString &sql)
{
    if (!slot) {
        slot.emplace(m_db);
        slot->setForwardOnly(true);
        slot->prepare(sql);
    }
    return *slot;
}

int CaptureReader::schemaVersion()
{
    if (m_schemaVersion >= schema::kVersion)
        return m_schemaVersion;
    // An older file lacks the newer columns until a writer migrates it (maybe while we read).
    QSqlQuery q(m_db);
    if (q.exec(QStringLiteral("PRAGMA user_version")) && q.next() && q.value(0).toInt() != m_schemaVersion) {
        m_schemaVersion = q.value(0).toInt();
        m_getExchange.reset();
    }
    return m_schemaVersion;
}

std::optional<Exchange> CaptureReader::get(qint64 id)
{
    const int version = schemaVersion();
    QSqlQuery &q = prepared(m_getExchange,
        QStringLiteral(
            "SELECT id, started_at, client_address, method, url, scheme, host, path, query, status, route, "
            "consumer, upstream, upstream_target, api_version, trace_id, span_id, parent_span_id, parent_id, "
            "retries, error, request_bytes, response_bytes, request_body_size, response_body_size, "
            "request_truncated, response_truncated, bodies_dropped, received_us, upstream_connect_us, "
            "first_byte_us, duration_us, notes, %1, %2, %3, %4, %5 FROM exchanges WHERE id = ?")
            .arg(version >= 4 ? QStringLiteral("listener") : QStringLiteral("''"),
                version >= 5 ? QStringLiteral("protocol") : QStringLiteral("''"),
                version >= 6 ? QStringLiteral("grpc_service, grpc_method, grpc_status")
                             : QStringLiteral("'', '', -1"),
                version >= 7 ? QStringLiteral("proxied") : QStringLiteral("0"),
                version >= 8 ? QStringLiteral("request_body_ref, response_body_ref")
                             : QStringLiteral("0, 0")));
    q.bindValue(0, id);
    if (!q.exec()) {
        m_error = q.lastError().text();
        return std::nullopt;
    }
    if (!q.next()) {
        q.finish();
        return std::nullopt;
    }
    Exchange e;
    int i = 0;
    e.id = q.value(i++).toLongLong();
    e.startedAt = QDateTime::fromMSecsSinceEpoch(q.value(i++).toLongLong(), Qt::UTC);
    for (QString *s : { &e.clientAddress, &e.method, &e.url, &e.scheme, &e.host, &e.path, &e.query })
        *s = q.value(i++).toString();
    e.status = q.value(i++).toInt();
    for (QString *s : { &e.route, &e.consumer, &e.upstream, &e.upstreamTarget, &e.apiVersion, &e.traceId,
             &e.spanId, &e.parentSpanId })
        *s = q.value(i++).toString();
    e.parentId = q.value(i++).toLongLong();
    e.retries = q.value(i++).toInt();
    e.error = q.value(i++).toString();
    for (qint64 *v : { &e.requestBytes, &e.responseBytes, &e.requestBodySize, &e.responseBodySize })
        *v = q.value(i++).toLongLong();
    for (bool *b : { &e.requestTruncated, &e.responseTruncated, &e.bodiesDropped })
        *b = q.value(i++).toBool();
    for (qint64 *v : { &e.timings.receivedUs, &e.timings.upstreamConnectUs, &e.timings.firstUpstreamByteUs,
             &e.timings.lastByteUs })
        *v = q.value(i++).toLongLong();
    e.notes = q.value(i++).toString();
    e.listener = q.value(i++).toString();
    e.protocol = q.value(i++).toString();
    e.grpcService = q.value(i++).toString();
    e.grpcMethod = q.value(i++).toString();
    e.grpcStatus = q.value(i++).toInt();
    e.proxied = q.value(i++).toBool();
    const qint64 requestRef = q.value(i++).toLongLong();
    const qint64 responseRef = q.value(i++).toLongLong();
    q.finish();

    QSqlQuery &heads
        = prepared(m_getHeads, QStringLiteral("SELECT request, response FROM heads WHERE exchange_id = ?"));
    heads.bindValue(0, id);
    if (heads.exec() && heads.next()) {
        e.requestHeaders = schema::decodeHeaders(heads.value(0).toByteArray());
        e.responseHeaders = schema::decodeHeaders(heads.value(1).toByteArray());
    }
    heads.finish();
    QSqlQuery &bodies
        = prepared(m_getBodies, QStringLiteral("SELECT request, response FROM bodies WHERE exchange_id = ?"));
    bodies.bindValue(0, id);
    if (bodies.exec() && bodies.next()) {
        e.requestBody = bodies.value(0).toByteArray();
        e.responseBody = bodies.value(1).toByteArray();
    }
    bodies.finish();
    // Bodies stored once (schema version 8): the exchange names the shared row.
    const auto shared = [&](qint64 ref, QByteArray *body, const char *side) {
        if (ref == 0)
            return;
        QSqlQuery &q = prepared(m_getShared, QStringLiteral("SELECT data FROM shared_bodies WHERE id = ?"));
        q.bindValue(0, ref);
        if (q.exec() && q.next()) {
            *body = q.value(0).toByteArray();
        } else {
            // Not a crash and not a silent empty body: the row says what is missing.
            e.notes += QStringLiteral("%1%2 body missing: shared body %3 is not in the capture")
                           .arg(e.notes.isEmpty() ? QString() : QStringLiteral("\n"), QLatin1String(side))
                           .arg(ref);
        }
        q.finish();
    };
    shared(requestRef, &e.requestBody, "request");
    shared(responseRef, &e.responseBody, "response");
    return e;
}

qint64 CaptureReader::count(const FilterExpression &filter)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT count(*) FROM exchanges e WHERE %1")
                  .arg(schema::filterSql(filter.sql(), schemaVersion())));
    bindAll(q, filter.bindings());
    if (!q.exec() || !q.next()) {
        m_error = q.lastError().text();
        return -1;
    }
    return q.value(0).toLongLong();
}

QList<ExchangeSummary> CaptureReader::children(qint64 parentId)
{
    QList<ExchangeSummary> rows;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT %1 FROM exchanges e WHERE e.parent_id = ? ORDER BY e.id")
                  .arg(schema::summaryColumns(schemaVersion())));
    q.addBindValue(parentId);
    if (q.exec()) {
        while (q.next())
            rows.append(schema::readSummary(q));
    }
    return rows;
}

QList<qint64> CaptureReader::matching(const FilterExpression &filter, const QList<qint64> &ids)
{
    QList<qint64> out;
    if (ids.isEmpty())
        return out;
    // Bounded so the statement stays within SQLite's variable limit.
    for (qsizetype from = 0; from < ids.size(); from += 500) {
        const QList<qint64> part = ids.mid(from, 500);
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("SELECT e.id FROM exchanges e WHERE (%1) AND e.id IN (%2) ORDER BY e.id")
                      .arg(schema::filterSql(filter.sql(), schemaVersion()),
                          QStringList(part.size(), QStringLiteral("?")).join(u',')));
        bindAll(q, filter.bindings());
        for (qint64 id : part)
            q.addBindValue(id);
        if (!q.exec()) {
            m_error = q.lastError().text();
            return out;
        }
        while (q.next())
            out.append(q.value(0).toLongLong());
    }
    return out;
}

QList<ExchangeSummary> CaptureReader::summaries(const QList<qint64> &ids, bool *ok)
{
    QList<ExchangeSummary> rows;
    if (ok)
        *ok = true;
    // Bounded so the statement stays within SQLite's variable limit.
    for (qsizetype from = 0; from < ids.size(); from += 500) {
        const QList<qint64> part = ids.mid(from, 500);
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        q.prepare(QStringLiteral("SELECT %1 FROM exchanges e WHERE e.id IN (%2) ORDER BY e.id")
                      .arg(schema::summaryColumns(schemaVersion()),
                          QStringList(part.size(), QStringLiteral("?")).join(u',')));
        for (qint64 id : part)
            q.addBindValue(id);
        if (!q.exec()) {
            m_error = q.lastError().text();
            if (ok)
                *ok = false;
            return rows;
        }
        while (q.next())
            rows.append(schema::readSummary(q));
    }
    std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    return rows;
}

qint64 CaptureReader::maxId()
{
    QSqlQuery q(m_db);
    if (q.exec(QStringLiteral("SELECT coalesce(max(id), 0) FROM exchanges")) && q.next())
        return q.value(0).toLongLong();
    return 0;
}

} // namespace portico::capture
