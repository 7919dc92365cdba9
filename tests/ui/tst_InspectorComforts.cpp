// What users of HTTP Toolkit, Charles and Wireshark expect of the traffic inspector: a row menu
// (replay, resend, copy as curl, copy URL, filter by a value, compare with...), columns to choose
// and remembered, a follow-live toggle, Compare of requests as well as responses, messages kept
// whole in a log, and a copy button beside generated keys. At 1100 px the table keeps its key
// columns and elides the path.

#include "core/config/WorkspaceLoader.h"
#include "tests/ui/TrafficFixture.h"
#include "ui/document/WorkspaceDocument.h"
#include "ui/models/ConsumersModel.h"
#include "ui/models/RowsModel.h"
#include "ui/sections/ConsumerForm.h"
#include "ui/sections/SectionPage.h"
#include "ui/traffic/DiffDialog.h"
#include "ui/traffic/FilterBar.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficPage.h"
#include "ui/traffic/TrafficTable.h"
#include "ui/widgets/CheckList.h"
#include "ui/widgets/NoticeLog.h"
#include "ui/widgets/RowsEditor.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QToolButton>
#include <QVBoxLayout>

using namespace portico;
using namespace portico::ui;

namespace {

QAction *actionNamed(QMenu *menu, const QString &startsWith)
{
    for (QAction *a : menu->actions()) {
        if (a->text().remove(u'&').startsWith(startsWith))
            return a;
    }
    return nullptr;
}

} // namespace

