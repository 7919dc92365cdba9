// TlsTransport (OpenSSL on a non-blocking descriptor) against real peers on loopback: a round trip
// with ALPN, and hostile or broken peers: garbage instead of a ClientHello, a peer that stops in
// the middle of its hello, a client that refuses the certificate (reasons recorded on both
// sides), and a large write to a peer that does not read (the queue is what pending() reports,
// and every byte arrives once the peer reads).
#include "core/http/TlsContext.h"
#include "core/http/TlsTransport.h"
#include "support/SelfSignedCert.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace portico;
using namespace portico::http;

namespace {

// Hands out accepted descriptors instead of QTcpSockets.
class DescriptorServer : public QTcpServer
{
public:
    QList<int> accepted;

protected:
    void incomingConnection(qintptr fd) override { accepted.append(int(fd)); }
};

// Reads everything a transport offers into `sink`; notes EOF and errors.
struct Reader
{
    QByteArray sink;
    bool eof = false;
    QByteArray error;
    bool connected = false;
    int drained = 0;

    void attach(Transport &t)
    {
        t.onReadable = [this, &t] {
            char buffer[16384];
            for (;;) {
                const qint64 n = t.read(buffer, sizeof(buffer));
                if (n > 0) {
                    sink.append(buffer, n);
                    continue;
                }
                if (n < 0)
                    eof = true;
                return;
            }
        };
        t.onError = [this](const char *reason) { error = reason; };
        t.onConnected = [this] { connected = true; };
        t.onDrained = [this] { ++drained; };
    }
};

} // namespace

