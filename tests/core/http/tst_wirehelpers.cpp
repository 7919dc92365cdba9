// The wire helpers in core/http that the filters, the gateway and the admin API share: the RFC 9110
// token and field-value checks, and turning configured hosts into addresses and socket addresses.
#include "core/http/HttpSyntax.h"
#include "core/http/SocketAddress.h"

#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>

using namespace portico::http;

class TestWireHelpers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tokens_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("token");
        QTest::newRow("name") << QByteArray("X-Request-Id") << true;
        QTest::newRow("every tchar") << QByteArray("!#$%&'*+-.^_`|~09azAZ") << true;
        QTest::newRow("method") << QByteArray("PATCH") << true;
        QTest::newRow("empty") << QByteArray() << false;
        QTest::newRow("space") << QByteArray("X Id") << false;
        QTest::newRow("colon") << QByteArray("Host:") << false;
        QTest::newRow("CRLF injection") << QByteArray("X\r\nInjected: 1") << false;
        QTest::newRow("NUL") << QByteArray("X\0Y", 3) << false;
        QTest::newRow("tab") << QByteArray("X\tY") << false;
        QTest::newRow("separators") << QByteArray("a(b)") << false;
        QTest::newRow("quote") << QByteArray("\"x\"") << false;
        QTest::newRow("slash") << QByteArray("a/b") << false;
        QTest::newRow("DEL") << QByteArray("a\x7f") << false;
        QTest::newRow("UTF-8") << QByteArray("caf\xc3\xa9") << false;
        QTest::newRow("high byte") << QByteArray("\xff") << false;
        QTest::newRow("long") << QByteArray(100000, 'a') << true;
    }
    void tokens()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, token);
        QCOMPARE(isToken(text), token);
    }

    void fieldValues()
    {
        QVERIFY(isFieldValue(""));
        QVERIFY(isFieldValue("text/html; charset=utf-8"));
        QVERIFY(isFieldValue("a\tb"));
        QVERIFY(isFieldValue("caf\xc3\xa9"));
        QVERIFY(!isFieldValue("a\r\nInjected: 1"));
        QVERIFY(!isFieldValue("a\nb"));
        QVERIFY(!isFieldValue("a\rb"));
        QVERIFY(!isFieldValue(QByteArray("a\0b", 3)));
    }

    void listenHosts()
    {
        QCOMPARE(resolveListenHost(QString()), QHostAddress(QHostAddress::AnyIPv4));
        QCOMPARE(resolveListenHost(QStringLiteral("*")), QHostAddress(QHostAddress::AnyIPv4));
        QCOMPARE(resolveListenHost(QStringLiteral("0.0.0.0")), QHostAddress(QHostAddress::AnyIPv4));
        QCOMPARE(resolveListenHost(QStringLiteral("localhost")), QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(resolveListenHost(QStringLiteral("127.0.0.2")), QHostAddress(QStringLiteral("127.0.0.2")));
        QCOMPARE(resolveListenHost(QStringLiteral("::1")), QHostAddress(QHostAddress::LocalHostIPv6));
    }

    void hosts()
    {
        QCOMPARE(resolveHost(QStringLiteral("10.1.2.3")), QHostAddress(QStringLiteral("10.1.2.3")));
        QCOMPARE(resolveHost(QStringLiteral("::1"), AddressPreference::IPv4),
            QHostAddress(QHostAddress::LocalHostIPv6));
        // A name: looked up (localhost is in every hosts file); IPv4 preferred when asked.
        const QHostAddress local = resolveHost(QStringLiteral("localhost"), AddressPreference::IPv4);
        QCOMPARE(local.protocol(), QAbstractSocket::IPv4Protocol);
        QVERIFY(local.isLoopback());
        // Hostile text is no address and no name: nothing, not a crash or a wrong address.
        QVERIFY(resolveHost(QStringLiteral("bad host\r\nname")).isNull());
        QVERIFY(resolveHost(QString(300, u'a') + QStringLiteral("..")).isNull());
    }

    void socketAddressesRoundTrip()
    {
        sockaddr_storage ss;
        QCOMPARE(
            toSockaddr(QHostAddress(QStringLiteral("192.0.2.7")), 8080, &ss), socklen_t(sizeof(sockaddr_in)));
        QCOMPARE(ss.ss_family, sa_family_t(AF_INET));
        QCOMPARE(ntohs(reinterpret_cast<const sockaddr_in *>(&ss)->sin_port), quint16(8080));
        auto [v4, v4port] = fromSockaddr(ss);
        QCOMPARE(v4, QHostAddress(QStringLiteral("192.0.2.7")));
        QCOMPARE(v4port, quint16(8080));

        QCOMPARE(toSockaddr(QHostAddress(QStringLiteral("2001:db8::5")), 443, &ss),
            socklen_t(sizeof(sockaddr_in6)));
        QCOMPARE(ss.ss_family, sa_family_t(AF_INET6));
        auto [v6, v6port] = fromSockaddr(ss);
        QCOMPARE(v6, QHostAddress(QStringLiteral("2001:db8::5")));
        QCOMPARE(v6port, quint16(443));

        // What a dual-stack socket reports for an IPv4 peer comes back as the IPv4 address.
        toSockaddr(QHostAddress(QStringLiteral("::ffff:198.51.100.1")), 1, &ss);
        const QHostAddress mapped = fromSockaddr(ss).first;
        QCOMPARE(mapped.protocol(), QAbstractSocket::IPv4Protocol);
        QCOMPARE(mapped, QHostAddress(QStringLiteral("198.51.100.1")));

        // A family this code does not know: no address, port 0.
        ss = {};
        ss.ss_family = AF_UNIX;
        QCOMPARE(fromSockaddr(ss).second, quint16(0));
    }
};

QTEST_GUILESS_MAIN(TestWireHelpers)
#include "tst_wirehelpers.moc"
