// The protocol a client spoke, as the gateway records it: the capture row's protocol column, the
// filter protocol:, HAR httpVersion and the protocol label of portico_requests_total, for a real
// HTTP/2 client (curl --http2-prior-knowledge) and a plain HTTP/1.1 request on the same listener.
#include "FilterItKit.h"
#include "core/capture/Har.h"

#include <QBuffer>
#include <QProcess>
#include <QStandardPaths>

using namespace portico;
using namespace portico::test;

namespace {

// The status line curl printed (-D -), or what went wrong.
QByteArray curlStatusLine(const QStringList &args, const QString &url)
{
    QProcess p;
    p.start(QStringLiteral("curl"),
        QStringList { "-sS", "-o", "/dev/null", "-D", "-", "--max-time", "10" } + args + QStringList { url });
    if (!p.waitForFinished(15000)) {
        p.kill();
        return "curl did not finish";
    }
    const QByteArray out = p.readAllStandardOutput();
    return out.isEmpty() ? p.readAllStandardError() : out.left(out.indexOf('\r'));
}

} // namespace

class TestGatewayHttp2Capture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty())
            QFAIL("curl is needed: bash packaging/install-deps.sh");
    }

    void recordsTheProtocolTheClientSpoke()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        const QString problems = gw.start(gatewayHeaderWithCapture(QStringLiteral("  http2: true\n"))
            + QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), upstream)
            + QStringLiteral("routes:\n  - {name: all, match: {path: /api}, upstream: up}\n"));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(gw.port());

        const QByteArray h2
            = curlStatusLine({ "--http2-prior-knowledge" }, base + QStringLiteral("/api/two"));
        QVERIFY2(h2.startsWith("HTTP/2 200"), h2.constData());
        const QByteArray h1 = curlStatusLine({ "--http1.1" }, base + QStringLiteral("/api/one"));
        QVERIFY2(h1.startsWith("HTTP/1.1 200"), h1.constData());
        // The gateway's own answer (no route) is recorded with the protocol too.
        const QByteArray missing
            = curlStatusLine({ "--http2-prior-knowledge" }, base + QStringLiteral("/nowhere"));
        QVERIFY2(missing.startsWith("HTTP/2 404"), missing.constData());

        QHash<QString, QString> protocolByPath;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                protocolByPath.clear();
                for (const capture::Exchange &e : capturedExchanges(gw))
                    protocolByPath.insert(e.path, e.protocol);
                return protocolByPath.size() == 3;
            }(),
            5000);
        QCOMPARE(protocolByPath.value(QStringLiteral("/api/two")), QStringLiteral("HTTP/2"));
        QCOMPARE(protocolByPath.value(QStringLiteral("/api/one")), QStringLiteral("HTTP/1.1"));
        QCOMPARE(protocolByPath.value(QStringLiteral("/nowhere")), QStringLiteral("HTTP/2"));

        capture::CaptureReader reader;
        QVERIFY(reader.open(gw.dir().path(QStringLiteral("traffic.db"))));
        const auto h2Rows
            = reader.list(*capture::FilterExpression::parse(QStringLiteral("protocol:HTTP/2")), 10);
        QCOMPARE(h2Rows.size(), 2);
        for (const capture::ExchangeSummary &s : h2Rows)
            QCOMPARE(s.protocol, QStringLiteral("HTTP/2"));
        const auto h1Rows
            = reader.list(*capture::FilterExpression::parse(QStringLiteral("protocol:HTTP/1.1")), 10);
        QCOMPARE(h1Rows.size(), 1);
        QCOMPARE(h1Rows.first().path, QStringLiteral("/api/one"));

        QBuffer har;
        har.open(QIODevice::WriteOnly);
        QCOMPARE(capture::exportHar(
                     reader, *capture::FilterExpression::parse(QStringLiteral("path:/api/two")), &har),
            1);
        const QJsonObject entry
            = QJsonDocument::fromJson(har.data())[QStringLiteral("log")][QStringLiteral("entries")][0]
                  .toObject();
        QCOMPARE(entry[QStringLiteral("request")][QStringLiteral("httpVersion")].toString(),
            QStringLiteral("HTTP/2"));

        const auto &metrics = gw.gateway().metrics();
        QCOMPARE(metrics.sumCounter("portico_requests_total", { { "protocol", "HTTP/2" } }), 2u);
        QCOMPARE(
            metrics.sumCounter("portico_requests_total", { { "protocol", "HTTP/1.1" }, { "route", "all" } }),
            1u);
    }
};

QTEST_GUILESS_MAIN(TestGatewayHttp2Capture)
#include "tst_gateway_http2_capture.moc"
