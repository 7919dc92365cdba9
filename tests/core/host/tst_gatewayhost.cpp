// The gateway host (core/host): one object that starts the gateway, its capture, the admin API
// and the access log from a workspace file, reloads it (a bad file leaves the running config and
// its revision alone and says where the problem is), and keeps one revision number that the admin
// API reports too.
#include "core/admin/AccessLog.h"
#include "core/capture/CaptureStore.h"
#include "core/common/Clock.h"
#include "core/config/WorkspaceLoader.h"
#include "core/gateway/Gateway.h"
#include "core/host/GatewayHost.h"
#include "support/RawClient.h"
#include "support/TempWorkspace.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QTimer>

using namespace portico;
using namespace portico::test;

namespace {

const char kWorkspace[] = R"(version: 1
gateway:
  listen: 127.0.0.1:{{PORT}}
  workers: 1
admin:
  listen: 127.0.0.1:0
capture:
  database: traffic.db
routes:
  - name: hello
    match: {path_exact: /hello}
    mock: {status: 200, body: "{{BODY}}"}
)";

QString workspaceText(const QString &body, quint16 port = 0)
{
    return TempWorkspace::substitute(QString::fromLatin1(kWorkspace),
        { { QStringLiteral("BODY"), body }, { QStringLiteral("PORT"), QString::number(port) } });
}

struct AdminResult
{
    int status = 0;
    QByteArray body;
    QByteArray revisionHeader;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// The admin API runs on this thread: the call spins the event loop while it waits.
AdminResult adminGet(const QUrl &base, const QString &path)
{
    QNetworkAccessManager nam;
    QNetworkRequest request(base.resolved(QUrl(path)));
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    QNetworkReply *reply = nam.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    loop.exec();
    AdminResult r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.revisionHeader = reply->rawHeader("X-Config-Revision");
    delete reply;
    return r;
}

QJsonArray listedExchanges(const QUrl &adminBase)
{
    return adminGet(adminBase, QStringLiteral("/exchanges"))
        .json()
        .value(QStringLiteral("exchanges"))
        .toArray();
}

QByteArray getBody(quint16 port, const QByteArray &path)
{
    RawClient client;
    if (!client.connectTo(QStringLiteral("127.0.0.1"), port))
        return "connect failed: " + client.errorString().toUtf8();
    const RawResponse r = client.roundTrip(httpRequest("GET", path));
    return r.status == 200 ? r.body : "status " + QByteArray::number(r.status);
}

quint16 gatewayPort(const host::GatewayHost &h)
{
    const QList<QUrl> urls = h.listenUrls();
    return urls.isEmpty() ? 0 : quint16(urls.first().port());
}

} // namespace

