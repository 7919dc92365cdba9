// The status bar's "Capture: N exchanges" is the number in the database, as the traffic
// inspector lists them: the history the gateway found plus what it captured since, not only
// the latter.

#include "core/capture/CaptureStore.h"
#include "core/common/Clock.h"
#include "core/config/WorkspaceLoader.h"
#include "tests/ui/TrafficFixture.h"
#include "ui/gateway/GatewayController.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace portico;
using namespace portico::ui;

class GatewayCaptureCountTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countsTheHistoryToo()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("traffic.db"));
        {
            capture::CaptureOptions o;
            o.databasePath = db;
            capture::CaptureStore history(o);
            QVERIFY(history.open());
            for (int i = 0; i < 5; ++i)
                history.submit(test::makeExchange(i, 200, "{}"));
            QVERIFY(history.flush());
        }
        const auto loaded = config::loadWorkspaceText(R"(
version: 1
gateway: {listen: 127.0.0.1:0}
admin: {enabled: false}
capture: {database: traffic.db}
routes:
  - {name: health, match: {path_exact: /health}, mock: {status: 200, body: ok}}
)",
            dir.filePath(QStringLiteral("portico.yaml")));
        QVERIFY2(loaded.ok(), qPrintable(loaded.errors.value(0).toString()));

        GatewayController gateway(SystemClock::instance());
        QCOMPARE(gateway.capturedExchanges(), 0);
        QCOMPARE(gateway.start(loaded.workspace), QStringList());
        QCOMPARE(gateway.captureDatabase(), db);
        QCOMPARE(gateway.capturedExchanges(), 5);

        QNetworkAccessManager nam;
        QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(gateway.listenUrls().value(0) + "/health")));
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(5000));
        reply->deleteLater();
        // Captured once the response is out, which may be just after the client has read it.
        QTRY_COMPARE(gateway.capturedExchanges(), 6);
        gateway.stop();
        QCOMPARE(gateway.capturedExchanges(), 0);
    }
};

QTEST_MAIN(GatewayCaptureCountTest)
#include "tst_GatewayCaptureCount.moc"
