// RedactionPolicy: what the capture never stores in clear, applied to hostile spellings of the
// names it must catch and to values that only look like them.
#include "core/capture/RedactionPolicy.h"

#include <QTest>

#include <string>

using namespace portico::capture;

class TstRedactionPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void proxyAuthorizationIsAlwaysRedacted()
    {
        const RedactionPolicy none;
        QVERIFY(none.redactsHeader("Proxy-Authorization"));
        QVERIFY(none.redactsHeader("PROXY-AUTHORIZATION"));
        QVERIFY(!none.redactsHeader("Authorization"));
    }

    void headerNamesMatchWhateverTheirCase()
    {
        const RedactionPolicy p({ QStringLiteral(" X-Api-Key "), QStringLiteral("authorization") }, {});
        QVERIFY(p.redactsHeader("x-api-key"));
        QVERIFY(p.redactsHeader("X-API-KEY"));
        QVERIFY(p.redactsHeader("Authorization"));
        // Prefixes and look-alikes are other fields.
        QVERIFY(!p.redactsHeader("x-api-key2"));
        QVERIFY(!p.redactsHeader("x-api"));
        QVERIFY(!p.redactsHeader(""));
    }

    void headBlockKeepsEverythingButTheValues()
    {
        const RedactionPolicy p({ QStringLiteral("authorization") }, {});
        std::string scratch;
        const QByteArrayView clean("\nHost: a\nAccept: */*\n");
        // Nothing to hide: the block itself, no copy.
        QCOMPARE(p.head(clean, scratch).data(), clean.data());
        const QByteArray head("\nHost: a\nAUTHORIZATION: Bearer s3cret\nauthorization: Basic xyz\nX-Note: Authorization: "
                              "inside a value\nbare-line\n");
        const QByteArrayView out = p.head(head, scratch);
        QCOMPARE(out, QByteArrayView("\nHost: a\nAUTHORIZATION: [redacted]\nauthorization: [redacted]\nX-Note: "
                                     "Authorization: inside a value\nbare-line: \n"));
        QVERIFY(!out.contains("s3cret"));
        QVERIFY(!out.contains("xyz"));
    }

    void queryParametersByTheirDecodedName()
    {
        const RedactionPolicy p({}, { QStringLiteral("api key"), QStringLiteral("token") });
        QByteArray out;
        QVERIFY(p.query("a=1&api+key=k1&api%20key=k2&%74oken=t&token&tokenx=keep", &out));
        QCOMPARE(out, QByteArray("a=1&api+key=[redacted]&api%20key=[redacted]&%74oken=[redacted]&token&tokenx=keep"));
        // Already redacted, or nothing listed there: untouched, and said so.
        out = "unchanged";
        QVERIFY(!p.query("token=[redacted]&b=2", &out));
        QVERIFY(!p.query("", &out));
        QCOMPARE(out, QByteArray("unchanged"));
    }

    void recordQueryAndUrlBothRedacted()
    {
        const RedactionPolicy p({}, { QStringLiteral("apikey") });
        CaptureRecord r;
        r.set(CaptureRecord::Query, "apikey=SECRET&x=1");
        r.set(CaptureRecord::Url, "http://h/p?apikey=SECRET&x=1");
        p.apply(r);
        QCOMPARE(r.view(CaptureRecord::Query), QByteArrayView("apikey=[redacted]&x=1"));
        QCOMPARE(r.view(CaptureRecord::Url), QByteArrayView("http://h/p?apikey=[redacted]&x=1"));
    }
};

QTEST_GUILESS_MAIN(TstRedactionPolicy)
#include "tst_redactionpolicy.moc"
