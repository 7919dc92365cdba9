#include "core/common/Clock.h"
#include "core/export/Exporter.h"
#include "core/export/SampleWorkspace.h" // tests/core/export: the parity workspace and requests
#include "core/gateway/Gateway.h"
#include "support/LoopbackUpstream.h"
#include "support/RawClient.h"

#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

using namespace portico::exporter::test;
using portico::test::LoopbackUpstream;
using portico::test::RawClient;
using portico::test::RawResponse;

// The same workspace served by Portico and by its nginx export, with the same requests sent to
// both: routing, strip-prefix, versions, key auth, groups and rate limiting must give the same
// statuses and reach the same upstream with the same path.
class TstExportParity : public QObject
{
    Q_OBJECT

private:
    struct Outcome
    {
        int status = 0;
        QString upstream;
        QString path;
        QByteArray consumer;
        bool operator==(const Outcome &) const = default;
    };

    static RawResponse get(quint16 port, const QByteArray &target, const QByteArray &headers)
    {
        RawClient c;
        if (!c.connectTo(QStringLiteral("127.0.0.1"), port))
            return {};
        return c.roundTrip(
            "GET " + target + " HTTP/1.1\r\nHost: api.local\r\n" + headers + "Connection: close\r\n\r\n");
    }

    static QList<Outcome> run(quint16 port, LoopbackUpstream &svc, LoopbackUpstream &v1)
    {
        QList<Outcome> out;
        for (const ParityCase &c : parityCases()) {
            const int svcBefore = svc.requestCount();
            const int v1Before = v1.requestCount();
            const RawResponse resp = get(port, c.target, c.headers);
            Outcome o;
            o.status = resp.status;
            LoopbackUpstream *up = v1.requestCount() > v1Before ? &v1
                : svc.requestCount() > svcBefore                ? &svc
                                                                : nullptr;
            if (up) {
                o.upstream = up->name();
                o.path = up->lastRequest().path;
                o.consumer = up->lastRequest().header("X-Consumer-Name");
            }
            out << o;
        }
        return out;
    }

private Q_SLOTS:
    void nginxExportBehavesLikePortico()
    {
        const QString nginx
            = QStandardPaths::findExecutable(QStringLiteral("nginx"), { QStringLiteral("/usr/sbin") });
        QVERIFY2(!nginx.isEmpty(), "nginx not found: run packaging/install-deps.sh");
        LoopbackUpstream svc(LoopbackUpstream::Options { false, QStringLiteral("svc") });
        LoopbackUpstream v1(LoopbackUpstream::Options { false, QStringLiteral("v1") });
        QVERIFY(svc.isRunning() && v1.isRunning());

        // Portico
        portico::gateway::Gateway gateway(portico::SystemClock::instance());
        auto ws = std::make_shared<Workspace>(parityWorkspace(svc.url(), v1.url(), 0));
        QStringList problems = gateway.apply(ws);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        problems = gateway.start();
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        const QList<Outcome> portico = run(quint16(gateway.listenUrls().first().port()), svc, v1);
        gateway.stop();

        // nginx with the exported config
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        const portico::exporter::ExportResult r = portico::exporter::exportWorkspace(
            parityWorkspace(svc.url(), v1.url(), port), QStringLiteral("nginx"));
        QTemporaryDir dir;
        QFile conf(dir.filePath(QStringLiteral("nginx.conf")));
        QVERIFY(conf.open(QIODevice::WriteOnly));
        conf.write(r.text);
        conf.close();
        QProcess proc;
        proc.setProcessChannelMode(QProcess::MergedChannels);
        proc.start(nginx,
            { QStringLiteral("-c"), conf.fileName(), QStringLiteral("-p"), dir.path() + u'/',
                QStringLiteral("-g"),
                QStringLiteral("pid %1/nginx.pid; error_log %1/error.log; daemon off;").arg(dir.path()) });
        QVERIFY(proc.waitForStarted());
        auto stop = qScopeGuard([&] {
            proc.terminate();
            if (!proc.waitForFinished(5000))
                proc.kill();
        });
        QTRY_VERIFY_WITH_TIMEOUT(RawClient().connectTo(QStringLiteral("127.0.0.1"), port, 200), 5000);
        const QList<Outcome> viaNginx = run(port, svc, v1);

        QCOMPARE(viaNginx.size(), portico.size());
        const QList<ParityCase> cases = parityCases();
        for (int i = 0; i < cases.size(); ++i) {
            const QByteArray what = cases[i].target + ' ' + cases[i].headers.trimmed();
            QVERIFY2(portico[i].status == viaNginx[i].status,
                (what + ": Portico " + QByteArray::number(portico[i].status) + ", nginx "
                    + QByteArray::number(viaNginx[i].status))
                    .constData());
            QVERIFY2(portico[i].path == viaNginx[i].path, (what + ": upstream paths differ").constData());
            QCOMPARE(viaNginx[i].upstream, portico[i].upstream);
            QCOMPARE(viaNginx[i].consumer, portico[i].consumer);
            QCOMPARE(viaNginx[i].status, cases[i].status); // and both are what the workspace says
        }
    }
};

QTEST_GUILESS_MAIN(TstExportParity)
#include "tst_export_parity.moc"
