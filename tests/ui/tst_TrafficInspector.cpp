// The traffic inspector over a real capture database: thin-row model with keyset paging, live
// batches, filter errors in place, and the diff of two known exchanges. The model reads on a
// thread of its own, hence the QTRY_ waits (tst_TrafficModelAsync covers the asynchrony itself).

#include "core/capture/CaptureStore.h"
#include "tests/ui/TrafficFixture.h"
#include "ui/traffic/BodyView.h"
#include "ui/traffic/DiffDialog.h"
#include "ui/traffic/ExchangeDetails.h"
#include "ui/traffic/FilterBar.h"
#include "ui/traffic/TimingWaterfall.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficPage.h"
#include "ui/traffic/TrafficTable.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace portico;
using namespace portico::ui;

using test::makeExchange;

class TrafficInspectorTest : public QObject, private test::TrafficFixture
{
    Q_OBJECT

private:
    void fill(int count, int status = 200)
    {
        QVERIFY(storeExchanges(count, [status](int i) {
            return makeExchange(i, status, QByteArrayLiteral("{\"name\":\"alice\",\"n\":1}"));
        }));
    }

private Q_SLOTS:
    void init()
    {
        QString error;
        QVERIFY2(openStore(QStringLiteral("traffic"), &error), qPrintable(error));
    }

    void cleanup() { closeStore(); }

    void windowsOntoEveryRowPageByPage()
    {
        fill(1200);
        TrafficModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.open(m_path));
        // Every match is a row once the ids are read; summaries are read a page at a time.
        QTRY_COMPARE(model.rowCount(), 1200);
        QVERIFY(!model.canFetchOlder());
        // Oldest at the top, newest at the bottom, across page boundaries.
        QCOMPARE(model.summary(0).id, 1);
        QCOMPARE(model.summary(TrafficModel::kPageSize).id, TrafficModel::kPageSize + 1);
        QCOMPARE(model.summary(1199).id, 1200);
        QCOMPARE(model.rowOfId(777), 776);
        QCOMPARE(model.index(0, TrafficModel::Method).data().toString(), QStringLiteral("GET"));
        QCOMPARE(model.index(0, TrafficModel::Duration).data().toString(), QStringLiteral("1.5 ms"));
        QCOMPARE(model.index(1199, TrafficModel::Path).data().toString(), QStringLiteral("/users/1199"));
        QCOMPARE(model.index(5, TrafficModel::Version).data().toString(), QStringLiteral("v2"));