class TestGatewayHost : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<capture::CaptureStore *>(); }

    void startsEverythingFromAFile()
    {
        TempWorkspace ws;
        const QString file = ws.writeWorkspace(workspaceText(QStringLiteral("one")));
        host::GatewayHost h(SystemClock::instance());
        QString error;
        QVERIFY2(h.openAccessLog(ws.path(QStringLiteral("access.log")), &error), qPrintable(error));
        QSignalSpy running(&h, &host::GatewayHost::runningChanged);
        QSignalSpy admin(&h, &host::GatewayHost::adminListening);
        QSignalSpy capture(&h, &host::GatewayHost::captureChanged);

        QCOMPARE(h.startFile(file), config::Diagnostics());
        QVERIFY(h.isRunning());
        QCOMPARE(running.size(), 1);
        // The workers write to the log: it cannot be swapped under them.
        QVERIFY(!h.openAccessLog(ws.path(QStringLiteral("other.log")), &error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(h.revision(), 1);
        QCOMPARE(h.workspaceFile(), file);
        const quint16 port = gatewayPort(h);
        QVERIFY(port > 0);
        QCOMPARE(getBody(port, "/hello"), QByteArray("one"));

        // Capture: the database the workspace names, and the exchange lands in it.
        QCOMPARE(capture.size(), 1);
        QCOMPARE(h.captureDatabase(), ws.path(QStringLiteral("traffic.db")));
        QVERIFY(h.captureStore());
        QTRY_COMPARE(h.capturedExchanges(), 1);

        // The admin API answers where the host says, with the host's revision.
        QCOMPARE(admin.size(), 1);
        const QUrl adminUrl = h.adminUrl();
        QVERIFY(adminUrl.port() > 0);
        QCOMPARE(admin.first().first().toUrl(), adminUrl);
        const AdminResult status = adminGet(adminUrl, QStringLiteral("/status"));
        QCOMPARE(status.status, 200);
        QCOMPARE(status.json().value(QStringLiteral("config_revision")).toInt(), h.revision());
        // ... and reads the host's capture.
        QTRY_COMPARE(listedExchanges(adminUrl).size(), 1);
        QCOMPARE(listedExchanges(adminUrl).first().toObject().value(QStringLiteral("route")).toString(),
            QStringLiteral("hello"));

        // The access log has the exchange.
        h.accessLog()->flush();
        QTRY_VERIFY(ws.readFile(QStringLiteral("access.log")).contains("\"route\":\"hello\""));

        QSignalSpy stopped(&h, &host::GatewayHost::adminStopped);
        h.stop();
        QVERIFY(!h.isRunning());
        QCOMPARE(stopped.size(), 1);
        QVERIFY(h.adminUrl().isEmpty());
        QCOMPARE(capture.size(), 2);
        QVERIFY(!capture.last().first().value<capture::CaptureStore *>());
        QCOMPARE(h.capturedExchanges(), 0);
    }

    // A change of a .proto that grpc.protos lists reaches the gateway on a forced reload (SIGHUP);
    // a schema that does not compile is reported in the .proto and changes nothing.
    void badSchemaOnReloadChangesNothing()
    {
        TempWorkspace ws;
        ws.writeFile(QStringLiteral("protos/s.proto"),
            QByteArray("syntax = \"proto3\";\npackage s;\nmessage M { int32 x = 1; }\nservice S { rpc Do(M) returns (M); }\n"));
        const QString file = ws.writeWorkspace(
            workspaceText(QStringLiteral("one")) + QStringLiteral("grpc:\n  protos: [protos/s.proto]\n"));
        host::GatewayHost h(SystemClock::instance());
        QCOMPARE(h.startFile(file), config::Diagnostics());
        const quint16 port = gatewayPort(h);
        QSignalSpy failed(&h, &host::GatewayHost::reloadFailed);

        const QString proto = ws.writeFile(QStringLiteral("protos/s.proto"),
            QByteArray("syntax = \"proto3\";\npackage s;\nmessage M { int32 x = 1 }\n"));
        QCOMPARE(h.reload(true), host::GatewayHost::ReloadResult::Failed);
        QCOMPARE(failed.size(), 1);
        const auto problems = failed.first().first().value<config::Diagnostics>();
        QVERIFY(!problems.isEmpty());
        QVERIFY2(problems.first().toString().startsWith(QFileInfo(proto).absoluteFilePath() + ":3:25: error: "),
            qPrintable(problems.first().toString()));
        QCOMPARE(h.revision(), 1);
        QCOMPARE(gatewayPort(h), port);
        QCOMPARE(getBody(port, "/hello"), QByteArray("one"));
        h.stop();
    }

    void reloadsGoodFilesAndKeepsServingOnBadOnes()
    {
        TempWorkspace ws;
        const QString file = ws.writeWorkspace(workspaceText(QStringLiteral("one")));
        host::GatewayHost h(SystemClock::instance());
        QCOMPARE(h.startFile(file), config::Diagnostics());
        const quint16 port = gatewayPort(h);
        QSignalSpy reloaded(&h, &host::GatewayHost::reloaded);
        QSignalSpy failed(&h, &host::GatewayHost::reloadFailed);
        QSignalSpy applied(&h, &host::GatewayHost::applied);
        QSignalSpy elsewhere(&h, &host::GatewayHost::appliedElsewhere);

        // The same content again is no change.
        QCOMPARE(h.reload(false), host::GatewayHost::ReloadResult::Unchanged);
        QCOMPARE(h.revision(), 1);

        // A good file: the next revision, seen alike by the host, its signals and the admin API.
        ws.writeWorkspace(workspaceText(QStringLiteral("two")));
        QCOMPARE(h.reload(false), host::GatewayHost::ReloadResult::Applied);
        QCOMPARE(h.revision(), 2);
        QCOMPARE(reloaded.size(), 1);
        QCOMPARE(reloaded.first().first().toInt(), 2);
        QCOMPARE(applied.last().first().toInt(), 2);
        QCOMPARE(elsewhere.size(), 0);
        QCOMPARE(getBody(port, "/hello"), QByteArray("two"));
        const AdminResult config = adminGet(h.adminUrl(), QStringLiteral("/config"));
        QCOMPARE(config.status, 200);
        QCOMPARE(config.revisionHeader, QByteArray("2"));

        // A file that does not load: reported as FILE:LINE, nothing changes.
        ws.writeWorkspace(workspaceText(QStringLiteral("three")) + QStringLiteral("bogus_key: 1\n"));
        QCOMPARE(h.reload(true), host::GatewayHost::ReloadResult::Failed);
        QCOMPARE(failed.size(), 1);
        const auto problems = failed.first().first().value<config::Diagnostics>();
        QVERIFY(!problems.isEmpty());
        QCOMPARE(problems.first().file, file);
        QVERIFY2(problems.first().line > 0, qPrintable(problems.first().toString()));
        QVERIFY2(
            problems.first().toString().startsWith(file + QStringLiteral(":%1:").arg(problems.first().line)),
            qPrintable(problems.first().toString()));
        QCOMPARE(h.revision(), 2);
        QCOMPARE(gatewayPort(h), port);
        QCOMPARE(getBody(port, "/hello"), QByteArray("two"));

        // A file that loads but cannot be applied (its listener port is taken): named after the
        // file, nothing changes either.
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost));
        ws.writeWorkspace(workspaceText(QStringLiteral("four"), squatter.serverPort()));
        QCOMPARE(h.reload(false), host::GatewayHost::ReloadResult::Failed);
        QCOMPARE(failed.size(), 2);
        const auto applyProblems = failed.last().first().value<config::Diagnostics>();
        QVERIFY(!applyProblems.isEmpty());
        QVERIFY2(applyProblems.first().toString().startsWith(file + QStringLiteral(": error: ")),
            qPrintable(applyProblems.first().toString()));
        QCOMPARE(h.revision(), 2);
        QCOMPARE(getBody(port, "/hello"), QByteArray("two"));
        QCOMPARE(adminGet(h.adminUrl(), QStringLiteral("/status"))
                     .json()
                     .value(QStringLiteral("config_revision"))
                     .toInt(),
            2);

        // Hostile content: binary garbage, an empty file. Refused, still serving.
        ws.writeFile(QStringLiteral("portico.yaml"), QByteArray("\x00\xff\xfe{[:\x01\n\t- - -", 14));
        QCOMPARE(h.reload(false), host::GatewayHost::ReloadResult::Failed);
        ws.writeFile(QStringLiteral("portico.yaml"), QByteArray());
        QCOMPARE(h.reload(true), host::GatewayHost::ReloadResult::Failed);
        QCOMPARE(h.revision(), 2);
        QCOMPARE(getBody(port, "/hello"), QByteArray("two"));
        QCOMPARE(reloaded.size(), 1);
    }

    void watchesTheFile()
    {
        TempWorkspace ws;
        const QString file = ws.writeWorkspace(workspaceText(QStringLiteral("one")));
        host::GatewayHost h(SystemClock::instance());
        QCOMPARE(h.startFile(file), config::Diagnostics());
        h.watchFile();
        QSignalSpy reloaded(&h, &host::GatewayHost::reloaded);
        ws.writeWorkspace(workspaceText(QStringLiteral("watched")));
        QTRY_COMPARE_WITH_TIMEOUT(reloaded.size(), 1, 10000);
        QCOMPARE(getBody(gatewayPort(h), "/hello"), QByteArray("watched"));
        QCOMPARE(h.revision(), 2);
    }

    // A workspace from memory (the GUI's document): problems carry the source given, and a config
    // the admin API applies is told apart from the host's own applies.
    void startsAWorkspaceFromMemory()
    {
        TempWorkspace ws;
        host::GatewayHost h(SystemClock::instance());
        const QString file = ws.writeWorkspace(workspaceText(QStringLiteral("mem")));
        const config::LoadResult loaded = config::loadWorkspaceFile(file);
        QVERIFY(loaded.ok());

        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost));
        auto taken = std::make_shared<config::Workspace>(*loaded.workspace);
        taken->gateway.listen = { { QStringLiteral("127.0.0.1"), squatter.serverPort() } };
        const config::Diagnostics problems = h.start(taken, QStringLiteral("demo"));
        QVERIFY(!problems.isEmpty());
        QVERIFY2(problems.first().toString().startsWith(QStringLiteral("demo: error: ")),
            qPrintable(problems.first().toString()));
        QVERIFY(!h.isRunning());
        QVERIFY(h.adminUrl().isEmpty());

        QSignalSpy applied(&h, &host::GatewayHost::applied);
        QSignalSpy elsewhere(&h, &host::GatewayHost::appliedElsewhere);
        QCOMPARE(h.start(loaded.workspace), config::Diagnostics());
        QVERIFY(h.isRunning());
        const int revision = h.revision();
        QCOMPARE(h.apply(loaded.workspace), config::Diagnostics());
        QCOMPARE(h.revision(), revision + 1);
        QCOMPARE(applied.last().first().toInt(), revision + 1);
        QCOMPARE(elsewhere.size(), 0);
        // Nothing to reload: no file was given to startFile().
        QCOMPARE(h.reload(true), host::GatewayHost::ReloadResult::Unchanged);
        QCOMPARE(h.revision(), revision + 1);

        // PUT /config through the admin API: applied elsewhere, with the one revision number.
        QNetworkAccessManager nam;
        QNetworkRequest put(h.adminUrl().resolved(QUrl(QStringLiteral("/config"))));
        put.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/yaml"));
        QNetworkReply *reply = nam.put(put, workspaceText(QStringLiteral("put")).toUtf8());
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        const int putRevision
            = QJsonDocument::fromJson(reply->readAll()).object().value(QStringLiteral("revision")).toInt();
        delete reply;
        QCOMPARE(putRevision, revision + 2);
        QCOMPARE(h.revision(), putRevision);
        QCOMPARE(elsewhere.size(), 1);
        QCOMPARE(elsewhere.first().first().toInt(), putRevision);
        QCOMPARE(getBody(gatewayPort(h), "/hello"), QByteArray("put"));
    }
};

QTEST_MAIN(TestGatewayHost)
#include "tst_gatewayhost.moc"
