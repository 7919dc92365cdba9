// FilterExpression: every term against a real capture database, plus parse errors with columns.
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/FilterExpression.h"
#include "tests/core/capture/CaptureTestUtil.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace portico::capture;
using namespace portico::capture::test;

class TstFilterExpression : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("filter.db"));
        CaptureOptions o;
        o.databasePath = m_path;
        CaptureStore store(o);
        QVERIFY(store.open());
        // 1: GET /api/users 200 route users, alice, 150 ms
        Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/api/users"), 200);
        e.consumer = QStringLiteral("alice");
        e.timings.lastByteUs = 150'000;
        e.requestHeaders.emplaceBack("X-Request-Id", "abc-1");
        e.responseBody = R"({"name":"needle in a haystack"})";
        store.submit(std::move(e));
        // 2: POST /api/users/7 404 route users, bob, 250 ms
        e = makeExchange(QStringLiteral("POST"), QStringLiteral("/api/users/7"), 404);
        e.consumer = QStringLiteral("bob");
        e.timings.lastByteUs = 250'000;
        e.requestBody = R"({"q":"other"})";
        store.submit(std::move(e));
        // 3: GET /orders 503 route orders on host shop.local, upstream orders, error, 3 s
        e = makeExchange(QStringLiteral("GET"), QStringLiteral("/orders"), 503, QStringLiteral("orders"),
            QStringLiteral("shop.local"));
        e.upstream = QStringLiteral("orders");
        e.error = QStringLiteral("upstream timeout");
        e.timings.lastByteUs = 3'000'000;
        e.traceId = QStringLiteral("aaaabbbbccccddddeeeeffff00001111");
        e.apiVersion = QStringLiteral("v2");
        store.submit(std::move(e));
        // 4: DELETE /api/users/7 500, no consumer, 20 ms, scheme https
        e = makeExchange(QStringLiteral("DELETE"), QStringLiteral("/api/users/7"), 500);
        e.scheme = QStringLiteral("https");
        e.url = QStringLiteral("https://api.local/api/users/7");
        e.timings.lastByteUs = 20'000;
        e.retries = 2;
        store.submit(std::move(e));
        QVERIFY(store.flush());
        QVERIFY(m_reader.open(m_path));
    }

    void terms_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QList<qint64>>("ids"); // newest first
        using L = QList<qint64>;
        QTest::newRow("empty") << QString() << L { 4, 3, 2, 1 };
        QTest::newRow("method") << "method:POST" << L { 2 };
        QTest::newRow("method lower + list") << "method:get,delete" << L { 4, 3, 1 };
        QTest::newRow("status exact") << "status:404" << L { 2 };
        QTest::newRow("status >=") << "status:>=500" << L { 4, 3 };
        QTest::newRow("status <") << "status:<300" << L { 1 };
        QTest::newRow("status class") << "status:4xx" << L { 2 };
        QTest::newRow("status class 5") << "status:5XX" << L { 4, 3 };
        QTest::newRow("status range") << "status:200-404" << L { 2, 1 };
        QTest::newRow("route") << "route:users" << L { 4, 2, 1 };
        QTest::newRow("route wildcard") << "route:ord*" << L { 3 };
        QTest::newRow("consumer") << "consumer:alice" << L { 1 };
        QTest::newRow("consumer none") << "consumer:\"\"" << L { 4, 3 };
        QTest::newRow("host") << "host:SHOP.local" << L { 3 };
        QTest::newRow("path exact") << "path:/api/users" << L { 1 };
        QTest::newRow("path prefix") << "path:/api/users*" << L { 4, 2, 1 };
        QTest::newRow("duration >") << "duration:>200ms" << L { 3, 2 };
        QTest::newRow("duration s") << "duration:>=1.5s" << L { 3 };
        QTest::newRow("duration <") << "duration:<100" << L { 4 };
        QTest::newRow("upstream") << "upstream:users-v1" << L { 4, 2, 1 };
        QTest::newRow("trace full") << "trace:aaaabbbbccccddddeeeeffff00001111" << L { 3 };
        QTest::newRow("trace prefix") << "trace:4bf92f35..." << L { 4, 2, 1 };
        QTest::newRow("error true") << "error:true" << L { 3 };
        QTest::newRow("error false") << "error:false" << L { 4, 2, 1 };
        QTest::newRow("error text") << "error:timeout" << L { 3 };
        QTest::newRow("body") << "body:\"needle in\"" << L { 1 };
        QTest::newRow("body request") << "body:other" << L { 2 };
        QTest::newRow("header name") << "header:x-request-id" << L { 4, 3, 2, 1 };
        QTest::newRow("header request only") << "header:X-Request-Id=abc-1" << L { 1 };
        QTest::newRow("header absent") << "header:x-nope" << L {};
        QTest::newRow("bare word") << "orders" << L { 3 };
        QTest::newRow("bare wildcard") << "users/*" << L { 4, 2 };
        QTest::newRow("negation") << "-route:users" << L { 3 };
        QTest::newRow("negated bare") << "-users" << L { 3 };
        QTest::newRow("or") << "status:404 | status:503" << L { 3, 2 };
        QTest::newRow("or without spaces") << "method:POST|method:DELETE" << L { 4, 2 };
        QTest::newRow("and") << "route:users status:>=400" << L { 4, 2 };
        QTest::newRow("and + or") << "route:users method:POST | method:DELETE" << L { 4, 2 };
        QTest::newRow("version") << "version:v2" << L { 3 };
        QTest::newRow("scheme") << "scheme:https" << L { 4 };
        QTest::newRow("client") << "client:127.0.0.*" << L { 4, 3, 2, 1 };
        QTest::newRow("retries") << "retries:>0" << L { 4 };
        QTest::newRow("id") << "id:<3" << L { 2, 1 };
        QTest::newRow("url") << "url:https://*" << L { 4 };
        QTest::newRow("quoted value with space") << "error:\"upstream timeout\"" << L { 3 };
        QTest::newRow("like metachar is literal") << "path:/api%" << L {};
    }

    void terms()
    {
        QFETCH(QString, filter);
        QFETCH(QList<qint64>, ids);
        FilterError error;
        const auto f = FilterExpression::parse(filter, &error);
        QVERIFY2(f, qPrintable(error.toString()));
        QList<qint64> got;
        for (const auto &s : m_reader.list(*f, 100))
            got.append(s.id);
        QCOMPARE(got, ids);
        QCOMPARE(m_reader.count(*f), qint64(ids.size()));
    }

    void valuesAreBoundNotSpliced()
    {
        const auto f = FilterExpression::parse(QStringLiteral("route:\"x' OR 1=1 --\" consumer:alice"));
        QVERIFY(f);
        QVERIFY(!f->sql().contains(QStringLiteral("alice")));
        QVERIFY(!f->sql().contains(QStringLiteral("1=1")));
        QCOMPARE(f->bindings().size(), 2);
        QCOMPARE(m_reader.count(*f), 0);
    }

    void costlyForBodyHeaderAndIds()
    {
        QVERIFY(!FilterExpression::parse(QStringLiteral("status:4xx route:users"))->isCostly());
        QVERIFY(FilterExpression::parse(QStringLiteral("body:x"))->isCostly());
        QVERIFY(FilterExpression::parse(QStringLiteral("header:x-a"))->isCostly());
        // Trace and span ids are not indexed (see Schema.cpp): their searches are time-bounded.
        QVERIFY(FilterExpression::parse(QStringLiteral("trace:4bf92f35"))->isCostly());
        QVERIFY(FilterExpression::parse(QStringLiteral("span:00f067aa0ba902b7"))->isCostly());
    }

    void errors_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown field") << "status:200 stats:404" << 12 << "unknown field 'stats'";
        QTest::newRow("negated unknown") << "-foo:1" << 2 << "unknown field 'foo'";
        QTest::newRow("bad status") << "method:GET status:abc" << 19 << "'status:' expects";
        QTest::newRow("status too big") << "status:1000" << 8 << "'status:' expects";
        QTest::newRow("bad duration") << "duration:>fast" << 10 << "'duration:' expects";
        // Used to convert a double beyond qlonglong's range (undefined behaviour; UBSan in the fuzzer).
        QTest::newRow("duration overflow")
            << "duration:>99999999999999999999999999999ms" << 10 << "'duration:' value too large";
        QTest::newRow("duration 1e300") << ("duration:" + QString(300, u'9') + "m") << 10 << "too large";
        QTest::newRow("unterminated quote") << "body:\"abc" << 6 << "unterminated quote";
        QTest::newRow("dangling or") << "status:404 |" << 12 << "'|' needs a term";
        QTest::newRow("leading or") << "| status:404" << 1 << "'|' needs a term";
        QTest::newRow("double or") << "a | | b" << 3 << "'|' needs a term";
        QTest::newRow("lone minus") << "status:200 -" << 12 << "'-' must be followed";
        QTest::newRow("empty value") << "method:" << 8 << "needs a value";
        QTest::newRow("bad trace") << "trace:xyz" << 7 << "hexadecimal";
        QTest::newRow("bad id") << "id:>=abc" << 4 << "expects a number";
        QTest::newRow("bad header") << "header:\"a b\"" << 8 << "NAME or NAME=VALUE";
    }

    void errors()
    {
        QFETCH(QString, filter);
        QFETCH(int, column);
        QFETCH(QString, message);
        FilterError error;
        QVERIFY(!FilterExpression::parse(filter, &error));
        QVERIFY2(error.message.contains(message), qPrintable(error.message));
        QCOMPARE(error.column, column);
        QVERIFY(error.toString().startsWith(QStringLiteral("column %1: ").arg(column)));
    }

    void completions()
    {
        const QStringList names = FilterExpression::fieldNames();
        for (const char *n : { "method", "status", "route", "consumer", "host", "path", "duration",
                 "upstream", "trace", "error", "body", "header" })
            QVERIFY2(names.contains(QLatin1String(n)), n);
        QVERIFY(
            FilterExpression::valueCompletions(QStringLiteral("method")).contains(QStringLiteral("POST")));
        QVERIFY(FilterExpression::valueCompletions(QStringLiteral("status")).contains(QStringLiteral("5xx")));
        QVERIFY(FilterExpression::valueCompletions(QStringLiteral("route")).isEmpty());
        // Every suggested value parses.
        for (const QString &field : names) {
            for (const QString &value : FilterExpression::valueCompletions(field))
                QVERIFY2(FilterExpression::parse(field + u':' + value), qPrintable(field + u':' + value));
        }
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
    CaptureReader m_reader;
};

QTEST_GUILESS_MAIN(TstFilterExpression)
#include "tst_filterexpression.moc"