        // A filter on indexed fields maps rows to the matching ids only.
        QVERIFY(model.setFilter(QStringLiteral("method:POST")));
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(), 600);
        QCOMPARE(model.summary(0).id, 2);
        QCOMPARE(model.summary(599).id, 1200);
        QCOMPARE(model.index(550, TrafficModel::Method).data().toString(), QStringLiteral("POST"));
    }

    void unbrokenIdsAreOneRunAndGapsAList()
    {
        fill(300);
        TrafficModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.open(m_path));
        QTRY_VERIFY(!model.isLoading());
        QVERIFY(model.ids().isRun());
        QCOMPARE(model.rowCount(), 300);
        connect(m_store.get(), &capture::CaptureStore::exchangesStored, &model, &TrafficModel::enqueueLive);
        // Live rows that continue the run keep it a run.
        m_store->submit(makeExchange(300, 200, {}));
        QTRY_COMPARE(model.rowCount(), 301);
        QVERIFY(model.ids().isRun());
        // A reserved id that never arrives leaves a gap: rows still map to the right ids.
        const qint64 skipped = m_store->reserveId();
        m_store->submit(makeExchange(302, 404, {}));
        QTRY_COMPARE(model.rowCount(), 302);
        QVERIFY(!model.ids().isRun());
        QCOMPARE(model.summary(301).id, skipped + 1);
        QCOMPARE(model.summary(301).status, 404);
        QCOMPARE(model.rowOfId(skipped), -1);
        model.reload();
        QTRY_VERIFY(!model.isLoading());
        QVERIFY(!model.ids().isRun());
        QCOMPARE(model.rowCount(), 302);
        QCOMPARE(model.summary(300).id, 301);
        QCOMPARE(model.summary(301).id, skipped + 1);
        // clearView() then new rows: a run above the floor.
        model.clearView();
        fill(4);
        model.reload();
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.summary(0).id, skipped + 2);
    }

    void costlyFilterScansInSlicesNewestFirst()
    {
        fill(12'000);
        m_store->submit(makeExchange(1, 200, QByteArrayLiteral("{\"needle\":true}")));
        QVERIFY(m_store->flush());
        TrafficModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.open(m_path));
        QSignalSpy older(&model, &TrafficModel::olderRowsInserted);
        QVERIFY(model.setFilter(QStringLiteral("body:alice")));
        // The newest slices first, the rest found in later reads and inserted at the top.
        QTRY_VERIFY(!model.isLoading());
        QTRY_VERIFY(!model.canFetchOlder());
        QVERIFY(!older.isEmpty());
        QCOMPARE(model.rowCount(), 12'000);
        QCOMPARE(model.summary(0).id, 1);
        QCOMPARE(model.summary(11'999).id, 12'000);
        QVERIFY(model.setFilter(QStringLiteral("body:needle")));
        QTRY_VERIFY(!model.isLoading());
        QTRY_VERIFY(!model.canFetchOlder());
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.summary(0).id, 12'001);
    }

    void filterErrorsAreShownInPlace()
    {
        fill(10);
        TrafficPage page;
        page.setSource(m_store.get(), m_path);
        page.show();
        QTRY_COMPARE(page.model()->rowCount(), 10);
        QLineEdit *edit = page.filterBar()->edit();
        edit->setText(QStringLiteral("method:POST status:>>2"));
        QTest::keyClick(edit, Qt::Key_Return);
        const QString error = page.filterBar()->errorText();
        // The column points at the bad value, which is selected for fixing.
        QVERIFY2(error.startsWith(QStringLiteral("Column 20:")), qPrintable(error));
        QCOMPARE(edit->selectedText(), QStringLiteral(">>2"));
        QCOMPARE(page.model()->rowCount(), 10); // unchanged
        edit->setText(QStringLiteral("method:POST"));
        QTest::keyClick(edit, Qt::Key_Return);
        QVERIFY(page.filterBar()->errorText().isEmpty());
        QTRY_COMPARE(page.model()->rowCount(), 5);
    }

    void liveRowsArriveInBatchesAndFollowTheFilter()
    {
        fill(3);
        TrafficPage page;
        page.setSource(m_store.get(), m_path);
        QVERIFY(page.applyFilter(QStringLiteral("status:>=500")));
        QTRY_VERIFY(!page.model()->isLoading());
        QCOMPARE(page.model()->rowCount(), 0);
        QSignalSpy inserted(page.model(), &TrafficModel::liveRowsInserted);
        for (int i = 0; i < 20; ++i)
            m_store->submit(makeExchange(i, i % 2 ? 503 : 200, {}));
        QTRY_COMPARE(page.model()->rowCount(), 10);
        // Batched: far fewer inserts than rows.
        QVERIFY(inserted.size() <= 3);
        for (int r = 0; r < page.model()->rowCount(); ++r)
            QCOMPARE(page.model()->summary(r).status, 503);
    }

    void detailsAndTraceLink()
    {
        fill(6);
        TrafficPage page;
        page.setSource(m_store.get(), m_path);
        QTRY_COMPARE(page.model()->rowCount(), 6);
        page.table()->selectRow(0);
        // Read on the model's reader thread.
        const capture::Exchange &shown = page.details()->exchange();
        QTRY_COMPARE(shown.id, page.model()->summary(0).id);
        QCOMPARE(page.details()->responseBody()->mode(), BodyView::Json);
        QCOMPARE(page.details()->responseBody()->jsonModel()->rowCount(), 2);
        const QString trace = QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4700");
        Q_EMIT page.details()->traceRequested(trace);
        QCOMPARE(page.filterBar()->errorText(), QString());
        QCOMPARE(page.filterBar()->edit()->text(), QStringLiteral("trace:") + trace);
        QTRY_VERIFY(!page.model()->isLoading());
        QCOMPARE(page.model()->rowCount(), 2);

        const auto phases = TimingWaterfall::phases(capture::Timings { 100, 300, 900, 1500 });
        QCOMPARE(phases.size(), 4);
        QCOMPARE(phases.at(1).name, QStringLiteral("Connect"));
        QCOMPARE(phases.at(2).endUs - phases.at(2).startUs, 600);
    }

    void diffOfTwoKnownExchanges()
    {
        capture::Exchange a = makeExchange(1, 200, QByteArrayLiteral("{\"name\":\"alice\",\"n\":1}"));
        capture::Exchange b = makeExchange(2, 404, QByteArrayLiteral("{\"name\":\"bob\",\"n\":1}"));
        a.id = 1;
        b.id = 2;
        DiffDialog dialog(a, b);
        QTableWidget *changes = dialog.changesTable();
        QStringList where;
        for (int r = 0; r < changes->rowCount(); ++r)
            where << changes->item(r, 0)->text();
        QVERIFY2(where.contains(QStringLiteral("status")), qPrintable(where.join(u',')));
        QVERIFY2(where.contains(QStringLiteral("body $.name")), qPrintable(where.join(u',')));
        QVERIFY(!where.contains(QStringLiteral("body $.n")));
        const int status = int(where.indexOf(QStringLiteral("status")));
        QCOMPARE(changes->item(status, 1)->text(), QStringLiteral("200"));
        QCOMPARE(changes->item(status, 2)->text(), QStringLiteral("404"));
    }

    void clearHidesWhatWasCaptured()
    {
        fill(5);
        TrafficModel model;
        QVERIFY(model.open(m_path));
        QTRY_COMPARE(model.rowCount(), 5);
        model.clearView();
        QCOMPARE(model.rowCount(), 0);
        model.reload();
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(), 0);
        m_store->submit(makeExchange(9, 200, {}));
        QVERIFY(m_store->flush());
        model.reload();
        QTRY_COMPARE(model.rowCount(), 1);

        // Clear can be undone: the page offers it, and everything shows again.
        QVERIFY(model.isViewCleared());
        model.showCleared();
        QVERIFY(!model.isViewCleared());
        QTRY_COMPARE(model.rowCount(), 6);
    }

    void thePageOffersToShowWhatWasCleared()
    {
        fill(3);
        TrafficPage page;
        page.setSource(m_store.get(), m_path);
        QTRY_COMPARE(page.model()->rowCount(), 3);
        page.model()->clearView();
        const auto labels = page.findChildren<QLabel *>();
        const auto offer = std::find_if(labels.cbegin(), labels.cend(),
            [](const QLabel *l) { return l->text().contains(QStringLiteral("show them")); });
        QVERIFY(offer != labels.cend());
        Q_EMIT(*offer)->linkActivated(QStringLiteral("#"));
        QTRY_COMPARE(page.model()->rowCount(), 3);
        QVERIFY(!(*offer)->text().contains(QStringLiteral("show them")));
    }

    // Nothing selected: the details say so, without an empty "Request 0 µs" waterfall.
    void emptyDetailsShowNoTimings()
    {
        ExchangeDetails details;
        auto *waterfall = details.findChild<TimingWaterfall *>();
        QVERIFY(waterfall);
        QVERIFY(waterfall->isHidden());
        details.setExchange(makeExchange(1, 200, "{}"));
        QVERIFY(!waterfall->isHidden());
        details.clear();
        QVERIFY(waterfall->isHidden());
    }

    // The protocol the client spoke: a column of its own (filterable), a row of the details and
    // the version in the head lines. Rows of older capture files show nothing.
    void showsTheProtocol()
    {
        QVERIFY(storeExchanges(3, [](int i) {
            capture::Exchange e = makeExchange(i, 200, "{}");
            e.protocol = i == 0 ? QString() : i == 1 ? QStringLiteral("HTTP/1.1") : QStringLiteral("HTTP/2");
            return e;
        }));
        TrafficModel model;
        QVERIFY(model.open(m_path));
        QTRY_COMPARE(model.rowCount(), 3);
        QCOMPARE(model.headerData(TrafficModel::Protocol, Qt::Horizontal, Qt::DisplayRole).toString(),
            QStringLiteral("Protocol"));
        QTRY_COMPARE(model.index(2, TrafficModel::Protocol).data().toString(), QStringLiteral("HTTP/2"));
        QCOMPARE(model.index(1, TrafficModel::Protocol).data().toString(), QStringLiteral("HTTP/1.1"));
        QCOMPARE(model.index(0, TrafficModel::Protocol).data().toString(), QString());
        QVERIFY(model.index(2, TrafficModel::Protocol)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("protocol:HTTP/2")));
        QVERIFY(model.setFilter(QStringLiteral("protocol:HTTP/2")));
        QTRY_VERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(), 1);

        ExchangeDetails details;
        capture::Exchange e = makeExchange(4, 201, "{}");
        e.protocol = QStringLiteral("HTTP/2");
        details.setExchange(e);
        auto *summary = details.findChild<QLabel *>(QStringLiteral("exchangeSummary"));
        QVERIFY(summary);
        QVERIFY2(summary->text().contains(QStringLiteral(">Protocol</td><td>HTTP/2<")),
            qPrintable(summary->text()));
        const QList<QPlainTextEdit *> heads = details.findChildren<QPlainTextEdit *>();
        QStringList texts;
        for (const QPlainTextEdit *h : heads)
            texts << h->toPlainText();
        QVERIFY2(
            texts.filter(QStringLiteral("GET /users/4 HTTP/2\n")).size() == 1, qPrintable(texts.join(u'|')));
        QVERIFY2(texts.filter(QStringLiteral("HTTP/2 201\n")).size() == 1, qPrintable(texts.join(u'|')));
    }
};

QTEST_MAIN(TrafficInspectorTest)
#include "tst_TrafficInspector.moc"
