// Send Sample Traffic stays sample traffic: only the demo's own routes and consumers (never a
// consumer, key or route the user added), only while the demo runs, and every row it causes is
// tagged (sample:true, "sample" in the table); no other client can tag its rows.

#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/FilterExpression.h"
#include "core/common/Clock.h"
#include "core/config/WorkspaceLoader.h"
#include "core/gateway/Gateway.h"
#include "ui/gateway/GatewayController.h"
#include "ui/gateway/SampleTraffic.h"
#include "ui/traffic/TrafficCells.h"
#include "ui/traffic/TrafficModel.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPixmap>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace portico;
using namespace portico::ui;

namespace {

qint64 count(capture::CaptureReader &reader, const QString &filter)
{
    const auto parsed = capture::FilterExpression::parse(filter);
    return parsed ? reader.count(*parsed) : -1;
}

} // namespace

class SampleTrafficTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void onlyTheDemosOwnAndTagged()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("demo.yaml"));
        const auto demo = config::loadWorkspaceText(R"(
version: 1
gateway: {listen: 127.0.0.1:0}
admin: {enabled: false}
capture: {database: traffic.db}
consumers:
  - {name: alice, api_keys: [alice-key]}
auth:
  keys: {type: api_key, header: X-API-Key}
routes:
  - {name: users, match: {path: /api/users}, mock: {status: 200, body: users}, auth: [keys]}
  - {name: health, match: {path_exact: /health}, mock: {status: 200, body: ok}}
)",
            file);
        QVERIFY2(demo.ok(), qPrintable(demo.errors.value(0).toString()));
        // What the user made of it: carol with a key, and a /hello route.
        const auto edited = config::loadWorkspaceText(R"(
version: 1
gateway: {listen: 127.0.0.1:0}
admin: {enabled: false}
capture: {database: traffic.db}
consumers:
  - {name: alice, api_keys: [alice-key]}
  - {name: carol, api_keys: [carol-key]}
auth:
  keys: {type: api_key, header: X-API-Key}
routes:
  - {name: users, match: {path: /api/users}, mock: {status: 200, body: users}, auth: [keys]}
  - {name: health, match: {path_exact: /health}, mock: {status: 200, body: ok}}
  - {name: hello, match: {path: /hello}, mock: {status: 200, body: hi}}
)",
            file);
        QVERIFY2(edited.ok(), qPrintable(edited.errors.value(0).toString()));

        GatewayController gateway(SystemClock::instance());
        QCOMPARE(gateway.start(edited.workspace), QStringList());
        const QUrl base(gateway.listenUrls().value(0));
        SampleTraffic sample;
        sample.setPlan(demo.workspace);
        sample.markStore(gateway.captureStore());
        sample.setTarget(base, gateway.gateway()->workspace());
        sample.setInterval(5);
        sample.setRunning(true);
        QTRY_VERIFY_WITH_TIMEOUT(sample.sent() >= 80, 10000);
        sample.setRunning(false);

        // Someone else's request, with a made-up sample header: not tagged.
        QNetworkAccessManager nam;
        QNetworkRequest request(base.resolved(QUrl(QStringLiteral("/health"))));
        request.setRawHeader("X-Portico-Sample", "guess");
        QNetworkReply *reply = nam.get(request);
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(5000));
        reply->deleteLater();

        // Every answer is captured once the response is out.
        QTRY_VERIFY_WITH_TIMEOUT(gateway.captureStore()->flush()
                && gateway.captureStore()->storedRows() >= quint64(sample.sent() + 1),
            10000);
        capture::CaptureReader reader;
        QVERIFY(reader.open(gateway.captureDatabase()));
        const qint64 all = count(reader, QString());
        QVERIFY(all >= 81);
        QCOMPARE(count(reader, QStringLiteral("consumer:carol")), 0);
        QCOMPARE(count(reader, QStringLiteral("route:hello")), 0);
        QCOMPARE(count(reader, QStringLiteral("path:/hello*")), 0);
        QVERIFY(count(reader, QStringLiteral("consumer:alice")) > 0);
        QCOMPARE(count(reader, QStringLiteral("sample:true")), all - 1);
        QCOMPARE(count(reader, QStringLiteral("-sample:true")), 1);
        QCOMPARE(count(reader, QStringLiteral("sample:false")), 1);
        QVERIFY(!capture::FilterExpression::parse(QStringLiteral("sample:maybe")));

        // The table shows the tag as a small icon before the path, which keeps its whole width.
        const QList<capture::ExchangeSummary> rows = reader.list({}, 2);
        QCOMPARE(rows.size(), 2);
        QVERIFY(!rows.at(0).sample); // the made-up one, newest
        QVERIFY(rows.at(1).sample);
        QCOMPARE(trafficCell(rows.at(1), TrafficModel::Path, Qt::DisplayRole).toString(), rows.at(1).path);
        const QPixmap tag = trafficCell(rows.at(1), TrafficModel::Path, Qt::DecorationRole).value<QPixmap>();
        QVERIFY(!tag.isNull());
        QVERIFY(tag.deviceIndependentSize().width() <= 16);
        QVERIFY(
            trafficCell(rows.at(1), TrafficModel::Path, Qt::ToolTipRole).toString().contains(u"sample:true"));
        QCOMPARE(trafficCell(rows.at(0), TrafficModel::Path, Qt::DisplayRole).toString(), rows.at(0).path);
        QVERIFY(!trafficCell(rows.at(0), TrafficModel::Path, Qt::DecorationRole).isValid());

        // Another workspace is not the demo: nothing is sent.
        const auto other = config::loadWorkspaceText(
            "version: 1\nroutes:\n  - {name: x, match: {path: /x}, mock: {status: 200}}\n",
            dir.filePath(QStringLiteral("mine.yaml")));
        QVERIFY(other.ok());
        QVERIFY(!sample.isDemo(*other.workspace));
        sample.setTarget(base, other.workspace);
        const int before = sample.sent();
        sample.setRunning(true);
        QTest::qWait(100);
        sample.setRunning(false);
        QCOMPARE(sample.sent(), before);
        gateway.stop();
    }
};

QTEST_MAIN(SampleTrafficTest)
#include "tst_SampleTraffic.moc"
