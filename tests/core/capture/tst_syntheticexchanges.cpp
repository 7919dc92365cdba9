// syntheticExchange: the benchmark traffic is reproducible and looks like what the proxy records.
#include "core/capture/SyntheticExchanges.h"

#include <QRandomGenerator>
#include <QTest>

using namespace portico::capture;

class TstSyntheticExchanges : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameSeedSameTraffic()
    {
        QRandomGenerator a(42);
        QRandomGenerator b(42);
        for (qint64 i = 0; i < 50; ++i)
            QCOMPARE(syntheticExchange(a, i, 1'000'000 + i), syntheticExchange(b, i, 1'000'000 + i));
    }

    void fieldsAreConsistent()
    {
        QRandomGenerator rng(7);
        QSet<QString> routes;
        for (qint64 i = 0; i < 500; ++i) {
            const Exchange e = syntheticExchange(rng, i, 1'764'000'000'000 + i);
            QCOMPARE(e.startedAt.toMSecsSinceEpoch(), 1'764'000'000'000 + i);
            QVERIFY(e.url.endsWith(e.path));
            QVERIFY(e.url.contains(e.host));
            QCOMPARE(e.traceId.size(), 32);
            QCOMPARE(e.spanId.size(), 16);
            QCOMPARE(headerValue(e.requestHeaders, "host"), e.host.toLatin1());
            QCOMPARE(headerValue(e.responseHeaders, "content-length").toLongLong(), e.responseBody.size());
            QCOMPARE(e.responseBodySize, e.responseBody.size());
            QVERIFY(e.timings.lastByteUs >= e.timings.firstUpstreamByteUs);
            QCOMPARE(e.error.isEmpty(), e.status < 502);
            routes.insert(e.route);
        }
        QCOMPARE(routes.size(), 12);
    }
};

QTEST_GUILESS_MAIN(TstSyntheticExchanges)
#include "tst_syntheticexchanges.moc"
