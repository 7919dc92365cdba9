// Identical bodies stored once (schema version 8, SharedBodies.h): byte-exact round trips on
// both sides and across batches, the body: filter and the exchange_bodies view over inline and
// shared bodies, retention that keeps a shared body while an exchange needs it, a damaged
// reference (a clear note, not a crash), and files of version 7 read before and after migration.
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/FilterExpression.h"
#include "core/capture/Har.h"
#include "core/capture/Schema.h"
#include "tests/core/capture/CaptureTestUtil.h"

#include <QBuffer>
#include <QTemporaryDir>
#include <QTest>

using namespace portico::capture;
using namespace portico::capture::test;

namespace {

// A body of `size` bytes covering every byte value (NULs and invalid UTF-8 included).
QByteArray binaryBody(int size, int seed)
{
    QByteArray b(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        b[i] = char((i * 131 + seed * 7) & 0xff);
    return b;
}

} // namespace

class TstSharedBodies : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }

    // The second and later copies of a body are references; every exchange reads back its own
    // bodies byte for byte, whichever side they are on and whichever batch wrote them.
    void repeatedBodiesAreStoredOnceAndReadBackExactly()
    {
        const QString path = m_dir.filePath(QStringLiteral("shared.db"));
        const QByteArray repeated = binaryBody(3000, 1) + "shared_marker";
        const QByteArray small = "{\"ok\":true}"; // under SharedBodies::kMinBytes: always inline
        QList<qint64> ids;
        {
            CaptureStore store(options(path));
            QVERIFY(store.open());
            for (int i = 0; i < 30; ++i) {
                Exchange e = makeExchange(QStringLiteral("POST"), QStringLiteral("/r/%1").arg(i), 200);
                e.requestBody = i % 3 == 0 ? repeated : binaryBody(500, 100 + i); // unique or repeated
                e.requestBodySize = e.requestBody.size();
                e.responseBody = i % 2 == 0 ? repeated : small; // an echo: the same body on both sides
                e.responseBodySize = e.responseBody.size();
                ids.append(store.submit(std::move(e)));
                if (i % 7 == 0)
                    QVERIFY(store.flush()); // several batches
            }
            QVERIFY(store.flush());
        }
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM shared_bodies")).toInt(), 1);
        QCOMPARE(
            scalar(path, QStringLiteral("SELECT length(data) FROM shared_bodies")).toInt(), repeated.size());
        QCOMPARE(scalar(path, QStringLiteral("SELECT max(last_used) FROM shared_bodies")).toLongLong(),
            ids.last() - 1);
        // Only the first copy is inline.
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM bodies WHERE request = ? OR response = ?"),
                     { repeated, repeated })
                     .toInt(),
            1);

        CaptureReader reader;
        QVERIFY(reader.open(path));
        for (int i = 0; i < ids.size(); ++i) {
            const auto e = reader.get(ids[i]);
            QVERIFY(e);
            QCOMPARE(e->requestBody, i % 3 == 0 ? repeated : binaryBody(500, 100 + i));
            QCOMPARE(e->responseBody, i % 2 == 0 ? repeated : small);
            QVERIFY2(e->notes.isEmpty(), qPrintable(e->notes));
        }
        // The view gives sqlite3 users every body wherever it is stored.
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM exchange_bodies WHERE response = ?"),
                     { repeated })
                     .toInt(),
            15);
        QCOMPARE(scalar(path, QStringLiteral("SELECT request FROM exchange_bodies WHERE exchange_id = ?"),
                     { ids[29] })
                     .toByteArray(),
            binaryBody(500, 129));

        // body: finds shared and inline bodies alike.
        const auto count = [&reader](const char *text) {
            const auto f = FilterExpression::parse(QString::fromLatin1(text));
            return f ? reader.count(*f) : -1;
        };
        QCOMPARE(count("body:shared_marker"), 20); // even i (response) + 3, 9, 15, 21, 27 (request)
        QCOMPARE(count("-body:shared_marker"), 10);
        QCOMPARE(count("body:ok"), 15); // the small inline response of odd i
        QCOMPARE(reader
                     .search(*FilterExpression::parse(QStringLiteral("body:shared_marker")), 100, 0,
                         std::chrono::seconds(5))
                     .rows.size(),
            20);

        // HAR export reads them through the same reader.
        QBuffer har;
        QVERIFY(har.open(QIODevice::WriteOnly));
        QCOMPARE(exportHar(reader, *FilterExpression::parse(QStringLiteral("path:/r/3")), &har), 1);
        QVERIFY(har.data().contains(repeated.toBase64()));
    }

    // Retention deletes a shared body with the last exchange that refers to it, not before.
    void retentionKeepsASharedBodyWhileAnExchangeNeedsIt()
    {
        const QString path = m_dir.filePath(QStringLiteral("retention.db"));
        const QByteArray repeated = binaryBody(2000, 2);
        CaptureOptions o = options(path);
        o.maxExchanges = 5;
        CaptureStore store(o);
        QVERIFY(store.open());
        QList<qint64> ids;
        for (int i = 0; i < 20; ++i) {
            Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/k/%1").arg(i), 200);
            e.responseBody = repeated;
            e.responseBodySize = e.responseBody.size();
            ids.append(store.submit(std::move(e)));
            QVERIFY(store.flush());
        }
        QTRY_COMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM exchanges")).toInt(), 5);
        // The first copy (inline) is gone with its exchange; the shared one stays for the rest.
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM shared_bodies")).toInt(), 1);
        CaptureReader reader;
        QVERIFY(reader.open(path));
        for (qint64 id : ids.mid(15)) {
            QCOMPARE(reader.get(id)->responseBody, repeated);
            QCOMPARE(reader.get(id)->notes, QString());
        }
        // Different bodies from now on: once every exchange that referred to it is pruned, the
        // shared body goes too.
        for (int i = 0; i < 10; ++i) {
            Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/u/%1").arg(i), 200);
            e.responseBody = binaryBody(600, 200 + i);
            e.responseBodySize = e.responseBody.size();
            store.submit(std::move(e));
            QVERIFY(store.flush());
        }
        QTRY_COMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM exchanges")).toInt(), 5);
        QTRY_COMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM shared_bodies")).toInt(), 0);
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    }

    // A reference to a shared row that is not there (a damaged file, a hand edit): the body is
    // empty and the exchange says why; nothing crashes, the filters still run.
    void aDanglingReferenceIsReportedNotFatal()
    {
        const QString path = m_dir.filePath(QStringLiteral("dangling.db"));
        const QByteArray repeated = binaryBody(1000, 3);
        qint64 last = 0;
        {
            CaptureStore store(options(path));
            QVERIFY(store.open());
            for (int i = 0; i < 3; ++i) {
                Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/d"), 200);
                e.responseBody = repeated;
                e.responseBodySize = e.responseBody.size();
                last = store.submit(std::move(e));
            }
            QVERIFY(store.flush());
        }
        scalar(path, QStringLiteral("DELETE FROM shared_bodies"));
        scalar(path, QStringLiteral("UPDATE exchanges SET request_body_ref = 987654 WHERE id = ?"), { last });
        CaptureReader reader;
        QVERIFY(reader.open(path));
        const auto e = reader.get(last);
        QVERIFY(e);
        QVERIFY(e->responseBody.isEmpty());
        QVERIFY2(e->notes.contains(QStringLiteral("response body missing")), qPrintable(e->notes));
        QVERIFY2(e->notes.contains(QStringLiteral("request body missing: shared body 987654")),
            qPrintable(e->notes));
        QCOMPARE(reader.get(last - 2)->responseBody, repeated); // the inline first copy
        QCOMPARE(reader.count(*FilterExpression::parse(QStringLiteral("body:zzz"))), 0);
    }

    // A version 7 file (no refs, no shared_bodies) reads as before, body: included, while no
    // writer has migrated it; a writer migrates it on open, old rows stay readable and the
    // reader that was open meanwhile sees both.
    void migratesVersion7FilesAndReadsThemMeanwhile()
    {
        const QString path = m_dir.filePath(QStringLiteral("v7.db"));
        const QByteArray oldBody = binaryBody(800, 4) + "needle-old";
        qint64 old = 0;
        {
            CaptureOptions o = options(path);
            o.shareBodies = false;
            CaptureStore store(o);
            QVERIFY(store.open());
            Exchange e = makeExchange(QStringLiteral("POST"), QStringLiteral("/old"), 200);
            e.requestBody = oldBody;
            e.requestBodySize = e.requestBody.size();
            old = store.submit(std::move(e));
        }
        for (const char *sql : { "DROP VIEW exchange_bodies", "DROP TABLE shared_bodies",
                 "ALTER TABLE exchanges DROP COLUMN request_body_ref",
                 "ALTER TABLE exchanges DROP COLUMN response_body_ref", "PRAGMA user_version = 7" })
            scalar(path, QString::fromLatin1(sql));

        CaptureReader reader;
        QVERIFY(reader.open(path));
        QCOMPARE(reader.get(old)->requestBody, oldBody);
        const auto needle = FilterExpression::parse(QStringLiteral("body:needle"));
        QVERIFY(needle);
        QCOMPARE(reader.count(*needle), 1);
        QCOMPARE(reader.list(*needle, 10).size(), 1);
        QCOMPARE(reader.ids(*needle, 0).size(), 1);

        CaptureStore store(options(path));
        QVERIFY(store.open());
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), schema::kVersion);
        const QByteArray repeated = binaryBody(700, 5) + "needle-new";
        QList<qint64> fresh;
        for (int i = 0; i < 3; ++i) {
            Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/new"), 200);
            e.responseBody = repeated;
            e.responseBodySize = e.responseBody.size();
            fresh.append(store.submit(std::move(e)));
        }
        QVERIFY(store.flush());
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM shared_bodies")).toInt(), 1);
        QCOMPARE(reader.get(old)->requestBody, oldBody);
        for (qint64 id : fresh)
            QCOMPARE(reader.get(id)->responseBody, repeated);
        QCOMPARE(reader.count(*needle), 4);
        QCOMPARE(reader.search(*needle, 10, 0, std::chrono::seconds(5)).rows.size(), 4);
        QCOMPARE(
            scalar(path,
                QStringLiteral("SELECT count(*) FROM exchange_bodies WHERE instr(request, 'needle-old')"))
                .toInt(),
            1);
    }

private:
    static CaptureOptions options(const QString &path)
    {
        CaptureOptions o;
        o.databasePath = path;
        o.batchInterval = std::chrono::milliseconds(10);
        return o;
    }

    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TstSharedBodies)
#include "tst_sharedbodies.moc"
