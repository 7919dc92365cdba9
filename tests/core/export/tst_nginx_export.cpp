#include "SampleWorkspace.h"
#include "core/export/Exporter.h"
#include "support/LoopbackUpstream.h"
#include "support/RawClient.h"

#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

using namespace portico::exporter;
using namespace portico::exporter::test;
using portico::test::LoopbackUpstream;
using portico::test::RawClient;
using portico::test::RawResponse;

// The exported nginx.conf checked by the real nginx: `nginx -t`, then served in front of a
// loopback upstream to see routing, strip-prefix, key auth and rate limiting behave as in Portico.
class TstNginxExport : public QObject
{
    Q_OBJECT

private:
    QString m_nginx;

    static quint16 freePort()
    {
        QTcpServer s;
        s.listen(QHostAddress::LocalHost, 0);
        return s.serverPort();
    }

    static bool writeFile(const QString &path, const QByteArray &text)
    {
        QFile f(path);
        return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
    }

    // nginx with its pid and error log in `dir` (the exported file names neither).
    QStringList nginxArgs(const QTemporaryDir &dir, const QString &conf, bool test) const
    {
        QStringList args { QStringLiteral("-c"), conf, QStringLiteral("-p"), dir.path() + u'/',
            QStringLiteral("-g") };
        args << QStringLiteral("pid %1/nginx.pid; error_log %1/error.log;%2")
                    .arg(dir.path(), test ? QString() : QStringLiteral(" daemon off;"));
        if (test)
            args.prepend(QStringLiteral("-t"));
        return args;
    }

    static RawResponse get(quint16 port, const QByteArray &target, const QByteArray &extraHeaders = {})
    {
        RawClient c;
        if (!c.connectTo(QStringLiteral("127.0.0.1"), port))
            return {};
        return c.roundTrip("GET " + target + " HTTP/1.1\r\nHost: api.local\r\n" + extraHeaders
            + "Connection: close\r\n\r\n");
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_nginx = QStandardPaths::findExecutable(
            QStringLiteral("nginx"), { QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin") });
        QVERIFY2(!m_nginx.isEmpty(), "nginx not found: run packaging/install-deps.sh");
    }

    void sampleWorkspacePassesNginxTest()
    {
        const ExportResult r = exportWorkspace(sampleWorkspace(), QStringLiteral("nginx"));
        QCOMPARE(r.suggestedFileName, QStringLiteral("nginx.conf"));
        QTemporaryDir dir;
        const QString conf = dir.filePath(QStringLiteral("nginx.conf"));
        QVERIFY(writeFile(conf, r.text));
        QByteArray out;
        const int rc = runProcess(m_nginx, nginxArgs(dir, conf, true), &out);
        QVERIFY2(rc == 0, (out + "\n" + r.text).constData());
        QVERIFY(out.contains("syntax is ok"));
        const QString all = r.warnings.join(u'\n');
        QVERIFY(all.contains(u"route users: auth scheme idp not exported"));
        QVERIFY(all.contains(u"route dashboard: aggregate"));
        QVERIFY(all.contains(u"active health check"));
        QCOMPARE(exportWorkspace(sampleWorkspace(), QStringLiteral("nginx")).text, r.text);
    }

    void servesLikePortico()
    {
        using namespace std::chrono_literals;
        LoopbackUpstream v1(LoopbackUpstream::Options { false, QStringLiteral("v1") });
        LoopbackUpstream svc(LoopbackUpstream::Options { false, QStringLiteral("svc") });
        QVERIFY(v1.isRunning() && svc.isRunning());

        const quint16 port = freePort();
        const Workspace ws = parityWorkspace(svc.url(), v1.url(), port);
        const ExportResult r = exportWorkspace(ws, QStringLiteral("nginx"));
        QTemporaryDir dir;
        const QString conf = dir.filePath(QStringLiteral("nginx.conf"));
        QVERIFY(writeFile(conf, r.text));
        QByteArray out;
        QVERIFY2(runProcess(m_nginx, nginxArgs(dir, conf, true), &out) == 0, out.constData());

        QProcess nginx;
        nginx.setProcessChannelMode(QProcess::MergedChannels);
        nginx.start(m_nginx, nginxArgs(dir, conf, false));
        QVERIFY(nginx.waitForStarted());
        auto stop = qScopeGuard([&] {
            nginx.terminate();
            if (!nginx.waitForFinished(5000))
                nginx.kill();
        });
        QTRY_VERIFY_WITH_TIMEOUT(RawClient().connectTo(QStringLiteral("127.0.0.1"), port, 200), 5000);

        // The same requests the parity test sends through Portico (tests/app/tst_export_parity).
        for (const ParityCase &c : parityCases()) {
            const RawResponse resp = get(port, c.target, c.headers);
            QVERIFY2(resp.status == c.status, c.target.constData());
            QVERIFY(!resp.header("X-Request-Id").isEmpty());
            if (c.status == 200) {
                LoopbackUpstream &up = c.upstream == u"v1" ? v1 : svc;
                QCOMPARE(up.lastRequest().path, c.upstreamPath);
                if (!c.consumer.isEmpty())
                    QCOMPARE(up.lastRequest().header("X-Consumer-Name"), c.consumer.toUtf8());
                if (c.consumer == u"alice")
                    QCOMPARE(up.lastRequest().header("X-Consumer-Groups"), QByteArray("admins"));
                QVERIFY(!up.lastRequest().hasHeader("X-API-Key")); // hide_credentials
            } else if (c.status == 401) {
                QVERIFY(resp.hasHeader("WWW-Authenticate"));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TstNginxExport)
#include "tst_nginx_export.moc"
