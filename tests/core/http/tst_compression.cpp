// Content codings (core/http/Compression): what the gateway reads compressed upstream bodies with
// (response.json.remove, aggregate parts). Moved here from tst_jsonpath with the code.

#include "core/http/Compression.h"

#include <QRandomGenerator>
#include <QTest>

using namespace portico::http;

class TestCompression : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void codingNames()
    {
        QCOMPARE(Compression::codingOf(""), Compression::Coding::Identity);
        QCOMPARE(Compression::codingOf(" Identity "), Compression::Coding::Identity);
        QCOMPARE(Compression::codingOf("GZIP"), Compression::Coding::Gzip);
        QCOMPARE(Compression::codingOf("x-gzip"), Compression::Coding::Gzip);
        QCOMPARE(Compression::codingOf("deflate"), Compression::Coding::Deflate);
        QCOMPARE(Compression::codingOf("br"), Compression::Coding::Unsupported);
        QCOMPARE(Compression::codingOf("gzip, br"), Compression::Coding::Unsupported);
        QCOMPARE(
            Compression::narrowAcceptEncoding("gzip, deflate, br;q=1.0, zstd"), QByteArray("gzip, deflate"));
        QCOMPARE(Compression::narrowAcceptEncoding("br"), QByteArray());
        QCOMPARE(
            Compression::narrowAcceptEncoding("GZIP;q=0.5,identity"), QByteArray("GZIP;q=0.5, identity"));
    }

    void roundTrips_data()
    {
        QTest::addColumn<int>("coding");
        QTest::newRow("gzip") << int(Compression::Coding::Gzip);
        QTest::newRow("deflate") << int(Compression::Coding::Deflate);
    }

    void roundTrips()
    {
        QFETCH(int, coding);
        const auto c = Compression::Coding(coding);
        // Compressible and incompressible data, larger than one zlib output buffer.
        QByteArray data;
        for (int i = 0; i < 100000; ++i)
            data += "{\"n\":" + QByteArray::number(i) + "},";
        QByteArray noise(300000, Qt::Uninitialized);
        QRandomGenerator rng(42);
        for (char &ch : noise)
            ch = char(rng.bounded(256));
        data += noise;

        const QByteArray encoded = Compression::encode(c, data);
        QVERIFY(!encoded.isEmpty());
        QVERIFY(encoded != data);
        QString error;
        const std::optional<QByteArray> decoded = Compression::decode(c, encoded, -1, &error);
        QVERIFY2(decoded, qPrintable(error));
        QCOMPARE(decoded->size(), data.size());
        QVERIFY(*decoded == data);
        // gzip starts with its magic number, zlib deflate with a valid CMF/FLG pair.
        if (c == Compression::Coding::Gzip)
            QVERIFY(encoded.startsWith("\x1f\x8b"));
        else
            QCOMPARE((uchar(encoded[0]) * 256 + uchar(encoded[1])) % 31, 0);
    }

    void emptyInputRoundTrips()
    {
        const std::optional<QByteArray> d = Compression::gunzip(Compression::gzip(QByteArray()), 100);
        QVERIFY(d);
        QVERIFY(d->isEmpty());
    }

    void rawDeflateAccepted()
    {
        // A raw deflate stream (no zlib header), as some servers send for "deflate": strip the
        // 2-byte zlib header and 4-byte Adler-32 trailer from a zlib stream.
        const QByteArray text = QByteArray("hello raw deflate ").repeated(50);
        const QByteArray zlib = Compression::deflate(text);
        const QByteArray raw = zlib.mid(2, zlib.size() - 6);
        const std::optional<QByteArray> d = Compression::inflate(raw, -1);
        QVERIFY(d);
        QCOMPARE(*d, text);
    }

    void concatenatedGzipMembers()
    {
        const QByteArray twoMembers = Compression::gzip("first,") + Compression::gzip("second");
        const std::optional<QByteArray> d = Compression::gunzip(twoMembers, -1);
        QVERIFY(d);
        QCOMPARE(*d, QByteArray("first,second"));
    }

    void corruptTruncatedAndCapped()
    {
        const QByteArray data = QByteArray("x").repeated(1 << 20);
        const QByteArray gz = Compression::gzip(data);
        QString error;
        QVERIFY(!Compression::gunzip(gz.left(gz.size() / 2), -1, &error));
        QVERIFY2(error.contains("truncated"), qPrintable(error));

        QByteArray corrupt = gz;
        corrupt[12] = char(corrupt[12] ^ 0xff);
        corrupt[13] = char(corrupt[13] ^ 0xff);
        QVERIFY(!Compression::gunzip(corrupt, -1, &error));
        QVERIFY2(!error.isEmpty(), "corrupt data must say why");

        QVERIFY(!Compression::gunzip("not gzip at all", -1, &error));
        QVERIFY2(error.contains("corrupt"), qPrintable(error));

        // A 1 MiB expansion from ~1 KiB: the cap stops it.
        QVERIFY(gz.size() < 4096);
        QVERIFY(!Compression::gunzip(gz, 64 * 1024, &error));
        QVERIFY2(error.contains("exceeds 65536 bytes"), qPrintable(error));
        QVERIFY(Compression::gunzip(gz, 1 << 20));
        QVERIFY(!Compression::decode(Compression::Coding::Identity, data, 10, &error));
        QVERIFY(!Compression::decode(Compression::Coding::Unsupported, "abc", -1, &error));
        QVERIFY(error.contains("unsupported"));

        QVERIFY(!Compression::gunzip(gz + "trailing", -1, &error));
    }
};

QTEST_GUILESS_MAIN(TestCompression)
#include "tst_compression.moc"
