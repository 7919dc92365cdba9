// The protocol a client spoke, as the gateway records it: the capture row's protocol column, the
// filter protocol:, HAR httpVersion and the protocol label of portico_requests_total, for a real
// HTTP/2 client (curl --http2-prior-knowledge) and a plain HTTP/1.1 request on the same listener.
#include "FilterItKit.h"
#include "core/capture/Har.h"
#include "core/capture/Replayer.h"

#include <QBuffer>
#include <QProcess>
#include <QSignalSpy>
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

    // gateway.http2 on, capture on, /api to `upstream`; the problems, if any.
    static QString startHttp2(GatewayHarness &gw, const LoopbackUpstream &upstream)
    {
        return gw.start(gatewayHeaderWithCapture(QStringLiteral("  http2: true\n"))
            + QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), upstream)
            + QStringLiteral("routes:\n  - {name: all, match: {path: /api}, upstream: up}\n"));
    }

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
        const QString problems = startHttp2(gw, upstream);
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

    // An HTTP/2 :method is any token: a client inventing one per request must not add a series to
    // portico_requests_total each time (unbounded memory, an ever longer /metrics). Registered
    // methods keep their label, the rest count as _OTHER; the capture keeps what was sent.
    void inventedMethodsShareOneMetricsLabel()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        const QString problems = startHttp2(gw, upstream);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        const QString url = QStringLiteral("http://127.0.0.1:%1/api/m").arg(gw.port());
        const QStringList invented { "FOO1", "FOO2", "X-ANYTHING" };
        for (const QString &method : invented) {
            const QByteArray status = curlStatusLine({ "--http2-prior-knowledge", "-X", method }, url);
            QVERIFY2(status.startsWith("HTTP/2 200"), status.constData());
        }
        const QByteArray get = curlStatusLine({ "--http2-prior-knowledge" }, url);
        QVERIFY2(get.startsWith("HTTP/2 200"), get.constData());

        const auto &metrics = gw.gateway().metrics();
        QTRY_COMPARE_WITH_TIMEOUT(
            metrics.sumCounter("portico_requests_total", { { "route", "all" } }), 4u, 5000);
        QCOMPARE(metrics.sumCounter("portico_requests_total", { { "method", "_OTHER" } }), 3u);
        QCOMPARE(metrics.sumCounter("portico_requests_total", { { "method", "GET" } }), 1u);
        for (const QString &method : invented)
            QCOMPARE(metrics.sumCounter("portico_requests_total", { { "method", method.toLatin1() } }), 0u);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QStringList methods;
                for (const capture::Exchange &e : capturedExchanges(gw))
                    methods.append(e.method);
                return methods.contains(u"FOO1") && methods.contains(u"X-ANYTHING");
            }(),
            5000);
    }

    // A slow HTTP/2 reader (curl --limit-rate, which opens a large window) of a fast upstream: the
    // gateway reads the upstream only as fast as the client takes the body, so the exchange lasts
    // about as long as the download. It used to read the upstream until its socket was empty
    // whatever the client's pace, holding the rest of the body in memory: the exchange ended in
    // a few milliseconds with tens of megabytes queued.
    void slowReaderPacesTheUpstream()
    {
        LoopbackUpstream upstream;
        GatewayHarness gw;
        const QString problems = startHttp2(gw, upstream);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        // 64 MiB at 32 MiB/s: kernel buffers on both sides hold ~20 MiB at most, so at least
        // ~1.3 s of the download happens after the gateway could have read the whole body.
        const qint64 size = 64 * 1024 * 1024;
        QProcess curl;
        curl.start(QStringLiteral("curl"),
            { "-sS", "--http2-prior-knowledge", "--limit-rate", "32M", "-o", "/dev/null", "-w",
                "%{http_code} %{size_download}",
                QStringLiteral("http://127.0.0.1:%1/api/pace?body_bytes=%2").arg(gw.port()).arg(size) });
        QVERIFY(curl.waitForFinished(30000));
        QVERIFY2(curl.exitCode() == 0, curl.readAllStandardError().constData());
        QCOMPARE(curl.readAllStandardOutput(), "200 " + QByteArray::number(size));
        qint64 durationUs = -1;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const capture::Exchange &e : capturedExchanges(gw)) {
                    if (e.path == u"/api/pace")
                        durationUs = e.durationUs();
                }
                return durationUs >= 0;
            }(),
            5000);
        qInfo("the 64 MiB exchange lasted %lld us", durationUs);
        QVERIFY2(durationUs > 800'000,
            qPrintable(QStringLiteral("the exchange ended after %1 us").arg(durationUs)));
    }

    // An exchange captured over HTTP/2 is replayed over HTTP/2 where the destination speaks it;
    // HTTP/1.1 where the gateway refuses h2c or the Host is not the address connected to.
    void replaysOverHttp2WhereTheTargetSpeaksIt()
    {
        LoopbackUpstream upstream;
        const QString rest = QStringLiteral("upstreams:\n") + upstreamEntry(QStringLiteral("up"), upstream)
            + QStringLiteral("routes:\n  - {name: all, match: {path: /api}, upstream: up}\n");
        GatewayHarness h2;
        QVERIFY(h2.start(gatewayHeaderWithCapture(QStringLiteral("  http2: true\n")) + rest).isEmpty());
        GatewayHarness h1; // HTTP/1.1 only
        QVERIFY(h1.start(gatewayHeader() + rest).isEmpty());
        const QByteArray status = curlStatusLine({ "--http2-prior-knowledge" },
            QStringLiteral("http://127.0.0.1:%1/api/replay-me").arg(h2.port()));
        QVERIFY2(status.startsWith("HTTP/2 200"), status.constData());
        capture::Exchange original;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const auto all = capturedExchanges(h2);
                if (!all.isEmpty())
                    original = all.last();
                return !all.isEmpty();
            }(),
            5000);
        QCOMPARE(original.protocol, QStringLiteral("HTTP/2"));

        const auto replay = [](capture::CaptureStore *store, const capture::Exchange &e) {
            capture::Replayer replayer(store);
            QSignalSpy done(&replayer, &capture::Replayer::finished);
            replayer.replay(e, {});
            if (!done.wait(10000))
                return capture::Exchange {};
            return done.first().first().value<capture::Exchange>();
        };
        const capture::Exchange again = replay(h2.gateway().captureStore(), original);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.protocol, QStringLiteral("HTTP/2"));
        QVERIFY2(again.id > original.id, qPrintable(again.notes));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const capture::Exchange &e : capturedExchanges(h2)) {
                    if (e.id == again.id)
                        return e.protocol == u"HTTP/2" && e.notes.contains(u"replay of exchange");
                }
                return false;
            }(),
            5000);

        // The same exchange to a gateway without HTTP/2: the preface is refused, HTTP/1.1 answers.
        capture::Exchange toH1 = original;
        toH1.listener = QStringLiteral("127.0.0.1:%1").arg(h1.port());
        for (auto &[name, value] : toH1.requestHeaders) {
            if (name.compare("host", Qt::CaseInsensitive) == 0)
                value = toH1.listener.toLatin1();
        }
        const capture::Exchange fallback = replay(nullptr, toH1);
        QCOMPARE(fallback.status, 200);
        QCOMPARE(fallback.protocol, QStringLiteral("HTTP/1.1"));
        QVERIFY2(fallback.notes.contains(u"does not take HTTP/2 without TLS"), qPrintable(fallback.notes));

        // A Host other than the listener's address cannot be :authority: HTTP/1.1, said so.
        capture::Exchange named = original;
        for (auto &[name, value] : named.requestHeaders) {
            if (name.compare("host", Qt::CaseInsensitive) == 0)
                value = "api.example";
        }
        const capture::Exchange viaHost = replay(nullptr, named);
        QCOMPARE(viaHost.status, 200);
        QCOMPARE(viaHost.protocol, QStringLiteral("HTTP/1.1"));
        QVERIFY2(viaHost.notes.contains(u"not Host api.example"), qPrintable(viaHost.notes));

        // Captured over HTTP/1.1: replayed over HTTP/1.1.
        capture::Exchange plain = original;
        plain.protocol = QStringLiteral("HTTP/1.1");
        QCOMPARE(replay(nullptr, plain).protocol, QStringLiteral("HTTP/1.1"));
    }
};

QTEST_GUILESS_MAIN(TestGatewayHttp2Capture)
#include "tst_gateway_http2_capture.moc"
