// Replay from the traffic inspector tells the user what happened: the new exchange's id and
// status, or the error, and that a header redacted in the capture was left out (the usual
// reason a replayed authenticated request comes back 401).

#include "support/LoopbackUpstream.h"
#include "tests/ui/CredentialAnswer.h"
#include "tests/ui/TrafficFixture.h"
#include "ui/traffic/ReplayDialog.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficPage.h"
#include "ui/traffic/TrafficTable.h"

#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

using namespace portico;
using namespace portico::ui;

class TrafficReplayTest : public QObject, private ui::test::TrafficFixture
{
    Q_OBJECT

private Q_SLOTS:
    void replaySaysWhatHappened()
    {
        portico::test::LoopbackUpstream upstream;
        QVERIFY(upstream.isRunning());
        QString error;
        QVERIFY2(openStore(QStringLiteral("replay"), &error), qPrintable(error));
        capture::Exchange keyed = ui::test::makeExchange(0, 200, "{}");
        keyed.url = upstream.url(QStringLiteral("/users/0")).toString();
        keyed.listener = upstream.hostPort(); // the gateway it came through (the upstream stands in)
        keyed.requestHeaders = { { "X-API-Key", "alice-secret" } }; // redacted by the store
        const qint64 id = m_store->submit(std::move(keyed));
        QVERIFY(m_store->flush());

        TrafficPage page;
        page.setSource(m_store.get(), m_path);
        QTRY_COMPARE(page.model()->rowCount(), 1);
        page.table()->selectRow(0);
        QCOMPARE(page.table()->selectedIds(), QList<qint64> { id });

        QSignalSpy replayed(&page, &TrafficPage::replayed);
        // No workspace to restore the key from: the page asks; left empty, it is left out.
        int asked = 0;
        ui::test::answerCredentials(nullptr, true, &asked);
        page.replaySelected();
        QTRY_COMPARE(replayed.size(), 1);
        QCOMPARE(asked, 1);
        const auto result = replayed.first().first().value<capture::Exchange>();
        QCOMPARE(result.status, 200);
        QVERIFY(!upstream.lastRequests(1).value(0).hasHeader("x-api-key"));
        const QString summary = TrafficPage::replaySummary(result);
        QVERIFY2(summary.startsWith(QStringLiteral("Replayed #%1 as #%2: HTTP 200").arg(id).arg(result.id)),
            qPrintable(summary));
        QVERIFY2(
            summary.contains(QStringLiteral("header X-API-Key was redacted in the capture and not sent")),
            qPrintable(summary));
        QTRY_COMPARE(page.notice()->text(), summary); // shown beside the Replay button

        // Copy as curl says it did, and that the key in the command is a placeholder.
        page.table()->selectRow(page.model()->rowOfId(id));
        page.copyAsCurl();
        QVERIFY(QApplication::clipboard()->text().startsWith(QStringLiteral("curl ")));
        QVERIFY2(
            page.notice()->text().contains(QStringLiteral("put the real X-API-Key in place of [redacted]")),
            qPrintable(page.notice()->text()));
        closeStore();
    }

    void aFailedReplayNamesTheError()
    {
        capture::Exchange failed;
        failed.id = 12;
        failed.error = QStringLiteral("Connection refused");
        failed.notes = QStringLiteral("replay of exchange 7");
        QCOMPARE(TrafficPage::replaySummary(failed),
            QStringLiteral("Replayed #7 as #12: failed, Connection refused"));
    }

    // Edit and Resend starts from where a replay goes (the listener that captured it), not from
    // the host a client put in Host; a row with no known destination starts empty.
    void editAndResendStartsAtTheListener()
    {
        capture::Exchange hostile = ui::test::makeExchange(0, 200, "{}");
        hostile.host = QStringLiteral("attacker.invalid:1");
        hostile.url = QStringLiteral("http://attacker.invalid:1/users/0?x=1");
        hostile.query = QStringLiteral("x=1");
        hostile.requestHeaders = { { "Host", "attacker.invalid:1" } };
        hostile.listener = QStringLiteral("127.0.0.1:8080");
        ReplayDialog dialog(hostile);
        QCOMPARE(dialog.urlEdit()->text(), QStringLiteral("http://127.0.0.1:8080/users/0?x=1"));
        // Sent as is: a plain replay (the captured Host picks the route at the listener).
        QVERIFY(dialog.options().target.isEmpty());
        QCOMPARE(
            capture::Replayer::prepare(dialog.request(), dialog.options()).url, dialog.urlEdit()->text());
        // Typed elsewhere: that is the user's target.
        dialog.urlEdit()->setText(QStringLiteral("http://127.0.0.1:9999/users/0"));
        QCOMPARE(dialog.options().target, QUrl(QStringLiteral("http://127.0.0.1:9999")));

        hostile.listener.clear();
        ReplayDialog nowhere(hostile);
        QVERIFY(nowhere.urlEdit()->text().isEmpty());
        QVERIFY(nowhere.urlEdit()->placeholderText().contains(QStringLiteral("target")));
    }
};

QTEST_MAIN(TrafficReplayTest)
#include "tst_TrafficReplay.moc"
