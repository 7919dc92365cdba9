// The path normaliser on its own: every way of writing a path that routing must read one way.
#include "core/http/PathNormalizer.h"

#include <QTest>

using namespace portico::http;

class TestPathNormalizer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void normalised_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("root") << QByteArray("/") << QByteArray("/");
        QTest::newRow("empty") << QByteArray() << QByteArray("/");
        QTest::newRow("plain") << QByteArray("/a/b") << QByteArray("/a/b");
        QTest::newRow("trailing slash kept") << QByteArray("/a/b/") << QByteArray("/a/b/");
        QTest::newRow("dotdot") << QByteArray("/public/../private/s") << QByteArray("/private/s");
        QTest::newRow("dot") << QByteArray("/a/./b") << QByteArray("/a/b");
        QTest::newRow("many dots") << QByteArray("/a/b/c/../../d/./e") << QByteArray("/a/d/e");
        QTest::newRow("ending dotdot") << QByteArray("/a/b/..") << QByteArray("/a/");
        QTest::newRow("ending dot") << QByteArray("/a/.") << QByteArray("/a/");
        QTest::newRow("dotdot to root") << QByteArray("/a/..") << QByteArray("/");
        QTest::newRow("encoded dotdot lower")
            << QByteArray("/public/%2e%2e/private/s") << QByteArray("/private/s");
        QTest::newRow("encoded dotdot upper")
            << QByteArray("/public/%2E%2E/private/s") << QByteArray("/private/s");
        QTest::newRow("half encoded 1") << QByteArray("/public/.%2e/private") << QByteArray("/private");
        QTest::newRow("half encoded 2") << QByteArray("/public/%2e./private") << QByteArray("/private");
        QTest::newRow("encoded dot") << QByteArray("/a/%2e/b") << QByteArray("/a/b");
        QTest::newRow("unreserved decoded")
            << QByteArray("/%70rivate/%7Euser/%41-%5f") << QByteArray("/private/~user/A-_");
        QTest::newRow("reserved kept, hex upper")
            << QByteArray("/a%3fb/c%3Bd/%c3%a9") << QByteArray("/a%3Fb/c%3Bd/%C3%A9");
        QTest::newRow("double encoding not decoded twice")
            << QByteArray("/a/%252e%252e/b") << QByteArray("/a/%252e%252e/b");
        QTest::newRow("escaped slash kept as data") << QByteArray("/a%2f..%2Fb") << QByteArray("/a%2F..%2Fb");
        QTest::newRow("escaped slash in dotdot is data")
            << QByteArray("/public/..%2fprivate") << QByteArray("/public/..%2Fprivate");
        QTest::newRow("merge slashes") << QByteArray("//private///s") << QByteArray("/private/s");
        QTest::newRow("merge trailing") << QByteArray("/a//") << QByteArray("/a/");
        QTest::newRow("dotdot after double slash") << QByteArray("/a//../b") << QByteArray("/b");
        QTest::newRow("dots inside names")
            << QByteArray("/a/.b/c../..d/e.") << QByteArray("/a/.b/c../..d/e.");
        QTest::newRow("three dots is a name") << QByteArray("/a/.../b") << QByteArray("/a/.../b");
        QTest::newRow("semicolon on a name") << QByteArray("/a;x/b") << QByteArray("/a;x/b");
    }
    void normalised()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QByteArray, expected);
        const NormalizedPath n = normalizePath(raw);
        QVERIFY2(n.ok(), n.error.constData());
        QCOMPARE(n.path, expected);
        // Idempotent: reading the result again changes nothing.
        QCOMPARE(normalizePath(n.path).path, expected);
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QByteArray>("why");
        QTest::newRow("above root") << QByteArray("/..") << QByteArray("climbs above the root");
        QTest::newRow("above root later")
            << QByteArray("/a/../../etc/passwd") << QByteArray("climbs above the root");
        QTest::newRow("encoded above root") << QByteArray("/%2e%2e/x") << QByteArray("climbs above the root");
        QTest::newRow("bad escape") << QByteArray("/a%zz") << QByteArray("malformed percent-encoding");
        QTest::newRow("short escape") << QByteArray("/a%2") << QByteArray("malformed percent-encoding");
        QTest::newRow("lone percent") << QByteArray("/a%") << QByteArray("malformed percent-encoding");
        QTest::newRow("nul") << QByteArray("/a%00b") << QByteArray("NUL");
        QTest::newRow("tomcat dotdot")
            << QByteArray("/public/..;/private") << QByteArray("dot segment with parameters");
        QTest::newRow("tomcat dotdot encoded")
            << QByteArray("/public/%2e%2e;x/private") << QByteArray("dot segment with parameters");
        QTest::newRow("tomcat dot") << QByteArray("/a/.;/b") << QByteArray("dot segment with parameters");
        QTest::newRow("not origin form") << QByteArray("a/b") << QByteArray("must start with '/'");
    }
    void refused()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QByteArray, why);
        const NormalizedPath n = normalizePath(raw);
        QVERIFY(!n.ok());
        QVERIFY2(n.error.contains(why), n.error.constData());
    }

    void withoutMergingSlashes()
    {
        PathOptions o;
        o.mergeSlashes = false;
        QCOMPARE(normalizePath("//a//b", o).path, QByteArray("//a//b"));
        QCOMPARE(normalizePath("/a//../b", o).path, QByteArray("/a/b"));
        QCOMPARE(normalizePath("/a/./b", o).path, QByteArray("/a/b"));
    }

    void escapedSlashActions()
    {
        PathOptions reject;
        reject.escapedSlash = PathOptions::EscapedSlash::Reject;
        QVERIFY(!normalizePath("/a%2Fb", reject).ok());
        QVERIFY(normalizePath("/a/b", reject).ok());

        PathOptions decode;
        decode.escapedSlash = PathOptions::EscapedSlash::Decode;
        QCOMPARE(normalizePath("/a%2fb", decode).path, QByteArray("/a/b"));
        // Once decoded, an encoded slash separates segments, dot segments included.
        QCOMPARE(normalizePath("/public/..%2Fprivate", decode).path, QByteArray("/private"));
        QVERIFY(!normalizePath("/..%2F..%2Fetc", decode).ok());
    }

    void hostileBytesNeverCrash()
    {
        // Every two-byte combination after a slash and a percent: no crash, always a '/' path or an error.
        for (int a = 0; a < 256; ++a) {
            for (int b = 0; b < 256; b += 7) {
                QByteArray raw("/x%");
                raw += char(a);
                raw += char(b);
                raw += "/..";
                const NormalizedPath n = normalizePath(raw);
                QVERIFY(n.ok() ? n.path.startsWith('/') : !n.error.isEmpty());
            }
        }
    }

    void unchangedPathIsShared()
    {
        const QByteArray raw("/api/users/7");
        const NormalizedPath n = normalizePath(raw);
        QCOMPARE(n.path.constData(), raw.constData()); // no copy on the common path
    }
};

QTEST_GUILESS_MAIN(TestPathNormalizer)
#include "tst_pathnormalizer.moc"
