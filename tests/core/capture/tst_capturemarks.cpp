// What the capture store adds to rows it is told about: the replay note on the gateway's row of
// a replay (matched by its X-Request-Id, once), and the sample tag (matched by a per-run token).
// Clients choose their headers, so neither can be claimed by guessing, repeating or padding.
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/FilterExpression.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace portico::capture;

class TstCaptureMarks : public QObject
{
    Q_OBJECT

private:
    static Exchange request(const QList<Header> &headers)
    {
        Exchange e;
        e.startedAt = QDateTime::currentDateTimeUtc();
        e.method = QStringLiteral("GET");
        e.url = QStringLiteral("http://api.local/x");
        e.path = QStringLiteral("/x");
        e.status = 200;
        e.requestHeaders = headers;
        e.notes = QStringLiteral("gateway note");
        return e;
    }

private Q_SLOTS:
    void replayNoteGoesToTheOneRowWithItsId()
    {
        QTemporaryDir dir;
        CaptureOptions o;
        o.databasePath = dir.filePath(QStringLiteral("marks.db"));
        CaptureStore store(o);
        QVERIFY(store.open());
        QSignalSpy captured(&store, &CaptureStore::replayCaptured);
        store.expectReplay("4f1c2a", QStringLiteral("replay of exchange 7"));

        // Near misses: another id, the id as a prefix or padded, the id in another header.
        const qint64 other = store.submit(request({ { "X-Request-Id", "4f1c2" } }));
        const qint64 longer = store.submit(request({ { "X-Request-Id", "4f1c2a0" } }));
        const qint64 elsewhere = store.submit(request({ { "X-Not-Request-Id", "4f1c2a" } }));
        QCOMPARE(captured.size(), 0);
        const qint64 replay = store.submit(request({ { "x-request-id", "  4f1c2a " } }));
        QCOMPARE(captured.size(), 1);
        QCOMPARE(captured.first().at(1).toLongLong(), replay);
        const qint64 again = store.submit(request({ { "X-Request-Id", "4f1c2a" } })); // claimed once
        QCOMPARE(captured.size(), 1);
        QVERIFY(store.flush());

        CaptureReader reader;
        QVERIFY(reader.open(o.databasePath));
        QCOMPARE(reader.get(replay)->notes, QStringLiteral("replay of exchange 7\ngateway note"));
        for (qint64 id : { other, longer, elsewhere, again })
            QCOMPARE(reader.get(id)->notes, QStringLiteral("gateway note"));

        // Forgotten: no longer claimed.
        store.expectReplay("abc", QStringLiteral("replay of exchange 8"));
        store.forgetReplay("abc");
        const qint64 late = store.submit(request({ { "X-Request-Id", "abc" } }));
        QVERIFY(store.flush());
        QCOMPARE(reader.get(late)->notes, QStringLiteral("gateway note"));
    }

    void sampleTagNeedsTheToken()
    {
        QTemporaryDir dir;
        CaptureOptions o;
        o.databasePath = dir.filePath(QStringLiteral("samples.db"));
        CaptureStore store(o);
        QVERIFY(store.open());
        // Before a token is set nothing is tagged, not even an empty header.
        const qint64 early = store.submit(request({ { "X-Portico-Sample", "" } }));
        store.markSamples("9d3e");
        const qint64 sample = store.submit(request({ { "X-Portico-Sample", "9d3e" } }));
        const qint64 guessed = store.submit(request({ { "X-Portico-Sample", "9d3" } }));
        const qint64 padded = store.submit(request({ { "X-Portico-Sample", "9d3e9d3e" } }));
        const qint64 plain = store.submit(request({}));
        store.markSamples({});
        const qint64 after = store.submit(request({ { "X-Portico-Sample", "9d3e" } }));
        QVERIFY(store.flush());

        CaptureReader reader;
        QVERIFY(reader.open(o.databasePath));
        QCOMPARE(reader.get(sample)->notes, QStringLiteral("sample traffic\ngateway note"));
        const auto tagged = reader.ids(*FilterExpression::parse(QStringLiteral("sample:true")), 0);
        QCOMPARE(tagged, QList<qint64> { sample });
        const auto untagged = reader.ids(*FilterExpression::parse(QStringLiteral("-sample:true")), 0);
        QCOMPARE(untagged, (QList<qint64> { early, guessed, padded, plain, after }));
        QVERIFY(reader.summaries({ sample }).value(0).sample);
        QVERIFY(!reader.summaries({ plain }).value(0).sample);
    }
};

QTEST_MAIN(TstCaptureMarks)
#include "tst_capturemarks.moc"
