// Apply: an edit made in the GUI's document, applied to the running gateway, is answered on the
// new route without a restart; an invalid workspace is not applied.

#include "core/common/Clock.h"
#include "core/config/WorkspaceLoader.h"
#include "ui/document/WorkspaceDocument.h"
#include "ui/gateway/GatewayController.h"
#include "ui/models/RoutesModel.h"
#include "ui/sections/RouteForm.h"
#include "ui/sections/SectionPage.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace portico;
using namespace portico::ui;

class ApplyToGatewayTest : public QObject
{
    Q_OBJECT

private:
    static int get(QNetworkAccessManager &nam, const QUrl &url, QByteArray *body = nullptr)
    {
        QNetworkReply *reply = nam.get(QNetworkRequest(url));
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!done.wait(5000))
            return -1;
        if (body)
            *body = reply->readAll();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        reply->deleteLater();
        return status;
    }

private Q_SLOTS:
    void applyAnswersOnTheNewRoute()
    {
        QTemporaryDir dir;
        const auto loaded = config::loadWorkspaceText(R"(
version: 1
gateway: {listen: 127.0.0.1:0}
admin: {enabled: false}
capture: {enabled: false}
routes:
  - {name: health, match: {path_exact: /health}, mock: {status: 200, body: ok}}
)",
                                                      dir.filePath(QStringLiteral("portico.yaml")));
        QVERIFY2(loaded.ok(), qPrintable(loaded.errors.value(0).toString()));
        WorkspaceDocument doc;
        doc.reset(*loaded.workspace);
        GatewayController gateway(SystemClock::instance());
        QSignalSpy running(&gateway, &GatewayController::runningChanged);
        QCOMPARE(gateway.start(doc.snapshot()), QStringList());
        QCOMPARE(running.size(), 1);
        const QUrl base(gateway.listenUrls().value(0));
        QVERIFY(base.port() > 0);

        QNetworkAccessManager nam;
        QCOMPARE(get(nam, base.resolved(QUrl(QStringLiteral("/hello")))), 404);

        // Add a route in the editor and give it a mock answer.
        auto *form = new RouteForm(&doc);
        SectionPage page(QStringLiteral("Routes"), {}, new RoutesModel(&doc), form);
        page.addItem();
        const int row = page.currentRow();
        QCOMPARE(row, 1);
        doc.edit(QStringLiteral("mock"), [&](config::Workspace &ws) {
            ws.routes[row].match.path = QStringLiteral("/hello");
            ws.routes[row].upstream.clear();
            config::Mock mock;
            mock.status = 201;
            mock.body = QStringLiteral("hi from the editor");
            ws.routes[row].mock = mock;
        });
        QVERIFY(doc.diagnostics().isEmpty());
        QSignalSpy applied(&gateway, &GatewayController::applied);
        QCOMPARE(gateway.apply(doc.snapshot()), QStringList());
        QCOMPARE(applied.size(), 1);
        QByteArray body;
        QCOMPARE(get(nam, base.resolved(QUrl(QStringLiteral("/hello"))), &body), 201);
        QCOMPARE(body, QByteArrayLiteral("hi from the editor"));

        // Undo and apply again: the route is gone from the running gateway too.
        while (doc.undoStack()->canUndo())
            doc.undoStack()->undo();
        QCOMPARE(gateway.apply(doc.snapshot()), QStringList());
        QCOMPARE(get(nam, base.resolved(QUrl(QStringLiteral("/hello")))), 404);
        gateway.stop();
        QVERIFY(!gateway.isRunning());
    }
};

QTEST_MAIN(ApplyToGatewayTest)
#include "tst_ApplyToGateway.moc"
