#pragma once

// Helpers shared by the capture tests (header-only: only tst_*.cpp files become executables).

#include "core/capture/Exchange.h"
#include "core/common/Clock.h"

#include <QMutex>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

namespace portico::capture::test {

inline Exchange makeExchange(const QString &method, const QString &path, int status,
    const QString &route = QStringLiteral("users"), const QString &host = QStringLiteral("api.local"))
{
    Exchange e;
    e.startedAt = QDateTime::currentDateTimeUtc();
    e.clientAddress = QStringLiteral("127.0.0.1");
    e.method = method;
    e.scheme = QStringLiteral("http");
    e.host = host;
    e.path = path;
    e.url = QStringLiteral("http://%1:8080%2").arg(host, path);
    e.status = status;
    e.route = route;
    e.upstream = QStringLiteral("users-v1");
    e.upstreamTarget = QStringLiteral("http://127.0.0.1:9001");
    e.traceId = QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736");
    e.spanId = QStringLiteral("00f067aa0ba902b7");
    e.requestHeaders = { { "Host", host.toLatin1() + ":8080" }, { "Accept", "application/json" } };
    e.responseHeaders = { { "Content-Type", "application/json" }, { "X-Request-Id", "req-1" } };
    e.responseBody = R"({"ok":true})";
    e.responseBodySize = e.responseBody.size();
    e.requestBytes = 120;
    e.responseBytes = 200;
    e.timings = { 100, 300, 1500, 2000 };
    e.protocol = QStringLiteral("HTTP/1.1");
    return e;
}

// A wall clock the test moves by hand (retention by age).
class FakeWallClock final : public Clock
{
public:
    std::chrono::steady_clock::time_point now() const override { return std::chrono::steady_clock::now(); }
    QDateTime wallNow() const override
    {
        QMutexLocker lock(&m_mutex);
        return m_now;
    }
    void set(const QDateTime &t)
    {
        QMutexLocker lock(&m_mutex);
        m_now = t;
    }

private:
    mutable QMutex m_mutex;
    QDateTime m_now = QDateTime::currentDateTimeUtc();
};

// Runs one scalar query on a fresh connection (the test's view of the file), with `values`
// bound to its placeholders in order.
inline QVariant scalar(const QString &dbPath, const QString &sql, const QVariantList &values = {})
{
    QVariant result;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("test-scalar"));
        db.setDatabaseName(dbPath);
        if (db.open()) {
            QSqlQuery q(db);
            bool ok = true;
            if (values.isEmpty()) {
                ok = q.exec(sql);
            } else {
                ok = q.prepare(sql);
                for (const QVariant &v : values)
                    q.addBindValue(v);
                ok = ok && q.exec();
            }
            if (ok && q.next())
                result = q.value(0);
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("test-scalar"));
    return result;
}

} // namespace portico::capture::test
