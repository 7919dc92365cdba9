// The protocol column (schema version 5): stored per exchange, migrated into older files, read by
// summaries and get(), filtered with protocol:, shown in the JSON forms.
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/ExchangeJson.h"
#include "core/capture/FilterExpression.h"
#include "core/capture/Schema.h"
#include "tests/core/capture/CaptureTestUtil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace portico::capture;
using namespace portico::capture::test;

class TstCaptureProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }

    // A version 4 file (no protocol column) reads with an empty protocol until a writer migrates
    // it; the reader that was open meanwhile then reads the new column, and old rows stay ''.
    void migratesVersion4FilesAndReadsThemMeanwhile()
    {
        const QString path = m_dir.filePath(QStringLiteral("v4.db"));
        qint64 old = 0;
        {
            CaptureStore store(options(path));
            QVERIFY(store.open());
            old = store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/old"), 200));
        }
        scalar(path, QStringLiteral("ALTER TABLE exchanges DROP COLUMN protocol"));
        scalar(path, QStringLiteral("PRAGMA user_version = 4"));
        QCOMPARE(scalar(path,
                     QStringLiteral("SELECT count(*) FROM pragma_table_info('exchanges') "
                                    "WHERE name = 'protocol'"))
                     .toInt(),
            0);

        CaptureReader reader;
        QVERIFY(reader.open(path));
        QVERIFY(reader.get(old));
        QCOMPARE(reader.get(old)->path, QStringLiteral("/old"));
        QVERIFY(reader.get(old)->protocol.isEmpty());
        const auto before = reader.list({}, 10);
        QCOMPARE(before.size(), 1);
        QVERIFY(before.first().protocol.isEmpty());

        CaptureStore store(options(path));
        QVERIFY(store.open());
        Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/new"), 200);
        e.protocol = QStringLiteral("HTTP/2");
        const qint64 fresh = store.submit(std::move(e));
        QVERIFY(store.flush());
        QVERIFY(scalar(path, QStringLiteral("PRAGMA user_version")).toInt() >= 5);
        QCOMPARE(reader.get(fresh)->protocol, QStringLiteral("HTTP/2"));
        QVERIFY(reader.get(old)->protocol.isEmpty());
        const auto after = reader.list({}, 10);
        QCOMPARE(after.size(), 2);
        QCOMPARE(after.first().protocol, QStringLiteral("HTTP/2"));
        QVERIFY(after.last().protocol.isEmpty());
        QCOMPARE(reader.list(*FilterExpression::parse(QStringLiteral("protocol:HTTP/2")), 10).size(), 1);
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    }

    void filtersAndShowsTheProtocol()
    {
        const QString path = m_dir.filePath(QStringLiteral("protocol.db"));
        CaptureStore store(options(path));
        QVERIFY(store.open());
        for (const char *protocol : { "HTTP/1.1", "HTTP/2", "HTTP/2", "" }) {
            Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/p"), 200);
            e.protocol = QString::fromLatin1(protocol);
            store.submit(std::move(e));
        }
        QVERIFY(store.flush());
        CaptureReader reader;
        QVERIFY(reader.open(path));
        const auto count = [&reader](const char *filter) {
            FilterError error;
            const auto f = FilterExpression::parse(QString::fromLatin1(filter), &error);
            return f ? reader.count(*f) : -1;
        };
        QCOMPARE(count("protocol:HTTP/2"), 2);
        QCOMPARE(count("protocol:h2"), 2);
        QCOMPARE(count("protocol:http/1.1"), 1);
        QCOMPARE(count("-protocol:HTTP/2"), 2);
        QCOMPARE(count("protocol:HTTP/2 | protocol:HTTP/1.1"), 3);

        const auto rows = reader.list({}, 10);
        QCOMPARE(rows.size(), 4);
        QCOMPARE(
            summaryToJson(rows[1]).value(QStringLiteral("protocol")).toString(), QStringLiteral("HTTP/2"));
        QCOMPARE(exchangeToJson(*reader.get(rows[3].id)).value(QStringLiteral("protocol")).toString(),
            QStringLiteral("HTTP/1.1"));
        // What the writer stored is what the summary of the submitted record said.
        QCOMPARE(rows[2].protocol, QStringLiteral("HTTP/2"));
    }

    // Values are bound, never spliced; anything but the two protocols is an error with a column.
    void rejectsUnknownProtocols()
    {
        for (const char *bad :
            { "protocol:HTTP/3", "protocol:'", "protocol:HTTP/2'--", "protocol:*", "protocol:" }) {
            FilterError error;
            QVERIFY2(!FilterExpression::parse(QString::fromLatin1(bad), &error), bad);
            QCOMPARE(error.column, 10);
        }
        const auto f = FilterExpression::parse(QStringLiteral("protocol:2"));
        QVERIFY(f);
        QCOMPARE(f->bindings(), QVariantList { QStringLiteral("HTTP/2") });
        QVERIFY(FilterExpression::fieldNames().contains(QStringLiteral("protocol")));
        QVERIFY(FilterExpression::valueCompletions(QStringLiteral("protocol"))
                    .contains(QStringLiteral("HTTP/2")));
    }

    // The proxied column (schema version 7): a version 6 file migrates with old rows 0; the flag
    // survives the writer, the summary, get(), JSON and HAR; proxied: filters both ways and
    // refuses anything but a boolean.
    void storesFiltersAndMigratesTheProxiedFlag()
    {
        const QString path = m_dir.filePath(QStringLiteral("proxied.db"));
        qint64 old = 0;
        {
            CaptureStore store(options(path));
            QVERIFY(store.open());
            old = store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/route"), 200));
        }
        scalar(path, QStringLiteral("ALTER TABLE exchanges DROP COLUMN proxied"));
        scalar(path, QStringLiteral("PRAGMA user_version = 6"));
        CaptureReader reader;
        QVERIFY(reader.open(path));
        QVERIFY(!reader.get(old)->proxied);

        CaptureStore store(options(path));
        QVERIFY(store.open());
        Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/app-call"), 200);
        e.proxied = true;
        const qint64 fresh = store.submit(std::move(e));
        QVERIFY(store.flush());
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), schema::kVersion);
        QVERIFY(reader.get(fresh)->proxied);
        QVERIFY(!reader.get(old)->proxied);
        const auto count = [&reader](const char *filter) {
            const auto f = FilterExpression::parse(QString::fromLatin1(filter));
            return f ? reader.count(*f) : -1;
        };
        QCOMPARE(count("proxied:true"), 1);
        QCOMPARE(count("proxied:no"), 1);
        QCOMPARE(count("-proxied:true"), 1);
        for (const char *bad : { "proxied:maybe", "proxied:'1", "proxied:" }) {
            FilterError error;
            QVERIFY2(!FilterExpression::parse(QString::fromLatin1(bad), &error), bad);
        }
        const auto rows = reader.list({}, 10);
        QCOMPARE(rows.size(), 2);
        QVERIFY(rows.first().proxied);
        QCOMPARE(summaryToJson(rows.first()).value(QStringLiteral("proxied")).toBool(), true);
        QVERIFY(!summaryToJson(rows.last()).contains(QStringLiteral("proxied")));
        QVERIFY(exchangeToJson(*reader.get(fresh)).value(QStringLiteral("proxied")).toBool());
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    }

private:
    static CaptureOptions options(const QString &path)
    {
        CaptureOptions o;
        o.databasePath = path;
        o.maxAge = std::chrono::milliseconds(0);
        return o;
    }

    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TstCaptureProtocol)
#include "tst_captureprotocol.moc"
