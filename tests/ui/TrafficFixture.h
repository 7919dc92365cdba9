#pragma once

// What the traffic inspector tests share (header-only: only tst_*.cpp files become executables):
// a capture store on a fresh file per test function, and exchanges of a small "users" API.

#include "core/capture/CaptureStore.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace portico::ui::test {

// Exchange i: GET for even i, POST for odd, on /users/<i>, consumer alice, one of three traces.
inline capture::Exchange makeExchange(int i, int status, const QByteArray &body)
{
    capture::Exchange e;
    e.startedAt = QDateTime::currentDateTimeUtc();
    e.method = i % 2 ? QStringLiteral("POST") : QStringLiteral("GET");
    e.scheme = QStringLiteral("http");
    e.host = QStringLiteral("api.local");
    e.path = QStringLiteral("/users/%1").arg(i);
    e.url = QStringLiteral("http://api.local/users/%1").arg(i);
    e.status = status;
    e.route = QStringLiteral("users");
    e.consumer = QStringLiteral("alice");
    e.traceId = QStringLiteral("4bf92f3577b34da6a3ce929d0e0e47%1").arg(i % 3, 2, 10, QLatin1Char('0'));
    e.responseHeaders = { { "Content-Type", "application/json" } };
    e.responseBody = body;
    e.responseBodySize = body.size();
    e.timings = { 100, 300, 900, 1500 };
    e.apiVersion = QStringLiteral("v2");
    return e;
}

// Owns the store of one test function: call openStore() in init() and closeStore() in cleanup().
class TrafficFixture
{
protected:
    // A new store on <temp dir>/<prefix>-<test function>.db.
    bool openStore(const QString &prefix, QString *error)
    {
        m_path = m_dir.filePath(
            QStringLiteral("%1-%2.db").arg(prefix, QString::fromLatin1(QTest::currentTestFunction())));
        capture::CaptureOptions options;
        options.databasePath = m_path;
        m_store = std::make_unique<capture::CaptureStore>(options);
        return m_store->open(error);
    }
    void closeStore() { m_store.reset(); }

    // Stores make(0) .. make(count - 1) with their bodies; false if any was dropped. Flushes every
    // 2000: a queue far ahead of the writer sheds bodies (the store's overload protection).
    template<typename Make> bool storeExchanges(int count, Make &&make)
    {
        for (int i = 0; i < count; ++i) {
            m_store->submit(make(i));
            if (i % 2000 == 1999 && !m_store->flush())
                return false;
        }
        return m_store->flush() && m_store->droppedBodies() == 0 && m_store->droppedRows() == 0;
    }

    QTemporaryDir m_dir;
    std::unique_ptr<capture::CaptureStore> m_store;
    QString m_path;
};

} // namespace portico::ui::test
