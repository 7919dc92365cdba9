// CaptureReader: keyset paging, full round trip of every field, bounded body search.
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "tests/core/capture/CaptureTestUtil.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace portico::capture;
using namespace portico::capture::test;

class TstCaptureReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void missingFileIsAnError()
    {
        CaptureReader reader;
        QString error;
        QVERIFY(!reader.open(m_dir.filePath(QStringLiteral("nope.db")), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("nope.db"))));
    }

    void roundTripsEveryField()
    {
        const QString path = m_dir.filePath(QStringLiteral("full.db"));
        CaptureOptions o;
        o.databasePath = path;
        o.redactHeaders.clear();
        o.maxAge = std::chrono::milliseconds(0); // the exchange below is from 2023
        CaptureStore store(o);
        QVERIFY(store.open());
        Exchange e = makeExchange(QStringLiteral("PUT"), QStringLiteral("/api/users/1"), 201);
        e.startedAt = QDateTime::fromMSecsSinceEpoch(1'700'000'000'123, Qt::UTC);
        e.query = QStringLiteral("a=1&b=2");
        e.url += QStringLiteral("?a=1&b=2");
        e.consumer = QStringLiteral("alice");
        e.apiVersion = QStringLiteral("v1");
        e.parentSpanId = QStringLiteral("1111222233334444");
        e.parentId = 0;
        e.retries = 1;
        e.error = QStringLiteral("none really");
        e.requestHeaders.emplaceBack("X-Dup", "1");
        e.requestHeaders.emplaceBack("X-Dup", "2");
        e.requestHeaders.emplaceBack("X-Empty", "");
        e.requestBody = QByteArray("\x00\x01\xff binary", 10);
        e.requestBodySize = 10;
        e.responseBodySize = 5000;
        e.responseTruncated = true;
        e.notes = QStringLiteral("json transform skipped: not JSON\nsecond note");
        e.timings = { 10, 20, 30, 40 };
        Exchange expected = e;
        const qint64 id = store.submit(std::move(e));
        QVERIFY(store.flush());
        QVERIFY2(store.lastError().isEmpty(), qPrintable(store.lastError()));
        expected.id = id;

        CaptureReader reader;
        QVERIFY(reader.open(path));
        const auto got = reader.get(id);
        QVERIFY2(got, qPrintable(reader.lastError()));
        QCOMPARE(got->startedAt, expected.startedAt);
        QCOMPARE(got->requestHeaders, expected.requestHeaders);
        QCOMPARE(got->responseHeaders, expected.responseHeaders);
        QCOMPARE(got->requestBody, expected.requestBody);
        QCOMPARE(got->timings, expected.timings);
        QCOMPARE(*got, expected);
        QVERIFY(!reader.get(id + 1000));
    }

    void keysetPagingNewestFirst()
    {
        const QString path = m_dir.filePath(QStringLiteral("paging.db"));
        QVERIFY(capture(path, 95, [](int i) {
            return makeExchange(QStringLiteral("GET"), QStringLiteral("/p/%1").arg(i), i % 2 ? 404 : 200);
        }));
        CaptureReader reader;
        QVERIFY(reader.open(path));
        const FilterExpression all;
        QList<qint64> seen;
        qint64 before = 0;
        for (;;) {
            const auto page = reader.list(all, 20, before);
            if (page.isEmpty())
                break;
            QVERIFY(page.size() <= 20);
            for (const auto &s : page) {
                QVERIFY(seen.isEmpty() || s.id < seen.last());
                seen.append(s.id);
            }
            before = page.last().id;
        }
        QCOMPARE(seen.size(), 95);
        QCOMPARE(seen.first(), reader.maxId());
        // With a filter: same keyset walk, only 404s.
        const auto f = *FilterExpression::parse(QStringLiteral("status:404"));
        const auto p1 = reader.list(f, 10);
        const auto p2 = reader.list(f, 100, p1.last().id);
        QCOMPARE(p1.size() + p2.size(), 47);
        QVERIFY(p2.first().id < p1.last().id);
        QCOMPARE(reader.matching(f, { seen[0], seen[1], seen[2] }).size(), 1);
    }

    // ids() answers filters with several indexed terms from the indexes alone (an INTERSECT):
    // the same ids, ascending, as the plain query, with and without other terms and id bounds.
    void idsOfSeveralIndexedTermsMatchThePlainFilter()
    {
        const QString path = m_dir.filePath(QStringLiteral("ids.db"));
        QVERIFY(capture(path, 300, [](int i) {
            Exchange e = makeExchange(i % 3 ? QStringLiteral("GET") : QStringLiteral("POST"),
                QStringLiteral("/p/%1").arg(i), 200 + (i % 4) * 100, QStringLiteral("route-%1").arg(i % 5));
            e.consumer = QStringLiteral("c%1").arg(i % 2);
            return e;
        }));
        CaptureReader reader;
        QVERIFY(reader.open(path));
        const auto expected = [&](const FilterExpression &f, qint64 after, qint64 before) {
            QList<qint64> out;
            for (const ExchangeSummary &s : reader.listAscending(f, 1000, after)) {
                if (before == 0 || s.id < before)
                    out.append(s.id);
            }
            return out;
        };
        for (const char *text : { "status:>=400 route:route-3", "status:4xx route:route-3 consumer:c0",
                 "status:>=300 route:route-2 method:POST", "route:route-1 -status:500 consumer:c0",
                 "status:5xx | status:2xx route:route-4 consumer:c1" }) {
            const auto f = FilterExpression::parse(QString::fromLatin1(text));
            QVERIFY2(f, text);
            for (const auto &[after, before] :
                { std::pair<qint64, qint64> { 0, 0 }, { 40, 0 }, { 40, 250 } }) {
                const QList<qint64> got = reader.ids(*f, after, before);
                QVERIFY2(!expected(*f, after, before).isEmpty(), text);
                QCOMPARE(got, expected(*f, after, before));
            }
        }
        QCOMPARE(FilterExpression::parse(QStringLiteral("status:>=400 route:route-3"))->groups().size(), 2);
        QVERIFY(FilterExpression::parse(QStringLiteral("route:route-3"))->groups().first().indexed);
        QVERIFY(!FilterExpression::parse(QStringLiteral("route:route-*"))->groups().first().indexed);
        QVERIFY(!FilterExpression::parse(QStringLiteral("-status:500"))->groups().first().indexed);
        QVERIFY(!FilterExpression::parse(QStringLiteral("status:500|route:x"))->groups().first().indexed);
    }

    // The consumer index holds only rows with a consumer (schema version 3); a consumer:NAME
    // filter must still be answered from it, and consumer:"" (no consumer) still finds rows.
    void consumerFilterUsesThePartialIndex()
    {
        const QString path = m_dir.filePath(QStringLiteral("consumer.db"));
        QVERIFY(capture(path, 30, [](int i) {
            Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/c/%1").arg(i), 200);
            e.consumer = i % 3 ? QString() : QStringLiteral("alice");
            return e;
        }));
        const auto plan = [&](const QString &text) {
            const auto f = FilterExpression::parse(text);
            QString detail;
            {
                QSqlDatabase db
                    = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("plan"));
                db.setDatabaseName(path);
                QSqlQuery q(db);
                if (db.open()
                    && q.prepare(QStringLiteral("EXPLAIN QUERY PLAN SELECT e.id FROM exchanges e WHERE ")
                        + f->sql())) {
                    for (const QVariant &v : f->bindings())
                        q.addBindValue(v);
                    if (q.exec()) {
                        while (q.next())
                            detail += q.value(3).toString() + u'\n';
                    }
                }
            }
            QSqlDatabase::removeDatabase(QStringLiteral("plan"));
            return detail;
        };
        QVERIFY2(plan(QStringLiteral("consumer:alice")).contains(QStringLiteral("exchanges_consumer")),
            qPrintable(plan(QStringLiteral("consumer:alice"))));
        QVERIFY(FilterExpression::parse(QStringLiteral("consumer:alice"))->groups().first().indexed);
        QVERIFY(!FilterExpression::parse(QStringLiteral("consumer:\"\""))->groups().first().indexed);
        CaptureReader reader;
        QVERIFY(reader.open(path));
        QCOMPARE(reader.list(*FilterExpression::parse(QStringLiteral("consumer:alice")), 100).size(), 10);
        QCOMPARE(reader.list(*FilterExpression::parse(QStringLiteral("consumer:\"\"")), 100).size(), 20);
        QCOMPARE(reader.list(*FilterExpression::parse(QStringLiteral("-consumer:alice")), 100).size(), 20);
        QCOMPARE(
            reader.ids(*FilterExpression::parse(QStringLiteral("consumer:alice status:200")), 0).size(), 10);
    }

    void bodySearchIsBoundedAndResumable()
    {
        const QString path = m_dir.filePath(QStringLiteral("search.db"));
        QVERIFY(capture(path, 4'500, [](int i) {
            Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/s"), 200);
            e.responseBody = i == 10 ? QByteArray("the needle is here") : QByteArray("hay");
            return e;
        }));
        CaptureReader reader;
        QVERIFY(reader.open(path));
        reader.setScanSlice(2000);
        const auto f = *FilterExpression::parse(QStringLiteral("body:needle"));
        // A zero budget stops after the first slice and says where to go on.
        auto page = reader.search(f, 10, 0, std::chrono::milliseconds(0));
        QVERIFY(page.partial);
        QVERIFY(page.rows.isEmpty());
        QVERIFY(page.resumeBeforeId > 0);
        int slices = 1;
        while (page.partial && page.rows.isEmpty()) {
            page = reader.search(f, 10, page.resumeBeforeId, std::chrono::milliseconds(0));
            ++slices;
        }
        QCOMPARE(slices, 3); // 4.5k ids in 2k slices
        QCOMPARE(page.rows.size(), 1);
        QCOMPARE(page.rows.first().id, 11);
        // With enough budget one call finds it and reports a complete scan.
        page = reader.search(f, 10, 0, std::chrono::milliseconds(10'000));
        QVERIFY(!page.partial);
        QCOMPARE(page.rows.size(), 1);
    }

private:
    // Writes `count` exchanges made by make(i) to a new capture file (flushed when it returns).
    template<typename Make> static bool capture(const QString &path, int count, Make make)
    {
        CaptureOptions o;
        o.databasePath = path;
        CaptureStore store(o);
        if (!store.open())
            return false;
        for (int i = 0; i < count; ++i)
            store.submit(make(i));
        return true;
    }

    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TstCaptureReader)
#include "tst_capturereader.moc"
