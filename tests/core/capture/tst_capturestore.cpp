// CaptureStore: batching, ids, redaction, retention, overload accounting and crash safety.
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/FilterExpression.h"
#include "core/capture/Schema.h"
#include "tests/core/capture/CaptureTestUtil.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

#include <sys/stat.h>

using namespace portico::capture;
using namespace portico::capture::test;

class TstCaptureStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }

    void opensAndVersionsSchema()
    {
        const QString path = m_dir.filePath(QStringLiteral("schema.db"));
        CaptureStore store(options(path));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        store.close();
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), schema::kVersion);
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA page_size")).toInt(), 16384);
        QCOMPARE(indexNames(path),
            QStringLiteral("exchanges_consumer,exchanges_parent,exchanges_route,exchanges_status"));
        QVERIFY(consumerIndexIsPartial(path));
    }

    void migratesVersion1Files()
    {
        // A version 1 file as the first release wrote it: eight indexes, one row.
        const QString path = m_dir.filePath(QStringLiteral("v1.db"));
        {
            CaptureStore store(options(path));
            QVERIFY(store.open());
            store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/old"), 200));
        }
        for (const char *sql : { "DROP INDEX exchanges_parent", "DROP INDEX exchanges_consumer",
                 "CREATE INDEX exchanges_consumer ON exchanges(consumer, id)",
                 "CREATE INDEX exchanges_started_at ON exchanges(started_at)",
                 "CREATE INDEX exchanges_host ON exchanges(host, id)",
                 "CREATE INDEX exchanges_upstream ON exchanges(upstream, id)",
                 "CREATE INDEX exchanges_method ON exchanges(method, id)",
                 "CREATE INDEX exchanges_trace ON exchanges(trace_id)", "PRAGMA user_version = 1" })
            scalar(path, QString::fromLatin1(sql));
        QCOMPARE(indexNames(path).count(u','), 7);
        CaptureStore store(options(path));
        QVERIFY(store.open());
        store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/new"), 200));
        store.close();
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), schema::kVersion);
        QCOMPARE(indexNames(path),
            QStringLiteral("exchanges_consumer,exchanges_parent,exchanges_route,exchanges_status"));
        QVERIFY(consumerIndexIsPartial(path));
        QCOMPARE(
            scalar(path, QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")).toInt(),
            0);
        QCOMPARE(scalar(path, QStringLiteral("SELECT group_concat(path) FROM exchanges")).toString(),
            QStringLiteral("/old,/new"));
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    }

    // Version 4 records the listener an exchange came in on. A version 3 file reads (no listener)
    // until a writer migrates it, and then the reader that was already open sees the column too.
    void migratesVersion3FilesAndReadsThemMeanwhile()
    {
        const QString path = m_dir.filePath(QStringLiteral("v3.db"));
        qint64 old = 0;
        {
            CaptureStore store(options(path));
            QVERIFY(store.open());
            Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/old"), 200);
            e.listener = QStringLiteral("127.0.0.1:8080");
            old = store.submit(std::move(e));
        }
        scalar(path, QStringLiteral("ALTER TABLE exchanges DROP COLUMN listener"));
        scalar(path, QStringLiteral("PRAGMA user_version = 3"));
        CaptureReader reader;
        QVERIFY(reader.open(path));
        const auto before = reader.get(old);
        QVERIFY(before);
        QCOMPARE(before->path, QStringLiteral("/old"));
        QVERIFY(before->listener.isEmpty());

        CaptureStore store(options(path));
        QVERIFY(store.open());
        Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/new"), 200);
        e.listener = QStringLiteral("[::1]:8443");
        const qint64 fresh = store.submit(std::move(e));
        QVERIFY(store.flush());
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), schema::kVersion);
        QCOMPARE(reader.get(fresh)->listener, QStringLiteral("[::1]:8443"));
        QVERIFY(reader.get(old)->listener.isEmpty());
    }

    void refusesNewerSchema()
    {
        const QString path = m_dir.filePath(QStringLiteral("future.db"));
        {
            CaptureStore store(options(path));
            QVERIFY(store.open());
        }
        scalar(path, QStringLiteral("PRAGMA user_version = 99"));
        CaptureStore store(options(path));
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(QStringLiteral("newer")), qPrintable(error));
        QCOMPARE(store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/"), 200)), 0);
    }

    void batchesIntoFewTransactions()
    {
        const QString path = m_dir.filePath(QStringLiteral("batch.db"));
        CaptureOptions o = options(path);
        o.batchRows = 100;
        o.batchInterval = std::chrono::milliseconds(5000); // only full batches or flush write
        CaptureStore store(o);
        QVERIFY(store.open());
        QSignalSpy stored(&store, &CaptureStore::exchangesStored);
        for (int i = 0; i < 50; ++i)
            store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/u/%1").arg(i), 200));
        // Below a full batch and before the interval nothing is written; flush writes it at once.
        QCOMPARE(store.storedRows(), quint64(0));
        QVERIFY(store.flush());
        QCOMPARE(stored.count(), 1);
        QCOMPARE(stored.at(0).at(0).value<QList<ExchangeSummary>>().size(), 50);
        stored.clear();

        qint64 last = 0;
        for (int i = 50; i < 1050; ++i) {
            const qint64 id
                = store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/u/%1").arg(i), 200));
            QVERIFY(id > last); // strictly increasing
            last = id;
        }
        // Full batches go out without a flush or the interval, one transaction per <= 100 rows.
        // The writer takes everything queued when it wakes, so how the 1000 rows split into
        // batches depends on timing: all but a last partial batch (< 100 rows, which waits for the
        // interval or a flush) must be written without either.
        QTRY_VERIFY_WITH_TIMEOUT(store.storedRows() >= 1000 - 99, 3000);
        QVERIFY(store.flush());
        QCOMPARE(store.storedRows(), quint64(1050));
        qsizetype rows = 0;
        for (const auto &signal : stored) {
            const auto batch = signal.at(0).value<QList<ExchangeSummary>>();
            QVERIFY(batch.size() <= 100);
            rows += batch.size();
        }
        QCOMPARE(rows, 1000);
        // At least 10; a writer that wakes while a batch is still filling writes a short one.
        QVERIFY2(stored.count() <= 20, qPrintable(QString::number(stored.count())));
        QCOMPARE(stored.at(0).at(0).value<QList<ExchangeSummary>>().first().path, QStringLiteral("/u/50"));
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM exchanges")).toInt(), 1050);
        QCOMPARE(store.droppedRows(), quint64(0));
    }

    void intervalWritesPartialBatch()
    {
        const QString path = m_dir.filePath(QStringLiteral("interval.db"));
        CaptureOptions o = options(path);
        o.batchInterval = std::chrono::milliseconds(20);
        CaptureStore store(o);
        QVERIFY(store.open());
        store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/one"), 200));
        QTRY_COMPARE_WITH_TIMEOUT(store.storedRows(), quint64(1), 2000);
    }

    void idsContinueAfterReopenAndReservedIdsWork()
    {
        const QString path = m_dir.filePath(QStringLiteral("ids.db"));
        qint64 first = 0;
        {
            CaptureStore store(options(path));
            QVERIFY(store.open());
            first = store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/"), 200));
            store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/"), 200));
        }
        CaptureStore store(options(path));
        QVERIFY(store.open());
        const qint64 parent = store.reserveId();
        QVERIFY(parent > first + 1);
        Exchange child = makeExchange(QStringLiteral("GET"), QStringLiteral("/part"), 200);
        child.parentId = parent;
        const qint64 childId = store.submit(std::move(child));
        Exchange top = makeExchange(QStringLiteral("GET"), QStringLiteral("/agg"), 200);
        top.id = parent;
        QCOMPARE(store.submit(std::move(top)), parent);
        QVERIFY(store.flush());
        CaptureReader reader;
        QVERIFY(reader.open(path));
        const auto kids = reader.children(parent);
        QCOMPARE(kids.size(), 1);
        QCOMPARE(kids.first().id, childId);
        QCOMPARE(reader.get(parent)->path, QStringLiteral("/agg"));
    }

    void redactsConfiguredHeadersAndCapsBodies()
    {
        const QString path = m_dir.filePath(QStringLiteral("redact.db"));
        CaptureOptions o = options(path);
        o.redactHeaders
            = { QStringLiteral("Authorization"), QStringLiteral("x-api-key"), QStringLiteral("set-cookie") };
        o.maxBodyBytes = 16;
        CaptureStore store(o);
        QVERIFY(store.open());
        Exchange e = makeExchange(QStringLiteral("POST"), QStringLiteral("/login"), 200);
        e.requestHeaders.emplaceBack("authorization", "Bearer secret");
        e.requestHeaders.emplaceBack("X-API-KEY", "k-123");
        e.responseHeaders.emplaceBack("Set-Cookie", "sid=1");
        e.requestBody = "0123456789abcdef0123456789abcdef";
        e.requestBodySize = 32;
        const qint64 id = store.submit(std::move(e));
        QVERIFY(store.flush());
        CaptureReader reader;
        QVERIFY(reader.open(path));
        const auto got = reader.get(id);
        QVERIFY(got);
        QCOMPARE(headerValue(got->requestHeaders, "Authorization"), QByteArray("[redacted]"));
        QCOMPARE(headerValue(got->requestHeaders, "x-api-key"), QByteArray("[redacted]"));
        QCOMPARE(headerValue(got->responseHeaders, "set-cookie"), QByteArray("[redacted]"));
        QCOMPARE(headerValue(got->requestHeaders, "accept"), QByteArray("application/json"));
        QCOMPARE(got->requestBody, QByteArray("0123456789abcdef"));
        QCOMPARE(got->requestBodySize, 32);
        QVERIFY(got->requestTruncated);
        QVERIFY(!got->responseTruncated);
        // Nothing of the secret reached the file.
        QVERIFY(scalar(path, QStringLiteral("SELECT count(*) FROM heads WHERE instr(request, 'secret') > 0"))
                    .toInt()
            == 0);
    }

    void redactsProxyAuthorizationAndQueryParameters()
    {
        const QString path = m_dir.filePath(QStringLiteral("query.db"));
        CaptureOptions o = options(path);
        o.redactHeaders = {}; // Proxy-Authorization goes all the same
        o.redactQueryParameters = { QStringLiteral("api key"), QStringLiteral("token") };
        CaptureStore store(o);
        QVERIFY(store.open());
        Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/q"), 200);
        e.requestHeaders.emplaceBack("Proxy-Authorization", "Basic cHJveHktc2VjcmV0");
        e.query = QStringLiteral("page=2&api+key=k-123&token=t-456&token&Token=keep");
        e.url += u'?' + e.query;
        const qint64 id = store.submit(std::move(e));
        QVERIFY(store.flush());
        CaptureReader reader;
        QVERIFY(reader.open(path));
        const auto got = reader.get(id);
        QVERIFY(got);
        QCOMPARE(headerValue(got->requestHeaders, "proxy-authorization"), QByteArray("[redacted]"));
        QCOMPARE(got->query, QStringLiteral("page=2&api+key=[redacted]&token=[redacted]&token&Token=keep"));
        QCOMPARE(got->url, QStringLiteral("http://api.local:8080/q?") + got->query);
        QCOMPARE(reader.list(*FilterExpression::parse(QString()), 10).first().url, got->url);
    }

    // What to redact, the body cap and retention follow reconfigure() (a reload) from the next
    // exchange on, without reopening the file.
    void reconfigureAppliesToTheNextExchange()
    {
        const QString path = m_dir.filePath(QStringLiteral("reconfigure.db"));
        CaptureOptions o = options(path);
        o.redactHeaders = { QStringLiteral("authorization") };
        CaptureStore store(o);
        QVERIFY(store.open());
        auto withSecrets = [] {
            Exchange e = makeExchange(QStringLiteral("POST"), QStringLiteral("/r"), 200);
            e.requestHeaders.emplaceBack("X-Session", "s-789");
            e.query = QStringLiteral("sig=abc");
            e.url += QStringLiteral("?sig=abc");
            e.requestBody = "0123456789abcdef0123456789abcdef";
            e.requestBodySize = 32;
            return e;
        };
        const qint64 before = store.submit(withSecrets());
        QVERIFY(store.flush());
        o.redactHeaders = { QStringLiteral("authorization"), QStringLiteral("X-Session") };
        o.redactQueryParameters = { QStringLiteral("sig") };
        o.maxBodyBytes = 8;
        o.maxExchanges = 3;
        store.reconfigure(o);
        QCOMPARE(store.options().maxBodyBytes, 8);
        QCOMPARE(store.options().maxExchanges, 3);
        const qint64 after = store.submit(withSecrets());
        QVERIFY(store.flush());
        CaptureReader reader;
        QVERIFY(reader.open(path));
        const auto old = reader.get(before);
        QCOMPARE(headerValue(old->requestHeaders, "x-session"), QByteArray("s-789"));
        QCOMPARE(old->requestBody.size(), 32);
        const auto fresh = reader.get(after);
        QVERIFY(fresh);
        QCOMPARE(headerValue(fresh->requestHeaders, "x-session"), QByteArray("[redacted]"));
        QCOMPARE(fresh->query, QStringLiteral("sig=[redacted]"));
        QCOMPARE(fresh->requestBody, QByteArray("01234567"));
        QVERIFY(fresh->requestTruncated);
        for (int i = 0; i < 5; ++i)
            store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/n%1").arg(i), 200));
        QVERIFY(store.flush());
        QTRY_COMPARE_WITH_TIMEOUT(
            scalar(path, QStringLiteral("SELECT count(*) FROM exchanges")).toInt(), 3, 3000);
    }

    // Only its owner can read the capture: the file and its -wal and -shm are 0600 whatever the
    // umask, and an older, wider file is tightened when the writer opens it.
    void theDatabaseIsPrivate()
    {
        const mode_t previous = ::umask(0);
        const QString path = m_dir.filePath(QStringLiteral("private.db"));
        {
            CaptureStore store(options(path));
            QVERIFY(store.open());
            store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/p"), 200));
            QVERIFY(store.flush());
            for (const QString &file :
                { path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm") }) {
                struct stat st
                {
                };
                QVERIFY2(::stat(QFile::encodeName(file).constData(), &st) == 0, qPrintable(file));
                QCOMPARE(st.st_mode & 0777, mode_t(0600));
            }
        }
        ::chmod(QFile::encodeName(path).constData(), 0644);
        {
            CaptureStore store(options(path));
            QVERIFY(store.open());
            struct stat st
            {
            };
            QVERIFY(::stat(QFile::encodeName(path).constData(), &st) == 0);
            QCOMPARE(st.st_mode & 0777, mode_t(0600));
        }
        ::umask(previous);
    }

    void retentionByCountIsIncremental()
    {
        const QString path = m_dir.filePath(QStringLiteral("count.db"));
        CaptureOptions o = options(path);
        o.maxExchanges = 0;
        {
            CaptureStore store(o);
            QVERIFY(store.open());
            for (int i = 0; i < 300; ++i)
                store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/%1").arg(i), 200));
        }
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM exchanges")).toInt(), 300);
        o.maxExchanges = 100;
        o.pruneBatch = 50; // at most 50 per writer cycle: takes several cycles
        CaptureStore store(o);
        QVERIFY(store.open());
        store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/new"), 200));
        QVERIFY(store.flush());
        QTRY_COMPARE_WITH_TIMEOUT(
            scalar(path, QStringLiteral("SELECT count(*) FROM exchanges")).toInt(), 100, 3000);
        // The oldest went, the newest stayed, and heads/bodies followed their rows.
        QCOMPARE(
            scalar(path, QStringLiteral("SELECT min(path) FROM exchanges WHERE path = '/new'")).toString(),
            QStringLiteral("/new"));
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM exchanges WHERE path = '/0'")).toInt(), 0);
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM heads")).toInt(), 100);
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM bodies")).toInt(), 100);
    }

    // Age retention follows capture order (there is no index on the start time): the oldest
    // rows go while they are past max_age, up to the first that is not.
    void retentionByAgeUsesTheClock()
    {
        const QString path = m_dir.filePath(QStringLiteral("age.db"));
        FakeWallClock clock;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        clock.set(now);
        CaptureOptions o = options(path);
        o.clock = &clock;
        o.maxAge = std::chrono::hours(1);
        CaptureStore store(o);
        QVERIFY(store.open());
        const auto submit = [&](const QString &path, qint64 ageSecs) {
            Exchange e = makeExchange(QStringLiteral("GET"), path, 200);
            e.startedAt = now.addSecs(-ageSecs);
            store.submit(std::move(e));
        };
        for (int i = 0; i < 10; ++i)
            submit(QStringLiteral("/old%1").arg(i), 1800); // 30 min old: kept for now
        submit(QStringLiteral("/fresh"), 0);
        // Started two hours ago but stored after /fresh (a long stream, an imported HAR entry):
        // it waits for /fresh.
        submit(QStringLiteral("/old-late"), 7200);
        QVERIFY(store.flush());
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM exchanges")).toInt(), 12);
        clock.set(now.addSecs(45 * 60)); // the ten are now 75 min old
        QTRY_COMPARE_WITH_TIMEOUT(
            scalar(path, QStringLiteral("SELECT group_concat(path) FROM exchanges")).toString(),
            QStringLiteral("/fresh,/old-late"), 4000);
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM heads")).toInt(), 2);
        clock.set(now.addSecs(2 * 3600)); // /fresh is past the cutoff too
        QTRY_COMPARE_WITH_TIMEOUT(
            scalar(path, QStringLiteral("SELECT count(*) FROM exchanges")).toInt(), 0, 4000);
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM bodies")).toInt(), 0);
    }

    void overloadDropsBodiesThenRowsAndCountsThem()
    {
        const QString path = m_dir.filePath(QStringLiteral("overload.db"));
        CaptureOptions o = options(path);
        o.maxQueuedRows = 10;
        o.batchRows = 1000; // the writer waits for the interval: the queue fills up
        o.batchInterval = std::chrono::milliseconds(5000);
        CaptureStore store(o);
        QVERIFY(store.open());
        int accepted = 0;
        for (int i = 0; i < 20; ++i)
            accepted += store.submit(makeExchange(QStringLiteral("GET"), QStringLiteral("/%1").arg(i), 200))
                ? 1
                : 0;
        QCOMPARE(accepted, 10);
        QCOMPARE(store.droppedRows(), quint64(10));
        QCOMPARE(store.droppedBodies(), quint64(5)); // rows 6..10 arrived past half the bound
        QVERIFY(store.flush());
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM exchanges")).toInt(), 10);
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM bodies")).toInt(), 5);
        QCOMPARE(
            scalar(path, QStringLiteral("SELECT count(*) FROM exchanges WHERE bodies_dropped = 1")).toInt(),
            5);
    }

    void queueIsBoundedByTheBytesItHolds()
    {
        const QString path = m_dir.filePath(QStringLiteral("bytes.db"));
        CaptureOptions o = options(path);
        o.maxQueuedRows = 100'000; // only the byte bound applies
        o.maxQueuedBytes = 64 * 1024;
        o.batchRows = 100'000;
        o.batchInterval = std::chrono::milliseconds(5000);
        CaptureStore store(o);
        QVERIFY(store.open());
        const int submitted = 400; // rows without bodies take a few hundred bytes each
        int accepted = 0;
        for (int i = 0; i < submitted; ++i) {
            Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/%1").arg(i), 200);
            e.responseBody = QByteArray(4096, 'b');
            e.responseBodySize = e.responseBody.size();
            accepted += store.submit(std::move(e)) ? 1 : 0;
        }
        // Bodies go first (past half of the bound, ~7 exchanges of 4 KiB), then whole rows.
        const auto bodiesDropped = qint64(store.droppedBodies());
        QVERIFY2(bodiesDropped > 0, qPrintable(QString::number(bodiesDropped)));
        QVERIFY(store.droppedRows() > 0);
        QCOMPARE(qint64(accepted) + qint64(store.droppedRows()), submitted);
        const qint64 withBodies = accepted - bodiesDropped;
        QVERIFY2(withBodies >= 5 && withBodies <= 8, qPrintable(QString::number(withBodies)));
        QVERIFY(store.flush());
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM exchanges")).toInt(), accepted);
        QCOMPARE(
            scalar(path, QStringLiteral("SELECT count(*) FROM exchange_bodies WHERE length(response) > 0"))
                .toLongLong(),
            withBodies);
        // The same 4 KiB each time: inline once (first seen), then stored once and referred to.
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM bodies")).toLongLong(), 1);
        QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM shared_bodies")).toLongLong(), 1);
        // The rows kept without bodies are the later ones and say so.
        QCOMPARE(scalar(path,
                     QStringLiteral("SELECT min(id) > (SELECT max(exchange_id) FROM exchange_bodies WHERE "
                                    "length(response) > 0) FROM exchanges WHERE bodies_dropped = 1"))
                     .toInt(),
            1);
    }

    void survivesKill9MidWrite()
    {
        for (int round = 0; round < 3; ++round) {
            const QString path = m_dir.filePath(QStringLiteral("crash%1.db").arg(round));
            QProcess child;
            child.start(QCoreApplication::applicationFilePath(), { QStringLiteral("--crash-writer"), path });
            QVERIFY(child.waitForStarted());
            QVERIFY(child.waitForReadyRead(5000)); // "ready": rows are being committed
            // Let it write for a little while, a different amount each round.
            QTest::qWait(50 + round * 120);
            child.kill(); // SIGKILL
            QVERIFY(child.waitForFinished(5000));
            QCOMPARE(scalar(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
            CaptureReader reader;
            QVERIFY(reader.open(path));
            QVERIFY(reader.count() > 0);
            const qint64 newest = reader.maxId();
            QVERIFY(reader.get(newest).has_value());
            // Bodies stored once and inline ones both survive whole (crashWriter's pattern).
            for (qint64 id : { newest, newest - 1, newest - 2 }) {
                const auto e = reader.get(id);
                QVERIFY(e);
                QCOMPARE(e->requestBody.size(), 2000);
                QVERIFY(e->requestBody.endsWith(QByteArray(1000, 'x')));
                QVERIFY2(e->notes.isEmpty(), qPrintable(e->notes));
            }
            QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM shared_bodies")).toInt(), 1);
        }
    }

private:
    static QString indexNames(const QString &path)
    {
        return scalar(path,
            QStringLiteral(
                "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'index' "
                "AND name LIKE 'exchanges_%' ORDER BY name)"))
            .toString();
    }

    // Version 3: exchanges without a consumer (most traffic) cost no consumer index insert.
    static bool consumerIndexIsPartial(const QString &path)
    {
        return scalar(path, QStringLiteral("SELECT sql FROM sqlite_master WHERE name = 'exchanges_consumer'"))
            .toString()
            .endsWith(QStringLiteral("WHERE consumer <> ''"));
    }

    static CaptureOptions options(const QString &path)
    {
        CaptureOptions o;
        o.databasePath = path;
        o.batchInterval = std::chrono::milliseconds(10);
        return o;
    }

    QTemporaryDir m_dir;
};

// Child mode for survivesKill9MidWrite: write forever until killed.
static int crashWriter(const QString &path)
{
    CaptureOptions o;
    o.databasePath = path;
    o.batchInterval = std::chrono::milliseconds(5);
    o.batchRows = 200;
    CaptureStore store(o);
    if (!store.open())
        return 3;
    bool announced = false;
    for (int i = 0;; ++i) {
        Exchange e = makeExchange(QStringLiteral("POST"), QStringLiteral("/crash/%1").arg(i), 201);
        // Every third body its own, the others the same (stored once).
        e.requestBody = QByteArray(2000, 'x');
        if (i % 3 == 0)
            e.requestBody.replace(0, 10, QByteArray::number(1'000'000'000 + i));
        store.submit(std::move(e));
        if (!announced && i == 500) {
            store.flush();
            std::fputs("ready\n", stdout);
            std::fflush(stdout);
            announced = true;
        }
        // Paced to what the writer stores: faster, the store would (rightly) drop bodies past half
        // its queue, which a loaded machine reached and the checks below are not about.
        if (i % 100 == 0)
            store.flush();
    }
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc == 3 && qstrcmp(argv[1], "--crash-writer") == 0)
        return crashWriter(QString::fromLocal8Bit(argv[2]));
    TstCaptureStore test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_capturestore.moc"
