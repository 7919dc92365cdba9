// The traffic model's reads on its reader thread, over a real capture database: rows show a
// placeholder until their page arrives, answers to questions no longer asked (a filter changed, a
// reset) are dropped, the page cache stays bounded, and the model can be destroyed while a read
// is in flight.

#include "core/capture/CaptureStore.h"
#include "tests/ui/TrafficFixture.h"
#include "ui/traffic/ExchangeDetails.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficPage.h"
#include "ui/traffic/TrafficTable.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QPointer>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace portico;
using namespace portico::ui;

namespace {

capture::Exchange makeExchange(int i)
{
    return test::makeExchange(i, i % 5 ? 200 : 503, QByteArrayLiteral("{\"name\":\"alice\"}"));
}

} // namespace

class TrafficModelAsyncTest : public QObject, private test::TrafficFixture
{
    Q_OBJECT

private:
    void fill(int count)
    {
        QVERIFY(storeExchanges(count, [](int i) { return makeExchange(i); }));
    }

private Q_SLOTS:
    void init()
    {
        QString error;
        QVERIFY2(openStore(QStringLiteral("async"), &error), qPrintable(error));
    }

    void cleanup() { closeStore(); }

    void rowsShowAPlaceholderUntilTheirPageArrives()
    {
        fill(1000);
        TrafficModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.open(m_path));
        // The ids are read on the reader thread too: empty until they arrive.
        QVERIFY(model.isLoading());
        QCOMPARE(model.rowCount(), 0);
        QSignalSpy loaded(&model, &TrafficModel::idsLoaded);
        QTRY_COMPARE(model.rowCount(), 1000);
        QCOMPARE(loaded.size(), 1);

        const int row = 650; // page 3, not read by anyone yet
        QVERIFY(!model.isRowLoaded(row));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        // A placeholder of the same shape: the id (known), a grey ellipsis, nothing else.
        QCOMPARE(model.index(row, TrafficModel::Id).data().toLongLong(), 651);
        QCOMPARE(model.index(row, TrafficModel::Path).data().toString(), QStringLiteral("…"));
        QVERIFY(model.index(row, TrafficModel::Method).data().toString().isEmpty());
        QCOMPARE(model.index(row, TrafficModel::Status).data(Qt::ForegroundRole).value<QBrush>().color(),
            QColor(0x9e, 0x9e, 0x9e));
        QCOMPARE(model.index(row, TrafficModel::Id).data(Qt::UserRole).toLongLong(), 651);
        QVERIFY(!model.isRowLoaded(row)); // data() asked for the page; it has not answered yet

