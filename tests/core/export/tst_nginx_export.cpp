#include "core/export/Exporter.h"
#include "SampleWorkspace.h"
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
        QStringList args { QStringLiteral("-c"), conf, QStringLiteral("-p"), dir.path() + u'/', QStringLiteral("-g") };
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
        m_nginx = QStandardPaths::findExecutable(QStringLiteral("nginx"), { QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin") });
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
        QVERIFY(all.contains(u"route users-v1: auth scheme idp not exported"));
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

        Workspace ws;
        const quint16 port = freePort();
        ws.gateway.listen = { HostPort { QStringLiteral("127.0.0.1"), port } };
        ws.capture.enabled = false;
        ws.admin.enabled = false;
        ws.upstreams << makeUpstream(QStringLiteral("svc"), { svc.url().toString() })
                     << makeUpstream(QStringLiteral("v1"), { v1.url().toString() });
        AuthScheme keys;
        keys.name = QStringLiteral("keys");
        keys.header = QStringLiteral("X-API-Key");
        keys.query = QStringLiteral("apikey");
        ws.auth << keys;
        Consumer alice;
        alice.name = QStringLiteral("alice");
        alice.groups = QStringList { QStringLiteral("admins") };
        alice.apiKeys = QStringList { QStringLiteral("alice-key") };
        Consumer bob;
        bob.name = QStringLiteral("bob");
        bob.apiKeys = QStringList { QStringLiteral("bob-key") };
        ws.consumers << alice << bob;

        Route echo;
        echo.name = QStringLiteral("echo");
        echo.match.path = QStringLiteral("/api/echo");
        echo.upstream = QStringLiteral("svc");
        Route strip = echo;
        strip.name = QStringLiteral("strip");
        strip.match.path = QStringLiteral("/api/strip");
        strip.stripPrefix = true;
        Route secure = echo;
        secure.name = QStringLiteral("secure");
        secure.match.path = QStringLiteral("/api/secure");
        secure.auth = QStringList { QStringLiteral("keys") };
        secure.hideCredentials = true;
        Route admins = secure;
        admins.name = QStringLiteral("admins");
        admins.match.path = QStringLiteral("/api/admin");
        admins.allowGroups = QStringList { QStringLiteral("admins") };
        Route limited = echo;
        limited.name = QStringLiteral("limited");
        limited.match.path = QStringLiteral("/api/limited");
        limited.rateLimit = RateLimit { 3, 60s, RateLimit::By::Ip, {} };
        Route users = echo;
        users.name = QStringLiteral("users");
        users.match.path = QStringLiteral("/api/users");
        users.upstream.clear();
        Versions versions;
        versions.map = KeyValues { { QStringLiteral("v1"), QStringLiteral("v1") }, { QStringLiteral("v2"), QStringLiteral("svc") } };
        versions.defaultVersion = QStringLiteral("v2");
        users.versions = versions;
        ws.routes << echo << strip << secure << admins << limited << users;

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

        RawResponse resp = get(port, "/api/echo/a?x=1");
        QCOMPARE(resp.status, 200);
        QCOMPARE(svc.lastRequest().path, QStringLiteral("/api/echo/a"));
        QCOMPARE(svc.lastRequest().query, QStringLiteral("x=1"));
        QVERIFY(!resp.header("X-Request-Id").isEmpty());

        QCOMPARE(get(port, "/api/strip/items/7").status, 200);
        QCOMPARE(svc.lastRequest().path, QStringLiteral("/items/7"));

        QCOMPARE(get(port, "/nowhere").status, 404);

        resp = get(port, "/api/secure/x");
        QCOMPARE(resp.status, 401);
        QVERIFY(resp.hasHeader("WWW-Authenticate"));
        QCOMPARE(get(port, "/api/secure/x", "X-API-Key: wrong\r\n").status, 401);
        QCOMPARE(get(port, "/api/secure/x", "X-API-Key: alice-key\r\n").status, 200);
        QCOMPARE(svc.lastRequest().header("X-Consumer-Name"), QByteArray("alice"));
        QCOMPARE(svc.lastRequest().header("X-Consumer-Groups"), QByteArray("admins"));
        QVERIFY(!svc.lastRequest().hasHeader("X-API-Key")); // hide_credentials
        QCOMPARE(get(port, "/api/secure/x?apikey=bob-key").status, 200);
        QCOMPARE(svc.lastRequest().header("X-Consumer-Name"), QByteArray("bob"));

        QCOMPARE(get(port, "/api/admin", "X-API-Key: bob-key\r\n").status, 403);
        QCOMPARE(get(port, "/api/admin", "X-API-Key: alice-key\r\n").status, 200);

        for (int i = 0; i < 3; ++i)
            QCOMPARE(get(port, "/api/limited").status, 200);
        QCOMPARE(get(port, "/api/limited").status, 429);

        QCOMPARE(get(port, "/v1/api/users/7").status, 200);
        QCOMPARE(v1.lastRequest().path, QStringLiteral("/api/users/7"));
        QCOMPARE(get(port, "/api/users/8").status, 200);
        QCOMPARE(svc.lastRequest().path, QStringLiteral("/api/users/8"));
    }
};

QTEST_GUILESS_MAIN(TstNginxExport)
#include "tst_nginx_export.moc"
