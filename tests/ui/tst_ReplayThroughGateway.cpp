// Replay and Edit and Resend through the real gateway the GUI runs: one row per replay (the
// gateway's, with route and consumer), linked to its original by its note, and what the editor
// shows is exactly what the gateway received.

#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/FilterExpression.h"
#include "core/capture/Replayer.h"
#include "core/common/Clock.h"
#include "core/config/WorkspaceLoader.h"
#include "support/LoopbackUpstream.h"
#include "tests/ui/CredentialAnswer.h"
#include "ui/gateway/GatewayController.h"
#include "ui/models/RowsModel.h"
#include "ui/traffic/ReplayDialog.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficPage.h"
#include "ui/traffic/TrafficTable.h"
#include "ui/widgets/RowsEditor.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace portico;
using namespace portico::ui;

class ReplayThroughGatewayTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneRowPerReplayWithRouteAndConsumer()
    {
        portico::test::LoopbackUpstream upstream;
        QVERIFY(upstream.isRunning());
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("traffic.db"));
        const auto loaded = config::loadWorkspaceText(QStringLiteral(R"(
version: 1
gateway: {listen: 127.0.0.1:0}
admin: {enabled: false}
capture: {database: traffic.db, redact_headers: [x-api-key]}
upstreams:
  echo: {targets: ["%1"]}
consumers:
  - {name: alice, api_keys: [alice-key]}
auth:
  keys: {type: api_key, header: X-API-Key}
routes:
  - {name: users, match: {path: /api/users}, upstream: echo, auth: [keys]}
)")
                                                          .arg(upstream.url().toString())
                                                          .toUtf8(),
            dir.filePath(QStringLiteral("portico.yaml")));
        QVERIFY2(loaded.ok(), qPrintable(loaded.errors.value(0).toString()));
        GatewayController gateway(SystemClock::instance());
        QCOMPARE(gateway.start(loaded.workspace), QStringList());
        capture::CaptureStore *store = gateway.captureStore();
        QVERIFY(store);

        // alice calls the API once.
        QNetworkAccessManager nam;
        QNetworkRequest call(QUrl(gateway.listenUrls().value(0) + QStringLiteral("/api/users/7")));
        call.setRawHeader("X-API-Key", "alice-key");
        QNetworkReply *reply = nam.get(call);
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(5000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();

        TrafficPage page;
        page.setSource(store, db);
        QTRY_COMPARE(page.model()->rowCount(), 1);
        capture::CaptureReader reader;
        QVERIFY(reader.open(db));
        const qint64 originalId = reader.maxId();
        const std::optional<capture::Exchange> original = reader.get(originalId);
        QVERIFY(original);
        QCOMPARE(original->consumer, QStringLiteral("alice"));

        // A plain Replay: the key was redacted, and without a workspace the page asks for it; left
        // empty, so 401, but one row, on the route, noted.
        page.table()->selectRow(0);
        QSignalSpy replayed(&page, &TrafficPage::replayed);
        int asked = 0;
        ui::test::answerCredentials(nullptr, true, &asked);
        page.replaySelected();
        QTRY_COMPARE(replayed.size(), 1);
        QCOMPARE(asked, 1);
        const auto plain = replayed.takeFirst().first().value<capture::Exchange>();
        QCOMPARE(plain.status, 401);
        QVERIFY(plain.id > originalId);
        QTRY_COMPARE(page.model()->rowCount(), 2); // not 3
        QVERIFY(store->flush());
        QCOMPARE(reader.count(), 2);
        const std::optional<capture::Exchange> plainRow = reader.get(plain.id);
        QVERIFY(plainRow);
        QCOMPARE(plainRow->route, QStringLiteral("users"));
        QVERIFY2(plainRow->notes.startsWith(QStringLiteral("replay of exchange %1\n").arg(originalId)),
            qPrintable(plainRow->notes));
        QVERIFY(plainRow->notes.contains(QStringLiteral("header X-API-Key was redacted")));
        QVERIFY2(TrafficPage::replaySummary(plain).startsWith(
                     QStringLiteral("Replayed #%1 as #%2: HTTP 401").arg(originalId).arg(plain.id)),
            qPrintable(TrafficPage::replaySummary(plain)));

        // Edit and Resend: the editor lists what goes out, the user types the key.
        ReplayDialog dialog(*original);
        QList<QStringList> rows = dialog.headersEditor()->model()->rows();
        QStringList names;
        for (const QStringList &r : rows)
            names << r.value(0).toLower();
        for (const char *expected : { "host", "x-request-id", "user-agent", "accept-language",
                 "accept-encoding", "connection", "x-api-key" })
            QVERIFY2(names.contains(QLatin1String(expected)), expected);
        for (QStringList &r : rows) {
            if (r.value(0).compare(QStringLiteral("x-api-key"), Qt::CaseInsensitive) == 0) {
                QCOMPARE(r.value(1), QStringLiteral("[redacted]"));
                r[1] = QStringLiteral("alice-key");
            }
        }
        dialog.headersEditor()->setRows(rows);
        capture::Replayer replayer(store);
        QSignalSpy resent(&replayer, &capture::Replayer::finished);
        replayer.replay(dialog.request(), dialog.options());
        QVERIFY(resent.wait(5000));
        const auto edited = resent.first().first().value<capture::Exchange>();
        QCOMPARE(edited.status, 200);
        QVERIFY(store->flush());
        QCOMPARE(reader.count(), 3); // one more row, not two
        const std::optional<capture::Exchange> editedRow = reader.get(edited.id);
        QVERIFY(editedRow);
        QCOMPARE(editedRow->route, QStringLiteral("users"));
        QCOMPARE(editedRow->consumer, QStringLiteral("alice"));
        QVERIFY2(editedRow->notes.startsWith(QStringLiteral("replay of exchange %1").arg(originalId)),
            qPrintable(editedRow->notes));
        QCOMPARE(reader.count(*capture::FilterExpression::parse(QStringLiteral("consumer:alice"))), 2);

        // What the gateway received is what the editor listed (the key recorded redacted),
        // Content-Length aside: nothing added behind the user's back.
        QStringList shown, received;
        for (const QStringList &r : rows) {
            const QString value = r.value(0).compare(QStringLiteral("x-api-key"), Qt::CaseInsensitive) == 0
                ? QStringLiteral("[redacted]")
                : r.value(1);
            shown << r.value(0).toLower() + QStringLiteral(": ") + value;
        }
        for (const auto &[name, value] : editedRow->requestHeaders) {
            if (name.compare("content-length", Qt::CaseInsensitive) != 0)
                received << QString::fromLatin1(name.toLower()) + QStringLiteral(": ")
                        + QString::fromUtf8(value);
        }
        shown.sort();
        received.sort();
        QCOMPARE(received, shown);
        gateway.stop();
    }
};

QTEST_MAIN(ReplayThroughGatewayTest)
#include "tst_ReplayThroughGateway.moc"