class InspectorComfortsTest : public QObject, private ui::test::TrafficFixture
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QString error;
        QVERIFY2(openStore(QStringLiteral("comforts"), &error), qPrintable(error));
    }
    void cleanup() { closeStore(); }

    void rowMenuCopiesFiltersAndCompares()
    {
        QVERIFY(storeExchanges(6, [](int i) {
            capture::Exchange e = ui::test::makeExchange(i, i == 3 ? 404 : 200, "{}");
            if (i == 4)
                e.consumer = QStringLiteral("bob smith"); // a value that needs quoting
            return e;
        }));
        TrafficPage page;
        page.setSource(m_store.get(), m_path);
        QTRY_COMPARE(page.model()->rowCount(), 6);
        page.table()->selectRow(2);
        QMenu *menu = page.rowMenu(2, TrafficModel::Status);
        for (const QString &item :
            { QStringLiteral("Replay"), QStringLiteral("Edit"), QStringLiteral("Copy as curl"),
                QStringLiteral("Copy URL"), QStringLiteral("Only status 200"),
                QStringLiteral("Hide status 200"), QStringLiteral("Compare with…") })
            QVERIFY2(actionNamed(menu, item), qPrintable(item));
        actionNamed(menu, QStringLiteral("Copy URL"))->trigger();
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("http://api.local/users/2"));
        QVERIFY(page.notice()->text().contains(QStringLiteral("http://api.local/users/2")));

        // Filter by a value: the term joins the filter, and the table follows.
        actionNamed(menu, QStringLiteral("Hide status 200"))->trigger();
        delete menu;
        QCOMPARE(page.model()->filterText(), QStringLiteral("-status:200"));
        QTRY_COMPARE(page.model()->rowCount(), 1);
        QVERIFY(page.applyFilter(QString()));
        QTRY_COMPARE(page.model()->rowCount(), 6);
        QVERIFY(page.filterBy(4, TrafficModel::Consumer, false));
        QCOMPARE(page.model()->filterText(), QStringLiteral("consumer:\"bob smith\""));
        QTRY_COMPARE(page.model()->rowCount(), 1);
        QVERIFY(!page.filterBy(0, TrafficModel::Duration, false)); // no such field
        QVERIFY(page.applyFilter(QString()));
        QTRY_COMPARE(page.model()->rowCount(), 6);

        // Compare with...: mark one, the next menu offers the comparison.
        menu = page.rowMenu(1, TrafficModel::Path);
        actionNamed(menu, QStringLiteral("Compare with…"))->trigger();
        delete menu;
        QCOMPARE(page.compareMark(), page.model()->idAt(1));
        page.table()->selectRow(3);
        menu = page.rowMenu(3, TrafficModel::Path);
        QVERIFY(actionNamed(menu, QStringLiteral("Compare with #%1").arg(page.model()->idAt(1))));
        QVERIFY(actionNamed(menu, QStringLiteral("Columns")) || menu->findChild<QMenu *>());
        delete menu;
    }

    void columnsAreChosenAndRemembered()
    {
        QVERIFY(storeExchanges(3, [](int i) { return ui::test::makeExchange(i, 200, "{}"); }));
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        {
            TrafficPage page;
            page.table()->setSettings(&settings);
            // Route and Consumer shown by default; Protocol, Host, Version, Upstream hidden.
            QVERIFY(!page.table()->isColumnHidden(TrafficModel::Route));
            QVERIFY(!page.table()->isColumnHidden(TrafficModel::Consumer));
            QVERIFY(page.table()->isColumnHidden(TrafficModel::Host));
            QVERIFY(page.table()->isColumnHidden(TrafficModel::Protocol));
            QMenu *columns = page.table()->columnsMenu();
            actionNamed(columns, QStringLiteral("Host"))->setChecked(true);
            actionNamed(columns, QStringLiteral("Consumer"))->setChecked(false);
            QVERIFY(!actionNamed(columns, QStringLiteral("Path"))->isEnabled()); // never hidden
            delete columns;
            QVERIFY(!page.table()->isColumnHidden(TrafficModel::Host));
            QVERIFY(page.table()->isColumnHidden(TrafficModel::Consumer));
        }
        TrafficPage again;
        again.table()->setSettings(&settings);
        QVERIFY(!again.table()->isColumnHidden(TrafficModel::Host));
        QVERIFY(again.table()->isColumnHidden(TrafficModel::Consumer));
        QVERIFY(!again.table()->isColumnHidden(TrafficModel::Route));
    }

    // The page as laid out at 1100x700 (a laptop with a dock): status, duration and size in view,
    // the path elided rather than pushing them out.
    void narrowWindowKeepsKeyColumns()
    {
        QVERIFY(storeExchanges(40, [](int i) {
            capture::Exchange e = ui::test::makeExchange(i, 200, "{}");
            e.path = QStringLiteral("/v1/api/organisations/acme/projects/%1/environments/staging/deployments")
                         .arg(i);
            return e;
        }));
        TrafficPage page;
        page.resize(1100 - 190, 640); // the window minus the section list
        page.setSource(m_store.get(), m_path);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model()->rowCount(), 40);
        TrafficTable *table = page.table();
        const int visible = table->viewport()->width();
        for (int c : { int(TrafficModel::Status), int(TrafficModel::Duration), int(TrafficModel::Size) }) {
            const int right = table->columnViewportPosition(c) + table->columnWidth(c);
            QVERIFY2(right <= visible,
                qPrintable(QStringLiteral("column %1 ends at %2 of %3").arg(c).arg(right).arg(visible)));
        }
        QCOMPARE(table->textElideMode(), Qt::ElideMiddle);
        QVERIFY(table->columnWidth(TrafficModel::Path) >= 100);
    }

    // Route and consumer names are read whole ("publ...alog" was public-catalog): the columns widen
    // to the names shown, up to a limit, the key columns stay in view at 1100 px, and a column the
    // user sized by hand is left alone.
    void routeNamesAreNotElided()
    {
        QVERIFY(storeExchanges(30, [](int i) {
            capture::Exchange e = ui::test::makeExchange(i, 200, "{}");
            e.route = i == 7 ? QStringLiteral("public-catalog") : QStringLiteral("users");
            e.consumer = i == 9 ? QStringLiteral("integration-partner") : QStringLiteral("alice");
            if (i == 11) // hostile: a name as long as a path
                e.route = QString(300, u'r');
            if (i == 12)
                e.addNote(QString::fromLatin1(capture::kSampleNote));
            return e;
        }));
        TrafficPage page;
        page.resize(1100 - 190, 640);
        page.setSource(m_store.get(), m_path);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model()->rowCount(), 30);
        TrafficTable *table = page.table();
        const QFontMetrics metrics(table->font());
        QTRY_VERIFY(table->columnWidth(TrafficModel::Route)
            > metrics.horizontalAdvance(QStringLiteral("public-catalog")));
        QVERIFY(table->columnWidth(TrafficModel::Consumer)
            > metrics.horizontalAdvance(QStringLiteral("integration-partner")));
        QCOMPARE(table->columnWidth(TrafficModel::Route), TrafficTable::kMaxNameWidth); // capped
        // The sample tag reaches the view (the model passes the decoration on), the path is whole.
        const QModelIndex sample = page.model()->index(12, TrafficModel::Path);
        QVERIFY(!sample.data(Qt::DecorationRole).value<QPixmap>().isNull());
        QCOMPARE(sample.data().toString(), QStringLiteral("/users/12"));
        QVERIFY(!page.model()->index(13, TrafficModel::Path).data(Qt::DecorationRole).isValid());
        // Sizes in short units ("684 B", not "684 bytes") keep that column narrow.
        QVERIFY2(page.model()->index(0, TrafficModel::Size).data().toString().endsWith(QStringLiteral(" B")),
            qPrintable(page.model()->index(0, TrafficModel::Size).data().toString()));
        const int visible = table->viewport()->width();
        for (int c : { int(TrafficModel::Status), int(TrafficModel::Duration), int(TrafficModel::Size) })
            QVERIFY(table->columnViewportPosition(c) + table->columnWidth(c) <= visible);
        QVERIFY(table->columnWidth(TrafficModel::Path) >= TrafficTable::kMinPathWidth);

        // Sized by hand: new rows do not widen it again.
        table->horizontalHeader()->resizeSection(TrafficModel::Consumer, 60);
        QVERIFY(storeExchanges(1, [](int i) {
            capture::Exchange e = ui::test::makeExchange(i, 200, "{}");
            e.consumer = QStringLiteral("another-rather-long-consumer");
            return e;
        }));
        QTRY_COMPARE(page.model()->rowCount(), 31);
        QCOMPARE(table->columnWidth(TrafficModel::Consumer), 60);
    }

    // Check lists (the route's methods) wrap onto more rows in a narrow form instead of being
    // cut ("OPTIONS" read "OF"), and grow taller by as much.
    void checkListsReflow()
    {
        QWidget pane; // as in a form: the parent's layout asks the list's hints
        auto *layout = new QVBoxLayout(&pane);
        auto &list = *new CheckList(&pane);
        layout->addWidget(&list);
        layout->addStretch(1);
        list.setOptions(
            { QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"), QStringLiteral("PATCH"),
                QStringLiteral("DELETE"), QStringLiteral("HEAD"), QStringLiteral("OPTIONS") });
        pane.resize(list.sizeHint().width() + 40, 200);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        QTRY_COMPARE(list.columns(), 7);
        const int oneRow = list.height();
        pane.resize(list.minimumSizeHint().width() * 3, 200);
        QTRY_VERIFY(list.columns() < 7);
        QTRY_VERIFY(list.height() > oneRow);
        for (const QString &m : { QStringLiteral("OPTIONS"), QStringLiteral("DELETE") }) {
            QCheckBox *box = list.box(m);
            QVERIFY2(box->geometry().right() <= list.width() && box->width() >= box->sizeHint().width(),
                qPrintable(m));
        }
        QVERIFY(list.minimumSizeHint().width() < list.sizeHint().width() / 3);
    }

    void followLiveToggles()
    {
        QVERIFY(storeExchanges(300, [](int i) { return ui::test::makeExchange(i, 200, "{}"); }));
        TrafficPage page;
        page.resize(900, 400);
        page.setSource(m_store.get(), m_path);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE(page.model()->rowCount(), 300);
        TrafficTable *table = page.table();
        QVERIFY(page.followButton()->isChecked());
        QTRY_VERIFY(table->isAtBottom());
        // Scrolling up stops following; new rows do not move the view.
        table->verticalScrollBar()->setValue(0);
        QVERIFY(!page.followButton()->isChecked());
        m_store->submit(ui::test::makeExchange(300, 200, "{}"));
        QVERIFY(m_store->flush());
        QTRY_COMPARE(page.model()->rowCount(), 301);
        QCOMPARE(table->verticalScrollBar()->value(), 0);
        // The toggle follows again, at once.
        page.followButton()->click();
        QVERIFY(table->followLive());
        QVERIFY(table->isAtBottom());
        m_store->submit(ui::test::makeExchange(301, 200, "{}"));
        QVERIFY(m_store->flush());
        QTRY_COMPARE(page.model()->rowCount(), 302);
        QTRY_VERIFY(table->isAtBottom());
    }

    void compareShowsRequestsToo()
    {
        capture::Exchange a = ui::test::makeExchange(1, 200, "{\"n\":1}");
        capture::Exchange b = ui::test::makeExchange(2, 200, "{\"n\":1}");
        a.id = 1;
        b.id = 2;
        a.requestHeaders = { { "Accept", "application/json" } };
        b.requestHeaders = { { "Accept", "text/html" } };
        a.requestBody = "{\"q\":\"x\"}";
        b.requestBody = "{\"q\":\"y\"}";
        DiffDialog dialog(a, b);
        QCOMPARE(dialog.tabs()->count(), 2);
        QCOMPARE(dialog.tabs()->currentIndex(), 1); // the responses are the same: requests first
        QStringList where;
        for (int r = 0; r < dialog.requestChangesTable()->rowCount(); ++r)
            where << dialog.requestChangesTable()->item(r, 0)->text();
        for (const QString &w : { QStringLiteral("method"), QStringLiteral("url"),
                 QStringLiteral("header accept"), QStringLiteral("body $.q") })
            QVERIFY2(where.contains(w, Qt::CaseInsensitive), qPrintable(where.join(u',')));
        QVERIFY(DiffDialog::requestText(a).contains(QStringLiteral("\"q\": \"x\"")));
    }

    void messagesAreKeptWhole()
    {
        TrafficPage page;
        NoticeLog log;
        connect(&page, &TrafficPage::noticeShown, &log, &NoticeLog::add);
        QVERIFY(page.applyFilter(QString()));
        const QString longText
            = QStringLiteral("Replayed #12 as #13: HTTP 401 (") + QString(300, u'x') + u')';
        capture::Exchange e;
        e.id = 13;
        e.status = 401;
        e.notes = QStringLiteral("replay of exchange 12\n") + QString(300, u'x');
        Q_EMIT page.replayed(e);
        QCOMPARE(log.entries().size(), 1);
        QCOMPARE(log.entries().first().text, longText);
        QVERIFY(log.entries().first().warning);
        QVERIFY2(log.text().contains(longText), qPrintable(log.text()));
        log.showLog();
        QVERIFY(log.view()->toPlainText().contains(longText));
        QCOMPARE(log.text().count(u'\n'), 0);
        log.add(QStringLiteral("second"));
        QVERIFY(log.view()->toPlainText().contains(QStringLiteral("second")));
        QVERIFY(log.QToolButton::text().contains(QStringLiteral("Messages (2)")));
    }

    void generatedKeysCanBeCopied()
    {
        const auto loaded = config::loadWorkspaceText(
            "version: 1\nconsumers:\n  - {name: alice}\n", QStringLiteral("/tmp/keys.yaml"));
        QVERIFY(loaded.ok());
        WorkspaceDocument doc;
        doc.reset(*loaded.workspace);
        auto *form = new ConsumerForm(&doc);
        SectionPage page(QStringLiteral("Consumers"), {}, new ConsumersModel(&doc), form); // reloads the form
        QVERIFY(!form->copyButton()->text().isEmpty());
        form->generateButton()->click();
        form->generateButton()->click();
        QCOMPARE(doc.workspace().consumers.at(0).apiKeys.size(), 2);
        form->copyButton()->click(); // the new key is selected
        QCOMPARE(QApplication::clipboard()->text(), doc.workspace().consumers.at(0).apiKeys.at(1));
        QCOMPARE(form->copyButton()->text(), QStringLiteral("Copied"));
        form->keysEditor()->view()->setCurrentIndex(form->keysEditor()->model()->index(0, 0));
        form->copyKey();
        QCOMPARE(QApplication::clipboard()->text(), doc.workspace().consumers.at(0).apiKeys.at(0));
    }
};

QTEST_MAIN(InspectorComfortsTest)
#include "tst_InspectorComforts.moc"