        QTRY_VERIFY(model.isRowLoaded(row));
        QCOMPARE(model.index(row, TrafficModel::Path).data().toString(), QStringLiteral("/users/650"));
        QCOMPARE(model.index(row, TrafficModel::Method).data().toString(), QStringLiteral("GET"));
        // The whole page was announced at once (the model tester's read of row 0 may have been
        // announced too).
        QList<QVariantList> announced;
        for (const auto &args : std::as_const(changed)) {
            if (args.at(1).value<QModelIndex>().row() >= row)
                announced << args;
        }
        QCOMPARE(announced.size(), 1);
        const auto first = announced.at(0).at(0).value<QModelIndex>();
        const auto last = announced.at(0).at(1).value<QModelIndex>();
        QCOMPARE(first.row(), 3 * TrafficModel::kPageSize);
        QCOMPARE(last.row(), 4 * TrafficModel::kPageSize - 1);
        QCOMPARE(last.column(), TrafficModel::ColumnCount - 1);
        QVERIFY(model.isRowLoaded(3 * TrafficModel::kPageSize));
        QVERIFY(!model.isRowLoaded(4 * TrafficModel::kPageSize));
        // Asking again while it is requested does not queue it twice.
        model.index(900, 0).data();
        model.index(901, 0).data();
        QCOMPARE(model.requestedPageCount(), 1);
        QTRY_VERIFY(model.isRowLoaded(999));
        QCOMPARE(model.requestedPageCount(), 0);
    }

    void pagesReadBeforeAFilterChangeAreDropped()
    {
        fill(600);
        TrafficModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.open(m_path));
        QTRY_COMPARE(model.rowCount(), 600);
        // Asks for pages 0 and 2 of the unfiltered view, then changes the filter before the
        // answers can be delivered (they are delivered through this thread's event loop). Row 0
        // is id 1 in both views, so only the generation tells the old page 0 from the new one.
        model.index(0, TrafficModel::Path).data();
        model.index(450, TrafficModel::Path).data();
        // Time for the reader thread to read both (a read takes about a millisecond): without
        // this the filter change would find them still queued and simply drop them. Events are
        // not processed meanwhile, so the answers wait to be delivered.
        QThread::msleep(200);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(model.setFilter(QStringLiteral("method:GET")));
        QCOMPARE(model.rowCount(), 0);
        QTRY_COMPARE(model.rowCount(), 300);
        // A fresh read after the stale answers: once it is in, they have all been delivered.
        model.index(299, TrafficModel::Path).data();
        QTRY_VERIFY(model.isRowLoaded(299));
        model.index(0, TrafficModel::Path).data();
        QTRY_VERIFY(model.isRowLoaded(0));
        // Only pages of the new view were announced, and they hold GETs: the old pages (GET and
        // POST mixed) were not taken.
        for (const auto &args : std::as_const(changed))
            QVERIFY(args.at(1).value<QModelIndex>().row() < 300);
        for (int r = 0; r < 300; ++r) {
            QCOMPARE(model.index(r, TrafficModel::Method).data().toString(), QStringLiteral("GET"));
            QCOMPARE(model.index(r, TrafficModel::Id).data().toLongLong(), 2 * r + 1);
        }
    }

    void liveChecksFromBeforeAFilterChangeAreDropped()
    {
        fill(10);
        TrafficModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.open(m_path));
        QVERIFY(model.setFilter(QStringLiteral("method:POST")));
        QTRY_COMPARE(model.rowCount(), 5);
        connect(m_store.get(), &capture::CaptureStore::exchangesStored, &model, &TrafficModel::enqueueLive);
        QSignalSpy stored(m_store.get(), &capture::CaptureStore::exchangesStored);
        for (int i = 10; i < 20; ++i)
            m_store->submit(makeExchange(i));
        QVERIFY(m_store->flush());
        QTRY_VERIFY(!stored.isEmpty());
        QCoreApplication::processEvents(); // the queued rows reach the model
        // The rows go to the reader thread to be checked for POST (nothing is inserted now); the
        // filter changes before the answer is delivered: it must not add POSTs (ids 18 and 20,
        // above the new view's newest) to a status view.
        QCOMPARE(model.flushLive(), 0);
        QVERIFY(model.setFilter(QStringLiteral("status:503")));
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QTRY_VERIFY(!model.isLoading());
        QTest::qWait(50); // room for a stale answer to arrive and be (wrongly) applied
        QCOMPARE(inserted.size(), 0);
        QCOMPARE(model.rowCount(), 4); // 0, 5, 10, 15
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(model.summary(r).status, 503);
        // New live rows are still checked against the new filter.
        for (int i = 20; i < 30; ++i)
            m_store->submit(makeExchange(i));
        QTRY_COMPARE(model.rowCount(), 6);
        QCOMPARE(model.summary(5).id, 26);
    }

    void theCacheStaysBounded()
    {
        fill(TrafficModel::kPageSize * (TrafficModel::kCachedPages + 6));
        TrafficModel model;
        QVERIFY(model.open(m_path));
        QTRY_VERIFY(!model.isLoading());
        const int pages = model.rowCount() / TrafficModel::kPageSize;
        QCOMPARE(pages, TrafficModel::kCachedPages + 6);
        // A burst (a scrollbar dragged over every page): only the newest few requests wait, the
        // rest are dropped; the last page asked for is answered.
        for (int p = 0; p < pages; ++p)
            model.index(p * TrafficModel::kPageSize, 0).data();
        QTRY_COMPARE(model.requestedPageCount(), 0);
        QVERIFY(model.isRowLoaded(model.rowCount() - 1));
        // Every page in turn: the cache keeps the most recently used.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        for (int p = 0; p < pages; ++p) {
            const int row = p * TrafficModel::kPageSize;
            model.index(row, 0).data();
            if (!model.isRowLoaded(row))
                QVERIFY(changed.wait(5000));
            QVERIFY(model.isRowLoaded(row));
            QVERIFY(model.cachedPageCount() <= TrafficModel::kCachedPages);
        }
        QCOMPARE(model.cachedPageCount(), TrafficModel::kCachedPages);
        QVERIFY(!model.isRowLoaded(0));
        QVERIFY(model.isRowLoaded(model.rowCount() - 1));
    }

    void aTableScrolledToTheEndShowsRealRows()
    {
        fill(3000);
        TrafficPage page;
        page.resize(1000, 600);
        page.setSource(m_store.get(), m_path);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model()->rowCount(), 3000);
        TrafficTable *table = page.table();
        QTRY_VERIFY(table->isAtBottom());
        const QModelIndex bottom = table->indexAt(QPoint(4, table->viewport()->height() - 4));
        QVERIFY(bottom.isValid());
        QTRY_VERIFY(page.model()->isRowLoaded(bottom.row()));
        QCOMPARE(bottom.siblingAtColumn(TrafficModel::Path).data().toString(),
            QStringLiteral("/users/%1").arg(bottom.row()));
        // A jump to the top: placeholders for a moment, then the oldest rows.
        table->verticalScrollBar()->setValue(0);
        QTRY_VERIFY(page.model()->isRowLoaded(0));
        QCOMPARE(page.model()->index(0, TrafficModel::Path).data().toString(), QStringLiteral("/users/0"));
        // The details are read off the UI thread too.
        table->selectRow(1);
        QTRY_COMPARE(page.details()->exchange().id, 2);
    }

    void destroyingTheModelWhileAReadIsInFlightIsSafe()
    {
        fill(6000);
        for (int round = 0; round < 5; ++round) {
            auto *model = new TrafficModel;
            QPointer<TrafficModel> guard(model);
            QSignalSpy loaded(model, &TrafficModel::idsLoaded);
            QVERIFY(model->open(m_path));
            QTRY_VERIFY(!model->isLoading());
            // A costly scan, page reads and an exchange read queued or running...
            QVERIFY(model->setFilter(QStringLiteral("body:alice")));
            model->requestExchange(3);
            QTest::qWait(round); // ...caught at a different moment each round
            for (int r = 0; r < model->rowCount(); r += 150)
                model->index(r, 0).data();
            delete model;
            QVERIFY(guard.isNull());
            // Answers posted before the reader thread was joined die with the model.
            QTest::qWait(20);
        }
        // A page owning the model, deleted with its reads in flight.
        auto *page = new TrafficPage;
        page->setSource(m_store.get(), m_path);
        page->show();
        QTest::qWait(1);
        delete page;
        QTest::qWait(20);
    }
};

QTEST_MAIN(TrafficModelAsyncTest)
#include "tst_TrafficModelAsync.moc"
