#include "core/capture/CaptureBatchWriter.h"

#include "core/capture/Schema.h"
#include "core/common/Clock.h"

#include <QSqlError>
#include <QThread>

#include <algorithm>

namespace portico::capture {

namespace {

const QString kRedacted = QStringLiteral("[redacted]");

QString prepareError(const QSqlQuery &q)
{
    return QStringLiteral("capture: %1").arg(q.lastError().text());
}

// A null QString binds as SQL NULL; the text columns are NOT NULL DEFAULT ''.
QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

void capBody(QByteArray &body, qint64 &size, bool &truncated, qint64 cap)
{
    size = std::max<qint64>(size, body.size());
    if (cap >= 0 && body.size() > cap) {
        body.truncate(cap);
        truncated = true;
    }
}

} // namespace

CaptureBatchWriter::CaptureBatchWriter(const CaptureOptions &options, std::atomic<qint64> &nextId)
    : m_options(options)
    , m_nextId(nextId)
    , m_connection(QStringLiteral("portico-capture-writer-%1").arg(reinterpret_cast<quintptr>(this), 0, 16))
{
    for (const QString &name : options.redactHeaders)
        m_redact.insert(name.trimmed().toLower().toLatin1());
}

CaptureBatchWriter::~CaptureBatchWriter()
{
    m_insertExchange.reset();
    m_insertHeads.reset();
    m_insertBodies.reset();
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

bool CaptureBatchWriter::open(QString *error)
{
    m_db = schema::open(m_options.databasePath, m_connection, true, error);
    if (!m_db.isValid())
        return false;
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT coalesce(max(id), 0), count(*) FROM exchanges")) || !q.next()) {
        *error = prepareError(q);
        return false;
    }
    const qint64 maxId = q.value(0).toLongLong();
    m_rowCount = q.value(1).toLongLong();
    qint64 expected = m_nextId.load();
    while (expected <= maxId && !m_nextId.compare_exchange_weak(expected, maxId + 1)) { }

    m_insertExchange.emplace(m_db);
    m_insertHeads.emplace(m_db);
    m_insertBodies.emplace(m_db);
    const bool ok = m_insertExchange->prepare(QStringLiteral(
                        "INSERT INTO exchanges (id, started_at, client_address, method, url, scheme, host, "
                        "path, query, status, route, consumer, upstream, upstream_target, api_version, "
                        "trace_id, span_id, parent_span_id, parent_id, retries, error, request_bytes, "
                        "response_bytes, request_body_size, response_body_size, request_truncated, "
                        "response_truncated, bodies_dropped, received_us, upstream_connect_us, "
                        "first_byte_us, duration_us, notes) VALUES "
                        "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"))
        && m_insertHeads->prepare(
            QStringLiteral("INSERT OR REPLACE INTO heads (exchange_id, request, response) VALUES (?,?,?)"))
        && m_insertBodies->prepare(
            QStringLiteral("INSERT OR REPLACE INTO bodies (exchange_id, request, response) VALUES (?,?,?)"));
    if (!ok) {
        *error = prepareError(*m_insertExchange);
        return false;
    }
    return true;
}

void CaptureBatchWriter::redact(HeaderList &headers) const
{
    if (m_redact.isEmpty())
        return;
    for (auto &h : headers) {
        if (m_redact.contains(h.first.toLower()))
            h.second = kRedacted.toLatin1();
    }
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

bool CaptureBatchWriter::insert(Exchange &e, QString *error)
{
    if (e.parentId != 0) {
        const auto it = m_remapped.constFind(e.parentId);
        if (it != m_remapped.cend())
            e.parentId = *it;
    }
    redact(e.requestHeaders);
    redact(e.responseHeaders);
    capBody(e.requestBody, e.requestBodySize, e.requestTruncated, m_options.maxBodyBytes);
    capBody(e.responseBody, e.responseBodySize, e.responseTruncated, m_options.maxBodyBytes);
    if (!e.startedAt.isValid())
        e.startedAt = QDateTime::fromMSecsSinceEpoch(wallNowMs(), Qt::UTC);
    e.method = e.method.toUpper();
    e.host = e.host.toLower();

    QSqlQuery &q = *m_insertExchange;
    for (int attempt = 0; attempt < 2; ++attempt) {
        int i = 0;
        q.bindValue(i++, e.id);
        q.bindValue(i++, e.startedAt.toMSecsSinceEpoch());
        for (const QString *s :
            { &e.clientAddress, &e.method, &e.url, &e.scheme, &e.host, &e.path, &e.query })
            q.bindValue(i++, text(*s));
        q.bindValue(i++, e.status);
        for (const QString *s : { &e.route, &e.consumer, &e.upstream, &e.upstreamTarget, &e.apiVersion,
                 &e.traceId, &e.spanId, &e.parentSpanId })
            q.bindValue(i++, text(*s));
        q.bindValue(i++, e.parentId);
        q.bindValue(i++, e.retries);
        q.bindValue(i++, text(e.error));
        for (qint64 v : { e.requestBytes, e.responseBytes, e.requestBodySize, e.responseBodySize })
            q.bindValue(i++, v);
        for (bool b : { e.requestTruncated, e.responseTruncated, e.bodiesDropped })
            q.bindValue(i++, int(b));
        for (qint64 v : { e.timings.receivedUs, e.timings.upstreamConnectUs, e.timings.firstUpstreamByteUs,
                 e.timings.lastByteUs })
            q.bindValue(i++, v);
        q.bindValue(i++, text(e.notes));
        if (q.exec())
            break;
        // Another process writing the same file took this id: move past its ids and retry once.
        const bool conflict = q.lastError().nativeErrorCode() == QLatin1String("1555")
            || q.lastError().nativeErrorCode() == QLatin1String("19");
        if (attempt == 1 || !conflict) {
            *error = prepareError(q);
            return false;
        }
        const qint64 fresh = freshId();
        m_remapped.insert(e.id, fresh);
        if (m_remapped.size() > 10'000)
            m_remapped.clear();
        e.id = fresh;
    }

    m_insertHeads->bindValue(0, e.id);
    m_insertHeads->bindValue(1, schema::encodeHeaders(e.requestHeaders));
    m_insertHeads->bindValue(2, schema::encodeHeaders(e.responseHeaders));
    if (!m_insertHeads->exec()) {
        *error = prepareError(*m_insertHeads);
        return false;
    }
    if (!e.requestBody.isEmpty() || !e.responseBody.isEmpty()) {
        m_insertBodies->bindValue(0, e.id);
        m_insertBodies->bindValue(1, e.requestBody);
        m_insertBodies->bindValue(2, e.responseBody);
        if (!m_insertBodies->exec()) {
            *error = prepareError(*m_insertBodies);
            return false;
        }
    }
    return true;
}

bool CaptureBatchWriter::write(std::vector<Exchange> &rows, QList<ExchangeSummary> *stored, QString *error)
{
    stored->clear();
    if (rows.empty())
        return true;
    if (!m_db.transaction()) {
        *error = QStringLiteral("capture: %1").arg(m_db.lastError().text());
        return false;
    }
    stored->reserve(qsizetype(rows.size()));
    for (Exchange &e : rows) {
        if (!insert(e, error)) {
            m_db.rollback();
            stored->clear();
            return false;
        }
        stored->append(summarize(e));
    }
    if (!m_db.commit()) {
        *error = QStringLiteral("capture: %1").arg(m_db.lastError().text());
        m_db.rollback();
        stored->clear();
        return false;
    }
    m_rowCount += qint64(rows.size());
    return true;
}

int CaptureBatchWriter::prune(QString *error)
{
    int deleted = 0;
    QSqlQuery q(m_db);
    // Oldest first by id; the trigger removes heads and bodies. Small steps keep each write
    // transaction short so readers and the next batch are never held up for long.
    if (m_options.maxExchanges > 0 && m_rowCount > m_options.maxExchanges) {
        const qint64 n = std::min<qint64>(m_rowCount - m_options.maxExchanges, m_options.pruneBatch);
        q.prepare(QStringLiteral("DELETE FROM exchanges WHERE id IN "
                                 "(SELECT id FROM exchanges ORDER BY id LIMIT ?)"));
        q.addBindValue(n);
        if (!q.exec()) {
            *error = prepareError(q);
            return deleted;
        }
        deleted += q.numRowsAffected();
        m_rowCount -= q.numRowsAffected();
    }
    const auto now = std::chrono::steady_clock::now();
    if (m_options.maxAge.count() > 0 && deleted < m_options.pruneBatch
        && (m_agePending || now - m_lastAgePrune >= std::chrono::seconds(1))) {
        m_lastAgePrune = now;
        const qint64 cutoff = wallNowMs() - m_options.maxAge.count();
        const int n = m_options.pruneBatch - deleted;
        q.prepare(QStringLiteral("DELETE FROM exchanges WHERE id IN "
                                 "(SELECT id FROM exchanges WHERE started_at < ? LIMIT ?)"));
        q.addBindValue(cutoff);
        q.addBindValue(n);
        if (!q.exec()) {
            *error = prepareError(q);
            return deleted;
        }
        const int aged = q.numRowsAffected();
        m_agePending = aged >= n;
        deleted += aged;
        m_rowCount -= aged;
    }
    return deleted;
}

} // namespace portico::capture
