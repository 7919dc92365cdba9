// The forward proxy's local CA (core/proxy/LocalCa): created once with a private key file,
// loaded again as the same CA, refused when its files are broken, and minting leaves that an
// independent verifier (the openssl command) accepts for the host they name and for nothing
// else. Host names come from clients' CONNECT lines and SNI: hostile ones get no certificate.
#include "core/proxy/LocalCa.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

#include <thread>
#include <vector>

using namespace portico::proxy;

namespace {

// `openssl verify` of `leafPem` against `caPem` for `host`: empty when it passes, else its words.
QString verify(const QTemporaryDir &dir, const QByteArray &caPem, const QByteArray &leafPem, const QString &host)
{
    const QString ca = dir.filePath(QStringLiteral("verify-ca.pem"));
    const QString leaf = dir.filePath(QStringLiteral("verify-leaf.pem"));
    for (const auto &[path, pem] : { std::pair { ca, caPem }, std::pair { leaf, leafPem } }) {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(pem) != pem.size())
            return QStringLiteral("cannot write %1").arg(path);
    }
    const bool ip = host.contains(QLatin1Char(':')) || host.front().isDigit();
    QProcess p;
    p.start(QStringLiteral("openssl"),
        { QStringLiteral("verify"), QStringLiteral("-purpose"), QStringLiteral("sslserver"), QStringLiteral("-CAfile"), ca,
            ip ? QStringLiteral("-verify_ip") : QStringLiteral("-verify_hostname"), host, leaf });
    if (!p.waitForFinished(10000))
        return QStringLiteral("openssl did not finish");
    const QByteArray out = p.readAllStandardOutput() + p.readAllStandardError();
    return p.exitCode() == 0 && out.contains(": OK") ? QString() : QString::fromUtf8(out);
}

