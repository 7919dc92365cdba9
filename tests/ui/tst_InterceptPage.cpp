// The Intercept page: turning the forward proxy on edits the workspace (undoable), the
// environment shown matches the listener and the shell, the CA is created on demand and its
// details shown, and once the gateway runs the page names the real proxy address that a real
// client (a request through it) uses.

#include "core/common/Clock.h"
#include "core/config/WorkspaceLoader.h"
#include "core/gateway/Gateway.h"
#include "ui/document/WorkspaceDocument.h"
#include "ui/gateway/GatewayController.h"
#include "ui/intercept/InterceptPage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace portico;
using namespace portico::ui;

class InterceptPageTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void turnsTheProxyOnAndShowsHowToUseIt()
    {
        QTemporaryDir dir;
        const auto loaded = config::loadWorkspaceText(R"(
version: 1
gateway: {listen: 127.0.0.1:0}
admin: {enabled: false}
capture: {enabled: false}
routes:
  - {name: mapped, match: {hosts: [app.test], path: /}, mock: {status: 200, body: from-portico}}
)",
            dir.filePath(QStringLiteral("portico.yaml")));
        QVERIFY2(loaded.ok(), qPrintable(loaded.errors.value(0).toString()));
        WorkspaceDocument doc;
        doc.reset(*loaded.workspace);
        GatewayController gateway(SystemClock::instance());
        InterceptPage page(&doc, &gateway, nullptr, nullptr);
        page.resize(1000, 800);

        auto *enabled = page.findChild<QCheckBox *>(QStringLiteral("proxyEnabled"));
        QVERIFY(enabled);
        QVERIFY(!enabled->isChecked());
        QVERIFY(
            page.findChild<QLabel *>(QStringLiteral("proxyState"))->text().startsWith(QStringLiteral("Off")));
        enabled->setChecked(true);
        QVERIFY(doc.workspace().proxy.has_value());
        QCOMPARE(doc.workspace().proxy->listen.port, quint16(8888));
        auto *environment = page.findChild<QPlainTextEdit *>(QStringLiteral("proxyEnvironment"));
        QVERIFY(environment->toPlainText().contains(
            QStringLiteral("export HTTPS_PROXY='http://127.0.0.1:8888'")));
        QVERIFY(
            environment->toPlainText().contains(dir.filePath(QStringLiteral("ca/portico-ca-bundle.pem"))));
        auto *shell = page.findChild<QComboBox *>(QStringLiteral("proxyShell"));
        shell->setCurrentIndex(shell->findData(QStringLiteral("powershell")));
        QVERIFY(environment->toPlainText().contains(
            QStringLiteral("$env:HTTPS_PROXY = 'http://127.0.0.1:8888'")));
        QVERIFY(
            page.findChild<QLabel *>(QStringLiteral("caInfo"))->text().contains(QStringLiteral("No CA yet")));
        doc.undoStack()->undo();
        QVERIFY(!doc.workspace().proxy.has_value());
        QVERIFY(!enabled->isChecked());
        doc.undoStack()->redo();
        QVERIFY(enabled->isChecked());

        shell->setCurrentIndex(shell->findData(QStringLiteral("sh")));

        // Listening on an ephemeral port: the page follows the gateway and shows the real one.
        doc.edit(QStringLiteral("test"), [](config::Workspace &ws) { ws.proxy->listen.port = 0; });
        QCOMPARE(gateway.start(doc.snapshot()), QStringList());
        const QUrl proxy = gateway.gateway()->proxyUrl();
        QVERIFY(proxy.port() > 0);
        QVERIFY2(page.findChild<QLabel *>(QStringLiteral("proxyState"))->text().contains(proxy.toString()),
            qPrintable(page.findChild<QLabel *>(QStringLiteral("proxyState"))->text()));
        QCOMPARE(page.proxyUrl(), proxy);
        QVERIFY2(page.environmentText().contains(QStringLiteral("HTTP_PROXY='%1'").arg(proxy.toString())),
            qPrintable(page.environmentText()));
        QVERIFY(
            page.findChild<QLabel *>(QStringLiteral("caInfo"))->text().contains(QStringLiteral("SHA-256")));

        // A client through that address reaches the route that names its host.
        QNetworkAccessManager nam;
        nam.setProxy(QNetworkProxy(QNetworkProxy::HttpProxy, proxy.host(), quint16(proxy.port())));
        QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(QStringLiteral("http://app.test/x"))));
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(5000));
        QCOMPARE(reply->readAll(), QByteArray("from-portico"));
        reply->deleteLater();
        gateway.stop();
    }
};

QTEST_MAIN(InterceptPageTest)
#include "tst_InterceptPage.moc"