class TestTlsTransport : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    test::SelfSignedCert::Files m_files;
    std::shared_ptr<const TlsContext> m_server;
    std::shared_ptr<const TlsContext> m_trustingClient; // trusts the certificate, offers h2
    DescriptorServer m_listener;

    int acceptOne()
    {
        const int before = int(m_listener.accepted.size());
        if (!QTest::qWaitFor([&] { return m_listener.accepted.size() > before; }, 5000))
            return -1;
        return m_listener.accepted.last();
    }

    std::shared_ptr<const TlsContext> clientContext(bool trust, const QList<QByteArray> &alpn)
    {
        QSslConfiguration c = QSslConfiguration::defaultConfiguration();
        c.setPeerVerifyMode(QSslSocket::VerifyPeer);
        if (trust)
            c.addCaCertificates(m_files.certPath);
        c.setAllowedNextProtocols(alpn);
        return TlsContext::client(c);
    }

    // A connected pair: client and server transports with their readers, handshake done.
    struct Pair
    {
        std::unique_ptr<TlsTransport> client, server;
        Reader clientSide, serverSide;
    };
    std::unique_ptr<Pair> connectedPair()
    {
        auto p = std::make_unique<Pair>();
        QString error;
        p->client.reset(TlsTransport::connectTo(QHostAddress::LocalHost, m_listener.serverPort(),
            QStringLiteral("localhost"), m_trustingClient, &error));
        if (!p->client)
            return nullptr;
        p->clientSide.attach(*p->client);
        const int fd = acceptOne();
        if (fd < 0)
            return nullptr;
        p->server.reset(TlsTransport::serverSide(fd, m_server));
        p->serverSide.attach(*p->server);
        if (!QTest::qWaitFor([&] { return p->clientSide.connected && p->server->handshakeDone(); }, 5000))
            return nullptr;
        return p;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(test::SelfSignedCert::write(m_dir.path(), &m_files, &error), qPrintable(error));
        QFile cert(m_files.certPath);
        QFile key(m_files.keyPath);
        QVERIFY(cert.open(QIODevice::ReadOnly) && key.open(QIODevice::ReadOnly));
        m_server = TlsContext::server(cert.readAll(), key.readAll(), { "h2", "http/1.1" }, &error);
        QVERIFY2(m_server, qPrintable(error));
        m_trustingClient = clientContext(true, { "h2" });
        QVERIFY(m_trustingClient);
        QVERIFY(m_listener.listen(QHostAddress::LocalHost));
    }

    void badKeyOrCertificateIsAnError()
    {
        QString error;
        QVERIFY(!TlsContext::server("not a certificate", "not a key", {}, &error));
        QVERIFY2(error.startsWith(QStringLiteral("TLS certificate: ")), qPrintable(error));
        QFile cert(m_files.certPath);
        QVERIFY(cert.open(QIODevice::ReadOnly));
        QVERIFY(!TlsContext::server(
            cert.readAll(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", {}, &error));
        QVERIFY2(error.startsWith(QStringLiteral("TLS private key: ")), qPrintable(error));
    }

    void roundTripWithAlpn()
    {
        auto p = connectedPair();
        QVERIFY(p);
        QCOMPARE(p->client->negotiatedProtocol(), QByteArray("h2"));
        QCOMPARE(p->server->negotiatedProtocol(), QByteArray("h2"));
        p->client->send("GET / HTTP/1.1\r\n\r\n", QByteArray(40000, 'b')); // head + body > one record
        QTRY_COMPARE(p->serverSide.sink.size(), 18 + 40000);
        QVERIFY(p->serverSide.sink.startsWith("GET / HTTP/1.1\r\n\r\nbbbb"));
        p->server->send("answer");
        QTRY_COMPARE(p->clientSide.sink, QByteArray("answer"));
        p->client->close(true); // close_notify, then the descriptor
        QTRY_VERIFY(p->serverSide.eof);
        QVERIFY(p->serverSide.error.isEmpty());
        QVERIFY(p->clientSide.error.isEmpty());
    }

    void alpnWithNothingInCommonIsNoAlpn()
    {
        QString error;
        std::unique_ptr<TlsTransport> client(TlsTransport::connectTo(QHostAddress::LocalHost,
            m_listener.serverPort(), QStringLiteral("localhost"), clientContext(true, { "spdy/3" }), &error));
        QVERIFY(client);
        Reader c;
        c.attach(*client);
        std::unique_ptr<TlsTransport> server(TlsTransport::serverSide(acceptOne(), m_server));
        QVERIFY(server);
        Reader s;
        s.attach(*server);
        QTRY_VERIFY(c.connected);
        QVERIFY(client->negotiatedProtocol().isEmpty());
        QVERIFY(server->negotiatedProtocol().isEmpty());
    }

    void garbageInsteadOfClientHello()
    {
        QTcpSocket peer;
        peer.connectToHost(QHostAddress::LocalHost, m_listener.serverPort());
        QVERIFY(peer.waitForConnected(5000));
        std::unique_ptr<TlsTransport> server(TlsTransport::serverSide(acceptOne(), m_server));
        QVERIFY(server);
        Reader s;
        s.attach(*server);
        peer.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + QByteArray(3000, '\0'));
        QTRY_VERIFY(!s.error.isEmpty());
        QVERIFY2(s.error.startsWith("TLS handshake failed: "), s.error.constData());
        QVERIFY(!server->isOpen());
        QCOMPARE(server->read(nullptr, 0), -1);
        QTRY_COMPARE(peer.state(), QAbstractSocket::UnconnectedState); // closed on the peer
        server->send("nothing goes out now"); // harmless after the failure
        QCOMPARE(server->pending(), 0);
    }

    void peerThatStopsMidHandshakeBlocksNothing()
    {
        QTcpSocket peer;
        peer.connectToHost(QHostAddress::LocalHost, m_listener.serverPort());
        QVERIFY(peer.waitForConnected(5000));
        std::unique_ptr<TlsTransport> server(TlsTransport::serverSide(acceptOne(), m_server));
        QVERIFY(server);
        Reader s;
        s.attach(*server);
        // The first bytes of a ClientHello record (announcing 512 bytes), then nothing.
        peer.write(QByteArray::fromHex("160301020001"));
        QVERIFY(peer.waitForBytesWritten(5000));
        bool ticked = false;
        QTimer::singleShot(100, [&ticked] { ticked = true; });
        QTRY_VERIFY(ticked); // the loop runs: nothing waits for the peer
        QVERIFY(!server->handshakeDone());
        QVERIFY(server->isOpen());
        QVERIFY(s.sink.isEmpty() && s.error.isEmpty() && !s.eof);
        server->send("queued until the handshake ends");
        QVERIFY(server->pending() > 0);
        server->close(false); // what the owner's header timeout does
        QVERIFY(!server->isOpen());
        QTRY_COMPARE(peer.state(), QAbstractSocket::UnconnectedState);
    }

    void peerThatLeavesMidHandshakeIsAnEndOfStream()
    {
        auto *peer = new QTcpSocket;
        peer->connectToHost(QHostAddress::LocalHost, m_listener.serverPort());
        QVERIFY(peer->waitForConnected(5000));
        std::unique_ptr<TlsTransport> server(TlsTransport::serverSide(acceptOne(), m_server));
        Reader s;
        s.attach(*server);
        peer->write(QByteArray::fromHex("160301020001"));
        QVERIFY(peer->waitForBytesWritten(5000));
        delete peer;
        QTRY_VERIFY(s.eof);
        QVERIFY(s.error.isEmpty());
    }

    void clientThatRejectsTheCertificate()
    {
        QString error;
        std::unique_ptr<TlsTransport> client(TlsTransport::connectTo(QHostAddress::LocalHost,
            m_listener.serverPort(), QStringLiteral("localhost"), clientContext(false, {}), &error));
        QVERIFY(client);
        Reader c;
        c.attach(*client);
        std::unique_ptr<TlsTransport> server(TlsTransport::serverSide(acceptOne(), m_server));
        Reader s;
        s.attach(*server);
        QTRY_VERIFY(!c.error.isEmpty() && !s.error.isEmpty());
        QVERIFY2(c.error.startsWith("TLS certificate verification failed: "), c.error.constData());
        QVERIFY2(c.error.contains("self-signed"), c.error.constData());
        // The server learns why from the client's alert, in OpenSSL's words.
        QVERIFY2(s.error.startsWith("TLS handshake failed: ") && s.error.contains("unknown ca"),
            s.error.constData());
        QVERIFY(!c.connected);
    }

    void certificateForAnotherNameIsRefused()
    {
        QString error;
        std::unique_ptr<TlsTransport> client(TlsTransport::connectTo(QHostAddress::LocalHost,
            m_listener.serverPort(), QStringLiteral("other.example"), m_trustingClient, &error));
        QVERIFY(client);
        Reader c;
        c.attach(*client);
        std::unique_ptr<TlsTransport> server(TlsTransport::serverSide(acceptOne(), m_server));
        Reader s;
        s.attach(*server);
        QTRY_VERIFY(!c.error.isEmpty());
        QVERIFY2(c.error == "TLS certificate verification failed: hostname mismatch", c.error.constData());
        // An IP address literal is checked against the certificate's IP entries.
        std::unique_ptr<TlsTransport> byIp(TlsTransport::connectTo(QHostAddress::LocalHost,
            m_listener.serverPort(), QStringLiteral("127.0.0.1"), m_trustingClient, &error));
        Reader i;
        i.attach(*byIp);
        std::unique_ptr<TlsTransport> server2(TlsTransport::serverSide(acceptOne(), m_server));
        Reader s2;
        s2.attach(*server2);
        QTRY_VERIFY(i.connected);
    }

    void emptyOrInvalidPeerNameIsRefusedUpFront()
    {
        for (const QString &name : { QString(), QStringLiteral("bad..name"), QString(300, u'a') }) {
            QString error;
            std::unique_ptr<TlsTransport> client(TlsTransport::connectTo(
                QHostAddress::LocalHost, m_listener.serverPort(), name, m_trustingClient, &error));
            QVERIFY2(!client, qPrintable(name));
            QVERIFY2(error.contains(QStringLiteral("not a host name")), qPrintable(error));
        }
    }

    void connectionRefused()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 port = closed.serverPort();
        closed.close();
        QString error;
        std::unique_ptr<TlsTransport> client(TlsTransport::connectTo(
            QHostAddress::LocalHost, port, QStringLiteral("localhost"), m_trustingClient, &error));
        QVERIFY(client);
        Reader c;
        c.attach(*client);
        QTRY_COMPARE(c.error, QByteArray("connection refused"));
    }

    void hugeWriteToASlowReaderStaysQueuedAndArrivesWhole()
    {
        auto p = connectedPair();
        QVERIFY(p);
        p->client->setReadEnabled(false); // a peer that does not read
        QByteArray big(16 * 1024 * 1024, Qt::Uninitialized);
        for (qsizetype i = 0; i < big.size(); ++i)
            big[i] = char((i * 7) ^ (i >> 11));
        p->server->send("head\r\n\r\n", big);
        // What the kernel did not take stays in the transport's queue and pending() says so:
        // the owner pauses its producer on it (nothing else buffers the rest).
        const qint64 queued = p->server->pending();
        QVERIFY2(queued > 2 * 1024 * 1024, QByteArray::number(queued).constData());
        QVERIFY(queued <= big.size());
        QTest::qWait(50);
        QVERIFY(p->server->pending() <= queued);
        QVERIFY(p->server->pending() > 0); // nothing drains it while the peer does not read
        p->client->setReadEnabled(true);
        QTRY_VERIFY_WITH_TIMEOUT(p->clientSide.sink.size() == big.size() + 8, 20000);
        QCOMPARE(QCryptographicHash::hash(p->clientSide.sink.mid(8), QCryptographicHash::Sha256),
            QCryptographicHash::hash(big, QCryptographicHash::Sha256));
        QCOMPARE(p->server->pending(), 0);
        QVERIFY(p->serverSide.drained > 0);
    }

    void pausedReadsDeliverWhatOpenSslHolds()
    {
        auto p = connectedPair();
        QVERIFY(p);
        p->server->setReadEnabled(false);
        p->client->send("one");
        p->client->send("two");
        QTest::qWait(50);
        QVERIFY(p->serverSide.sink.isEmpty());
        p->server->setReadEnabled(true);
        QTRY_COMPARE(p->serverSide.sink, QByteArray("onetwo"));
    }

    void gracefulCloseWaitsForTheQueue()
    {
        auto p = connectedPair();
        QVERIFY(p);
        p->client->setReadEnabled(false);
        const QByteArray big(8 * 1024 * 1024, 'z');
        p->server->send(big);
        QVERIFY(p->server->pending() > 0);
        p->server->close(true); // still open until the queue is written
        QVERIFY(p->server->isOpen());
        p->client->setReadEnabled(true);
        QTRY_VERIFY_WITH_TIMEOUT(p->clientSide.eof, 20000);
        QCOMPARE(p->clientSide.sink.size(), big.size());
        QVERIFY(!p->server->isOpen());
    }

    void shutdownWriteIsAHalfClose()
    {
        auto p = connectedPair();
        QVERIFY(p);
        p->client->shutdownWrite();
        QTRY_VERIFY(p->serverSide.eof);
        p->server->send("still heard"); // the other direction goes on
        QTRY_COMPARE(p->clientSide.sink, QByteArray("still heard"));
    }
};

QTEST_MAIN(TestTlsTransport)
#include "tst_tls_transport.moc"
