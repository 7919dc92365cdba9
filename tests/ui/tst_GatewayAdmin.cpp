// The desktop app serves the admin API that its Settings page turns on: while the gateway runs it
// answers on admin.listen, follows Apply (off, moved), says why when the port is taken, and goes
// away with a stopped gateway.

#include "core/common/Clock.h"
#include "core/config/WorkspaceLoader.h"
#include "ui/gateway/GatewayController.h"
#include "ui/main/StatusPanel.h"

#include <QDir>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace portico;
using namespace portico::ui;

namespace {

config::WorkspacePtr workspace(const QTemporaryDir &dir, const QString &admin)
{
    const QByteArray text = QStringLiteral("version: 1\n"
                                           "gateway: {listen: 127.0.0.1:0}\n"
                                           "capture: {enabled: false}\n"
                                           "admin: %1\n"
                                           "routes:\n"
                                           "  - name: health\n"
                                           "    match: {path: /health}\n"
                                           "    mock: {status: 200, body: ok}\n")
                                .arg(admin)
                                .toUtf8();
    const config::LoadResult r = config::loadWorkspaceText(text, dir.filePath(QStringLiteral("ws.yaml")));
    if (!r.ok())
        qWarning() << r.errors.value(0).toString();
    return r.workspace;
}

int getStatus(const QUrl &base)
{
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest(base.resolved(QUrl(QStringLiteral("/status")))));
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 5000))
        return -1;
    reply->deleteLater();
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

} // namespace

class GatewayAdminTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void adminFollowsTheRunningGateway()
    {
        QTemporaryDir dir;
        GatewayController controller(SystemClock::instance());
        QStatusBar bar;
        StatusPanel status(&bar);
        connect(&controller, &GatewayController::adminChanged, &status, &StatusPanel::setAdmin);

        const auto on = workspace(dir, QStringLiteral("{enabled: true, listen: 127.0.0.1:0}"));
        QVERIFY(on);
        QCOMPARE(controller.start(on), QStringList());
        const QUrl url = controller.adminUrl();
        QVERIFY2(url.port() > 0, qPrintable(url.toString()));
        QCOMPARE(getStatus(url), 200);
        QVERIFY2(
            status.adminLabel()->text().contains(url.toString()), qPrintable(status.adminLabel()->text()));

        // Apply with the API turned off: it stops listening.
        QSignalSpy changed(&controller, &GatewayController::adminChanged);
        QCOMPARE(controller.apply(workspace(dir, QStringLiteral("{enabled: false}"))), QStringList());
        QTRY_VERIFY(controller.adminUrl().isEmpty());
        QTRY_VERIFY(!changed.isEmpty());
        QVERIFY(changed.last().at(0).toUrl().isEmpty());
        QVERIFY(getStatus(url) != 200);

        // On again, then the gateway stops: the admin API goes with it.
        QCOMPARE(controller.apply(on), QStringList());
        QTRY_VERIFY(!controller.adminUrl().isEmpty());
        controller.stop();
        QVERIFY(controller.adminUrl().isEmpty());
        QVERIFY(status.adminLabel()->isHidden());
    }

    // A PUT /config through the admin API changes the running gateway behind the GUI's back:
    // the controller says so (and only then), so that the window can tell the user.
    void aConfigFromTheAdminApiIsAnnounced()
    {
        QTemporaryDir dir;
        GatewayController controller(SystemClock::instance());
        QSignalSpy elsewhere(&controller, &GatewayController::appliedElsewhere);
        QSignalSpy applied(&controller, &GatewayController::applied);
        const auto on = workspace(dir, QStringLiteral("{enabled: true, listen: 127.0.0.1:0}"));
        QCOMPARE(controller.start(on), QStringList());
        QCOMPARE(controller.apply(on), QStringList());
        QCOMPARE(elsewhere.size(), 0);
        const int ownApplies = int(applied.size());

        const QByteArray json = R"({"version": 1, "gateway": {"listen": "127.0.0.1:0"},
            "capture": {"enabled": false}, "admin": {"enabled": true, "listen": "127.0.0.1:0"},
            "routes": [{"name": "pong", "match": {"path": "/pong"}, "mock": {"status": 200, "body": "pong"}}]})";
        QNetworkAccessManager nam;
        QNetworkRequest put(controller.adminUrl().resolved(QUrl(QStringLiteral("/config"))));
        put.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply = nam.put(put, json);
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();
        QCOMPARE(elsewhere.size(), 1);
        QCOMPARE(applied.size(), ownApplies + 1);
        controller.stop();
    }

    void aTakenPortIsReportedAndTheGatewayRunsAnyway()
    {
        QTemporaryDir dir;
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost));
        GatewayController controller(SystemClock::instance());
        QSignalSpy changed(&controller, &GatewayController::adminChanged);
        const auto ws = workspace(
            dir, QStringLiteral("{enabled: true, listen: 127.0.0.1:%1}").arg(squatter.serverPort()));
        QVERIFY(ws);
        QCOMPARE(controller.start(ws), QStringList());
        QVERIFY(controller.isRunning());
        QVERIFY(controller.adminUrl().isEmpty());
        QVERIFY(!changed.isEmpty());
        QVERIFY2(!changed.last().at(1).toString().isEmpty(), "no reason given for the admin API being off");
        controller.stop();
    }

    // A workspace file like this does not load at all (the loader asks for admin.token); one edited
    // in the app to listen on all interfaces without a token does not open the admin API, and the
    // status says why.
    void anAdminApiOnTheNetworkNeedsAToken()
    {
        QTemporaryDir dir;
        QVERIFY(!workspace(dir, QStringLiteral("{listen: 0.0.0.0:0}")));
        const auto loopback = workspace(dir, QStringLiteral("{listen: 127.0.0.1:0}"));
        QVERIFY(loopback);
        auto edited = std::make_shared<config::Workspace>(*loopback);
        edited->admin.listen = { QStringLiteral("0.0.0.0"), 0 };
        GatewayController controller(SystemClock::instance());
        QSignalSpy changed(&controller, &GatewayController::adminChanged);
        QCOMPARE(controller.start(edited), QStringList());
        QVERIFY(controller.isRunning());
        QVERIFY(controller.adminUrl().isEmpty());
        QVERIFY(!changed.isEmpty());
        QVERIFY2(changed.last().at(1).toString().contains(QStringLiteral("admin.token")),
            qPrintable(changed.last().at(1).toString()));

        // Applied later to a running API: it stays where it was (on loopback) and says why.
        QCOMPARE(controller.apply(loopback), QStringList());
        QTRY_VERIFY(!controller.adminUrl().isEmpty());
        QCOMPARE(controller.apply(edited), QStringList());
        QVERIFY2(changed.last().at(1).toString().contains(QStringLiteral("admin.token")),
            qPrintable(changed.last().at(1).toString()));
        QCOMPARE(controller.adminUrl().host(), QStringLiteral("127.0.0.1"));
        controller.stop();
    }
};

QTEST_MAIN(GatewayAdminTest)
#include "tst_GatewayAdmin.moc"
