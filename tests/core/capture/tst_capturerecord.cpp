// CaptureRecord: the one-buffer form the proxy hands to the capture writer, and what the writer
// makes of it (redaction, case, time stamp, body cap) when it reaches the database.
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureRecord.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/Schema.h"
#include "tests/core/capture/CaptureTestUtil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace portico::capture;
using namespace portico::capture::test;
using R = CaptureRecord;

class TstCaptureRecord : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fromExchangeKeepsEveryField()
    {
        Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/caf\u00e9"), 200);
        e.consumer = QStringLiteral("\u00e5sa");
        e.notes = QStringLiteral("one\ntwo");
        const R r = R::fromExchange(e);
        QCOMPARE(r.view(R::Path), QByteArrayView("/caf\xc3\xa9"));
        QCOMPARE(r.view(R::Consumer), QByteArrayView("\xc3\xa5sa"));
        QCOMPARE(r.view(R::Method), QByteArrayView("GET"));
        QCOMPARE(r.view(R::TraceId), QByteArrayView("4bf92f3577b34da6a3ce929d0e0e4736"));
        QCOMPARE(r.view(R::Notes), QByteArrayView("one\ntwo"));
        QCOMPARE(
            r.view(R::RequestHead), QByteArrayView("\nHost: api.local:8080\nAccept: application/json\n"));
        QCOMPARE(r.view(R::ResponseBody), QByteArrayView(R"({"ok":true})"));
        QVERIFY(r.isEmpty(R::RequestBody));
        QVERIFY(r.isEmpty(R::Error));
        QCOMPARE(r.n.timings, e.timings);
        QCOMPARE(r.summary(), summarize(e));
    }

    void fromExchangeCutsBodiesToTheCap()
    {
        Exchange e = makeExchange(QStringLiteral("POST"), QStringLiteral("/upload"), 201);
        e.requestBody = QByteArray(100, 'q');
        e.requestBodySize = 100;
        const R r = R::fromExchange(e, 10);
        QCOMPARE(r.view(R::RequestBody), QByteArrayView("qqqqqqqqqq"));
        QVERIFY(r.n.requestTruncated);
        QCOMPARE(r.n.requestBodySize, 100);
        QVERIFY(r.n.responseTruncated); // {"ok":true} is 11 bytes: cut to 10, and says so
        const R exact = R::fromExchange(e, 11);
        QCOMPARE(exact.view(R::ResponseBody).size(), 11);
        QVERIFY(!exact.n.responseTruncated);
    }

    void fieldsSetInAnyOrderAndAgain()
    {
        R r;
        r.set(R::Method, "get");
        r.beginHead(R::ResponseHead);
        r.addHeader("Content-Type", "text/plain");
        r.endHead(R::ResponseHead);
        r.setJoined(R::Url, { "http", "://", "Api.Local", "/a?b=1" });
        r.set(R::Host, "Api.Local");
        r.setText(R::Error, QStringLiteral("first"));
        r.setText(R::Error, QStringLiteral("second"));
        r.normalizeCase();
        QCOMPARE(r.view(R::Method), QByteArrayView("GET"));
        QCOMPARE(r.view(R::Host), QByteArrayView("api.local"));
        QCOMPARE(r.view(R::Url), QByteArrayView("http://Api.Local/a?b=1"));
        QCOMPARE(r.view(R::ResponseHead), QByteArrayView("\nContent-Type: text/plain\n"));
        QCOMPARE(r.view(R::Error), QByteArrayView("second"));
    }

    void bodiesGrowAsTheyStreamEvenWhenInterleaved()
    {
        R r;
        r.append(R::ResponseBody, "ab");
        r.append(R::ResponseBody, "cd"); // at the end: extended in place
        const qsizetype inPlace = r.size();
        QCOMPARE(inPlace, 4);
        r.append(R::RequestBody, "upload-1");
        r.append(R::ResponseBody, "ef"); // no longer at the end: moved, then extended
        r.append(R::RequestBody, "+2");
        r.setText(R::Route, QStringLiteral("r"));
        QCOMPARE(r.view(R::ResponseBody), QByteArrayView("abcdef"));
        QCOMPARE(r.view(R::RequestBody), QByteArrayView("upload-1+2"));
        QCOMPARE(r.view(R::Route), QByteArrayView("r"));
    }

    void droppingBodiesFreesThemAndSaysSo()
    {
        Exchange e = makeExchange(QStringLiteral("GET"), QStringLiteral("/big"), 200);
        e.responseBody = QByteArray(64 * 1024, 'b');
        e.notes = QStringLiteral("earlier note");
        R r = R::fromExchange(e);
        const qint64 before = r.heapBytes();
        r.dropBodies(QStringLiteral("bodies not stored"));
        QVERIFY(r.isEmpty(R::ResponseBody));
        QVERIFY(r.n.bodiesDropped);
        QVERIFY2(r.heapBytes() < before - 60 * 1024, qPrintable(QString::number(r.heapBytes())));
        QCOMPARE(r.view(R::Notes), QByteArrayView("earlier note\nbodies not stored"));
        QCOMPARE(r.view(R::Path), QByteArrayView("/big"));
        QCOMPARE(
            r.view(R::RequestHead), QByteArrayView("\nHost: api.local:8080\nAccept: application/json\n"));
    }

    // What the proxy does: fields straight from the bytes it has, heads line by line.
    // A written record's buffer goes back to a submitting thread; the next record reserved on
    // that thread starts from it (same memory, emptied, its old fields gone).
    void buffersAreRecycledOnTheAdoptingThread()
    {
        CaptureRecord a;
        a.reserve(2000);
        a.set(CaptureRecord::Method, "GET");
        a.set(CaptureRecord::ResponseBody, "old body");
        const char *memory = a.view(CaptureRecord::Method).data();
        std::string buffer = a.releaseBuffer();
        QVERIFY(a.isEmpty(CaptureRecord::Method));
        QCOMPARE(a.size(), 0);
        QVERIFY(buffer.empty());
        QVERIFY(buffer.capacity() >= 2000);
        QVERIFY(CaptureRecord::wantsSpare());
        CaptureRecord::adoptSpare(std::move(buffer));
        CaptureRecord b;
        b.reserve(100);
        b.set(CaptureRecord::Path, "/x");
        QCOMPARE(b.view(CaptureRecord::Path).data(), memory);
        QCOMPARE(b.view(CaptureRecord::Path), QByteArrayView("/x"));
        QVERIFY(b.isEmpty(CaptureRecord::ResponseBody));
        QCOMPARE(b.size(), 2);
    }

    void writerStoresARecordBuiltByHand()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("record.db"));
        CaptureOptions o;
        o.databasePath = path;
        o.maxBodyBytes = 4;
        o.redactHeaders = { QStringLiteral("Authorization") };
        CaptureStore store(o);
        QVERIFY(store.open());

        R r;
        r.beginHead(R::RequestHead);
        r.addHeader("Host", "Shop.Local");
        r.addHeader("authorization", "Bearer secret-token");
        r.addHeader("Accept", "*/*");
        r.endHead(R::RequestHead);
        r.set(R::Method, "post");
        r.set(R::Host, "Shop.Local");
        r.set(R::Path, "/orders");
        r.setJoined(R::Url, { "http", "://", "Shop.Local", "/orders" });
        r.setText(R::Route, QStringLiteral("orders"));
        r.set(R::RequestBody, "12345678");
        r.n.requestBodySize = 8;
        r.n.status = 201;
        const qint64 id = store.submit(std::move(r));
        QVERIFY(id > 0);
        QVERIFY(store.flush());

        CaptureReader reader;
        QVERIFY(reader.open(path));
        const auto e = reader.get(id);
        QVERIFY(e);
        QCOMPARE(e->method, QStringLiteral("POST"));
        QCOMPARE(e->host, QStringLiteral("shop.local"));
        QCOMPARE(e->url, QStringLiteral("http://Shop.Local/orders"));
        QCOMPARE(e->route, QStringLiteral("orders"));
        QCOMPARE(e->status, 201);
        QCOMPARE(headerValue(e->requestHeaders, "Authorization"), QByteArray("[redacted]"));
        QCOMPARE(headerValue(e->requestHeaders, "Accept"), QByteArray("*/*"));
        QCOMPARE(e->requestHeaders.size(), 3);
        QCOMPARE(e->requestBody, QByteArray("1234"));
        QVERIFY(e->requestTruncated);
        QCOMPARE(e->requestBodySize, 8);
        // No start time given: the writer stamps when it stored the row.
        QVERIFY(qAbs(e->startedAt.secsTo(QDateTime::currentDateTimeUtc())) < 60);
    }
    // schema::forEachHeadLine splits each line at its first ": " (found with memchr since issue
    // 19): the same split as a plain search for ": ", on stored blocks of any shape, hostile ones
    // included (pseudo-headers, colons without a space, a colon at the end, empty lines, NULs).
    void headLinesSplitAtTheFirstColonSpace()
    {
        const auto reference = [](QByteArrayView block) {
            QList<QPair<QByteArray, QByteArray>> out;
            for (const QByteArray &line : block.toByteArray().split('\n')) {
                if (line.isEmpty())
                    continue;
                const qsizetype colon = line.indexOf(": ");
                out.append(colon < 0 ? qMakePair(line, QByteArray())
                                     : qMakePair(line.left(colon), line.mid(colon + 2)));
            }
            return out;
        };
        bool inside = true;
        const auto actual = [&inside](QByteArrayView block) {
            QList<QPair<QByteArray, QByteArray>> out;
            schema::forEachHeadLine(block, [&](QByteArrayView name, QByteArrayView value) {
                const auto within = [&block](QByteArrayView part) {
                    return part.isEmpty()
                        || (part.data() >= block.data()
                            && part.data() + part.size() <= block.data() + block.size());
                };
                inside = inside && within(name) && within(value);
                out.append({ name.toByteArray(), value.toByteArray() });
            });
            return out;
        };
        QList<QByteArray> blocks = { "\nHost: a\nAccept: */*\n", "\n:authority: example.com\n:path: /x\n",
            "\na:b: c\n", "\nno-space:value\nx: \n:\n::\n: \n", "trailing:", "\n\n\n", "",
            QByteArray("\nnul\0name: v\0alue\n", 18), "\nk:: v\nk :v: w\n" };
        // And random blocks over a small alphabet where colons, spaces and newlines are common.
        quint32 seed = 19;
        for (int i = 0; i < 2000; ++i) {
            QByteArray b;
            for (int n = int(seed % 40); n > 0; --n) {
                seed = seed * 1664525u + 1013904223u;
                b += ":: \nab\0"[(seed >> 24) % 7];
            }
            blocks.append(b);
        }
        for (const QByteArray &b : blocks)
            QCOMPARE(actual(b), reference(b));
        QVERIFY(inside); // every name and value is a view into its block
    }
};

QTEST_GUILESS_MAIN(TstCaptureRecord)
#include "tst_capturerecord.moc"
