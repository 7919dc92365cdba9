// probeH2c against loopback servers that answer the preface in every way a peer might: an HTTP/2
// server's SETTINGS, an HTTP/1.1 error, a SETTINGS ACK or a frame on a stream, a close, silence.
#include "core/capture/H2cProbe.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <optional>

using namespace portico::capture;

class TstH2cProbe : public QObject
{
    Q_OBJECT

private:
    // Runs the probe against a server that answers `reply` once it has the client's first bytes
    // (nullopt: closes instead; empty: stays silent).
    static std::optional<bool> probe(const std::optional<QByteArray> &reply, QByteArray *received)
    {
        QTcpServer server;
        if (!server.listen(QHostAddress::LocalHost, 0))
            return std::nullopt;
        QObject::connect(&server, &QTcpServer::newConnection, &server, [&] {
            QTcpSocket *peer = server.nextPendingConnection();
            QObject::connect(peer, &QTcpSocket::readyRead, peer, [peer, reply, received] {
                *received += peer->readAll();
                if (!reply)
                    peer->close();
                else if (!reply->isEmpty())
                    peer->write(*reply);
            });
        });
        std::optional<bool> result;
        QObject context;
        probeH2c(&context, QStringLiteral("127.0.0.1"), server.serverPort(), std::chrono::milliseconds(500),
            [&result](bool yes) { result = yes; });
        if (!QTest::qWaitFor([&] { return result.has_value(); }, 5000))
            return std::nullopt;
        return result;
    }

private Q_SLOTS:
    void answers_data()
    {
        QTest::addColumn<std::optional<QByteArray>>("reply");
        QTest::addColumn<bool>("speaksH2c");
        QTest::newRow("settings") << std::optional(QByteArray("\0\0\x06\x04\0\0\0\0\0\0\x03\0\0\0\x64", 15))
                                  << true;
        QTest::newRow("http/1.1 400")
            << std::optional(QByteArray("HTTP/1.1 400 Bad Request\r\n\r\n")) << false;
        QTest::newRow("settings ack") << std::optional(QByteArray("\0\0\0\x04\x01\0\0\0\0", 9)) << false;
        QTest::newRow("settings on a stream")
            << std::optional(QByteArray("\0\0\0\x04\0\0\0\0\x01", 9)) << false;
        QTest::newRow("goaway") << std::optional(QByteArray("\0\0\x08\x07\0\0\0\0\0\0\0\0\0\0\0\0\x01", 17))
                                << false;
        QTest::newRow("short") << std::optional(QByteArray("\0\0", 2)) << false;
        QTest::newRow("close") << std::optional<QByteArray>() << false;
        QTest::newRow("silence") << std::optional(QByteArray()) << false;
    }

    void answers()
    {
        QFETCH(std::optional<QByteArray>, reply);
        QFETCH(bool, speaksH2c);
        QByteArray received;
        const std::optional<bool> result = probe(reply, &received);
        QVERIFY(result.has_value());
        QCOMPARE(*result, speaksH2c);
        QVERIFY(received.startsWith("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
    }

    void nobodyListening()
    {
        quint16 port = 0;
        {
            QTcpServer gone;
            QVERIFY(gone.listen(QHostAddress::LocalHost, 0));
            port = gone.serverPort();
        }
        std::optional<bool> result;
        QObject context;
        probeH2c(&context, QStringLiteral("127.0.0.1"), port, std::chrono::milliseconds(2000),
            [&result](bool yes) { result = yes; });
        QVERIFY(!result.has_value()); // never before probeH2c returns
        QTRY_VERIFY(result.has_value());
        QCOMPARE(*result, false);
    }
};

QTEST_GUILESS_MAIN(TstH2cProbe)
#include "tst_h2cprobe.moc"
