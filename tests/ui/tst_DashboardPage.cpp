// The dashboard shows numbers a user can trust: every axis label is the value of its grid line,
// and the top consumers count the requests clients made, not the upstream calls of an aggregate.

#include "tests/ui/TrafficFixture.h"
#include "ui/dashboard/DashboardPage.h"

#include <QTableWidget>
#include <QTest>
#include <QValueAxis>

using namespace portico;
using namespace portico::ui;

class DashboardPageTest : public QObject, private test::TrafficFixture
{
    Q_OBJECT

private Q_SLOTS:
    void axisLabelsAreTheGridValues_data()
    {
        QTest::addColumn<double>("top");
        QTest::newRow("4.3 requests/s") << 4.3;
        QTest::newRow("27 ms") << 27.0;
        QTest::newRow("idle") << 1.0;
        QTest::newRow("0.37 ms") << 0.37;
        QTest::newRow("1234 requests/s") << 1234.0;
    }

    void axisLabelsAreTheGridValues()
    {
        QFETCH(double, top);
        QValueAxis axis;
        DashboardPage::fitAxis(&axis, top);
        QCOMPARE(axis.min(), 0.0);
        QVERIFY2(axis.max() >= top, qPrintable(QString::number(axis.max())));
        QVERIFY(axis.max() <= top * 3);
        QVERIFY(axis.tickCount() >= 2 && axis.tickCount() <= 8);
        const double step = axis.max() / (axis.tickCount() - 1);
        for (int i = 0; i < axis.tickCount(); ++i) {
            const double value = i * step;
            const QString label = QString::asprintf(qPrintable(axis.labelFormat()), value);
            QVERIFY2(qAbs(label.toDouble() - value) < 1e-9 * qMax(1.0, value),
                qPrintable(QStringLiteral("grid line %1 is labelled %2").arg(value).arg(label)));
        }
    }

    void topConsumersCountClientRequestsOnly()
    {
        QString error;
        QVERIFY2(openStore(QStringLiteral("dashboard"), &error), qPrintable(error));
        DashboardPage page;
        page.setCaptureStore(m_store.get());

        // alice calls an aggregate route once; the gateway makes two upstream calls for it.
        capture::Exchange parent = test::makeExchange(0, 200, "{}");
        const qint64 parentId = m_store->submit(capture::Exchange(parent));
        QVERIFY(m_store->flush());
        for (int i = 1; i <= 2; ++i) {
            capture::Exchange child = test::makeExchange(i, 200, "{}");
            child.parentId = parentId;
            m_store->submit(std::move(child));
        }
        capture::Exchange bob = test::makeExchange(3, 200, "{}");
        bob.consumer = QStringLiteral("bob");
        m_store->submit(capture::Exchange(bob));
        m_store->submit(std::move(bob));
        QVERIFY(m_store->flush());

        QTableWidget *table = page.consumersTable();
        QTRY_COMPARE(table->rowCount(), 2);
        QTRY_COMPARE(table->item(0, 1)->text(), QStringLiteral("2"));
        QCOMPARE(table->item(0, 0)->text(), QStringLiteral("bob"));
        QCOMPARE(table->item(1, 0)->text(), QStringLiteral("alice"));
        QCOMPARE(table->item(1, 1)->text(), QStringLiteral("1"));
        closeStore();
    }
};

QTEST_MAIN(DashboardPageTest)
#include "tst_DashboardPage.moc"