QByteArray certText(const QTemporaryDir &dir, const QByteArray &pem)
{
    const QString path = dir.filePath(QStringLiteral("text.pem"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    f.write(pem);
    f.close();
    QProcess p;
    p.start(QStringLiteral("openssl"), { QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-text"),
                                           QStringLiteral("-in"), path });
    p.waitForFinished(10000);
    return p.readAllStandardOutput();
}

} // namespace

class TestLocalCa : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    CaFiles m_files;
    std::shared_ptr<LocalCa> m_ca;

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QFAIL("the openssl command is needed (Debian package openssl)");
        QVERIFY(m_dir.isValid());
        m_files = { m_dir.filePath(QStringLiteral("ca/portico-ca.pem")), m_dir.filePath(QStringLiteral("ca/portico-ca-key.pem")) };
        QString error;
        bool created = false;
        m_ca = LocalCa::loadOrCreate(m_files, &error, &created);
        QVERIFY2(m_ca, qPrintable(error));
        QVERIFY(created);
    }

    void createdOnceWithAPrivateKeyFile()
    {
        struct stat st = {};
        QCOMPARE(::stat(QFile::encodeName(m_files.keyPath).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        QVERIFY(m_ca->subjectName().contains(QStringLiteral("Portico Local CA")));
        QVERIFY(m_ca->notAfter() > QDateTime::currentDateTimeUtc().addYears(9));
        const QByteArray text = certText(m_dir, m_ca->certificatePem());
        QVERIFY2(text.contains("CA:TRUE"), text.constData());
        QVERIFY2(text.contains("Certificate Sign"), text.constData());

        // Loaded again: the same CA, not a new one (that would make users trust it again).
        QString error;
        bool created = true;
        const auto again = LocalCa::loadOrCreate(m_files, &error, &created);
        QVERIFY2(again, qPrintable(error));
        QVERIFY(!created);
        QCOMPARE(again->sha256Fingerprint(), m_ca->sha256Fingerprint());
        QCOMPARE(again->certificatePem(), m_ca->certificatePem());
    }

    void leavesVerifyForTheirHostOnly_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<QString>("verifiedAs");
        QTest::newRow("dns") << QStringLiteral("api.example.com") << QStringLiteral("api.example.com");
        QTest::newRow("upper case, trailing dot") << QStringLiteral("API.Example.COM.") << QStringLiteral("api.example.com");
        QTest::newRow("ipv4") << QStringLiteral("127.0.0.1") << QStringLiteral("127.0.0.1");
        QTest::newRow("ipv6 in brackets") << QStringLiteral("[::1]") << QStringLiteral("::1");
        QTest::newRow("idn") << QStringLiteral("b\u00fccher.example") << QStringLiteral("xn--bcher-kva.example");
        QTest::newRow("underscore") << QStringLiteral("my_service.local") << QStringLiteral("my_service.local");
    }

    void leavesVerifyForTheirHostOnly()
    {
        QFETCH(QString, host);
        QFETCH(QString, verifiedAs);
        QString error;
        const auto leaf = m_ca->leafFor(host, &error);
        QVERIFY2(leaf, qPrintable(error));
        const QString failed = verify(m_dir, m_ca->certificatePem(), leaf->certificatePem, verifiedAs);
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
        // Not for another host.
        QVERIFY(!verify(m_dir, m_ca->certificatePem(), leaf->certificatePem, QStringLiteral("other.example")).isEmpty());
        const QByteArray text = certText(m_dir, leaf->certificatePem);
        QVERIFY2(text.contains("TLS Web Server Authentication"), text.constData());
        QVERIFY2(text.contains("CA:FALSE"), text.constData());
        QVERIFY2(leaf->keyPem.contains("PRIVATE KEY"), "no key");
    }

    void leafValidityIsShortAndBackdated()
    {
        QString error;
        const auto leaf = m_ca->leafFor(QStringLiteral("dates.example"), &error);
        QVERIFY2(leaf, qPrintable(error));
        const QString path = m_dir.filePath(QStringLiteral("dates.pem"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(leaf->certificatePem);
        f.close();
        // Valid from an hour ago (a client with a slow clock) and not beyond 31 days.
        for (const auto &[seconds, expected] : { std::pair { -3600, 0 }, std::pair { 31 * 86400, 1 } }) {
            QProcess p;
            p.start(QStringLiteral("openssl"), { QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-in"), path,
                                                   QStringLiteral("-checkend"), QString::number(seconds) });
            QVERIFY(p.waitForFinished(10000));
            QCOMPARE(p.exitCode(), expected);
        }
        QVERIFY2(verify(m_dir, m_ca->certificatePem(), leaf->certificatePem, QStringLiteral("dates.example")).isEmpty(),
            "not valid now");
    }

    void hostileHostsGetNoCertificate_data()
    {
        QTest::addColumn<QString>("host");
        QTest::newRow("empty") << QString();
        QTest::newRow("wildcard") << QStringLiteral("*.example.com");
        QTest::newRow("space") << QStringLiteral("a b.example");
        QTest::newRow("newline") << QStringLiteral("a.example\nDNS:evil.example");
        QTest::newRow("comma injection") << QStringLiteral("a.example,DNS:evil.example");
        QTest::newRow("nul") << QStringLiteral("a.example") + QChar(0) + QStringLiteral("evil");
        QTest::newRow("empty label") << QStringLiteral("a..example");
        QTest::newRow("label over 63") << QString(64, QLatin1Char('a')) + QStringLiteral(".example");
        QTest::newRow("name over 253") << (QString(60, QLatin1Char('a')) + QLatin1Char('.')).repeated(5);
        QTest::newRow("slash") << QStringLiteral("a.example/path");
        QTest::newRow("colon port") << QStringLiteral("a.example:443");
    }

    void hostileHostsGetNoCertificate()
    {
        QFETCH(QString, host);
        QString error;
        QVERIFY(!m_ca->leafFor(host, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!error.contains(QLatin1Char('\n')));
    }

    void leavesAreCachedLeastRecentlyUsedFirstOut()
    {
        QString error;
        const auto a = m_ca->leafFor(QStringLiteral("cache-a.example"), &error);
        QVERIFY(a);
        QCOMPARE(m_ca->leafFor(QStringLiteral("CACHE-A.example"), &error)->certificatePem, a->certificatePem);
        m_ca->setCacheCapacity(2);
        m_ca->leafFor(QStringLiteral("cache-b.example"), &error);
        m_ca->leafFor(QStringLiteral("cache-a.example"), &error); // a is the most recent again
        m_ca->leafFor(QStringLiteral("cache-c.example"), &error); // b goes
        QCOMPARE(m_ca->cachedLeaves(), 2);
        QCOMPARE(m_ca->leafFor(QStringLiteral("cache-a.example"), &error)->certificatePem, a->certificatePem);
        m_ca->setCacheCapacity(1024);
    }

    // A cached leaf is served until a day before it expires (30 days), then minted anew: a
    // Portico left running for weeks must not hand out an expired certificate.
    void cachedLeavesAreRenewedBeforeTheyExpire()
    {
        QString error;
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto first = m_ca->leafFor(QStringLiteral("renew.example"), &error, now);
        QVERIFY2(first, qPrintable(error));
        const qint64 day = 24 * 3600;
        QVERIFY(first->renewAfter > now + 28 * day && first->renewAfter <= now + 29 * day);
        QVERIFY(first->renewAfter < m_ca->notAfter().toSecsSinceEpoch());
        const auto sameWeek = m_ca->leafFor(QStringLiteral("renew.example"), &error, now + 7 * day);
        QCOMPARE(sameWeek->certificatePem, first->certificatePem);
        const auto later = m_ca->leafFor(QStringLiteral("renew.example"), &error, first->renewAfter);
        QVERIFY2(later, qPrintable(error));
        QVERIFY(later->certificatePem != first->certificatePem);
        QVERIFY(later->renewAfter > first->renewAfter);
        // The renewed one is what the cache holds now.
        const auto again = m_ca->leafFor(QStringLiteral("renew.example"), &error, first->renewAfter + day);
        QCOMPARE(again->certificatePem, later->certificatePem);
    }

    void mintedFromManyThreadsAtOnce()
    {
        std::vector<std::thread> threads;
        std::atomic<int> failures { 0 };
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([this, t, &failures] {
                QString error;
                for (int i = 0; i < 50; ++i) {
                    if (!m_ca->leafFor(QStringLiteral("h%1.threads.example").arg((i * 7 + t) % 30), &error))
                        ++failures;
                }
            });
        }
        for (std::thread &t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);
    }

    void brokenFilesAreRefusedByName()
    {
        QTemporaryDir dir;
        const CaFiles files { dir.filePath(QStringLiteral("ca.pem")), dir.filePath(QStringLiteral("key.pem")) };
        QString error;
        // One without the other.
        QFile::copy(m_files.certPath, files.certPath);
        QVERIFY(!LocalCa::loadOrCreate(files, &error));
        QVERIFY2(error.contains(files.certPath) && error.contains(files.keyPath), qPrintable(error));
        // A key that is not the certificate's (another CA's).
        QTemporaryDir other;
        const CaFiles otherFiles { other.filePath(QStringLiteral("ca.pem")), other.filePath(QStringLiteral("key.pem")) };
        QVERIFY(LocalCa::loadOrCreate(otherFiles, &error));
        QFile::copy(otherFiles.keyPath, files.keyPath);
        QVERIFY(!LocalCa::loadOrCreate(files, &error));
        QVERIFY2(error.contains(QStringLiteral("does not belong")), qPrintable(error));
        // Garbage.
        QFile::remove(files.certPath);
        QFile garbage(files.certPath);
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        garbage.close();
        QVERIFY(!LocalCa::loadOrCreate(files, &error));
        QVERIFY2(error.contains(files.certPath) && error.contains(QStringLiteral("not a PEM certificate")), qPrintable(error));
        // A leaf is not a CA.
        const auto leaf = m_ca->leafFor(QStringLiteral("notaca.example"), &error);
        QVERIFY(leaf);
        QFile::remove(files.certPath);
        QFile::remove(files.keyPath);
        QFile c(files.certPath), k(files.keyPath);
        QVERIFY(c.open(QIODevice::WriteOnly) && k.open(QIODevice::WriteOnly));
        c.write(leaf->certificatePem);
        k.write(leaf->keyPem);
        c.close();
        k.close();
        QVERIFY(!LocalCa::loadOrCreate(files, &error));
        QVERIFY2(error.contains(QStringLiteral("not a CA certificate")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestLocalCa)
#include "tst_local_ca.moc"
