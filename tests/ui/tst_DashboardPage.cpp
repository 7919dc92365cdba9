// The dashboard shows numbers a user can trust: every axis label is the value of its grid line,
// the top consumers count the requests clients made, not the upstream calls of an aggregate, and
// the charts run over wall-clock time with idle seconds as gaps (never as a line at 0 ms).

#include "tests/ui/TrafficFixture.h"
#include "ui/dashboard/DashboardPage.h"
#include "ui/dashboard/GapSeries.h"

#include <QChart>
#include <QDateTimeAxis>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>

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

    void idleSecondsAreGapsOnATimeAxis()
    {
        DashboardPage page;
        page.resize(1000, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const QDateTime t0 = QDateTime::fromString(QStringLiteral("2026-12-05T14:00:00"), Qt::ISODate);
        MetricsSampler::Figures busy;
        busy.requests = 4;
        busy.requestsPerSecond = 4;
        busy.errorRate = 0.25;
        busy.p50 = 0.002;
        busy.p95 = 0.012;
        busy.p99 = 0.030;
        const MetricsSampler::Figures idle; // nothing answered in that second
        // 5 s of traffic, 10 s idle, 3 s of traffic, 1 s idle, 1 s of traffic.
        int second = 0;
        auto feed = [&](int n, const MetricsSampler::Figures &f) {
            for (int i = 0; i < n; ++i)
                page.addSample(t0.addSecs(second++), f);
        };
        feed(5, busy);
        feed(10, idle);
        feed(3, busy);
        feed(1, idle);
        feed(1, busy);

        // Latency and errors: three runs (5, 3 and a lone second drawn as a dot), nothing at 0 ms.
        for (const GapSeries *line :
            { page.latencyLine(0), page.latencyLine(1), page.latencyLine(2), page.errorsLine() }) {
            const QList<QLineSeries *> runs = line->segments();
            QCOMPARE(runs.size(), 3);
            QCOMPARE(runs.at(0)->count(), 5);
            QCOMPARE(runs.at(1)->count(), 3);
            QCOMPARE(runs.at(2)->count(), 1);
            QVERIFY(runs.at(2)->pointsVisible());
            QVERIFY(!runs.at(0)->pointsVisible());
            QCOMPARE(qint64(runs.at(1)->at(0).x()), t0.addSecs(15).toMSecsSinceEpoch());
            for (QLineSeries *run : runs) {
                QCOMPARE(run->pen().color(), runs.at(0)->pen().color());
                QCOMPARE(run->attachedAxes(), runs.at(0)->attachedAxes());
                for (const QPointF &p : run->points())
                    QVERIFY2(p.y() > 0, "an idle second drawn as a value");
            }
        }
        QCOMPARE(page.latencyLine(2)->segments().at(0)->at(0).y(), 30.0);
        // requests/s is a measurement when idle: 0, one unbroken line.
        QCOMPARE(page.requestsLine()->segments().size(), 1);
        QCOMPARE(page.requestsLine()->pointCount(), 20);
        QCOMPARE(page.requestsLine()->segments().at(0)->at(7).y(), 0.0);

        // The legend names p50, p95 and p99 once each, however many runs.
        QChart *latency = page.latencyLine(0)->legendSeries()->chart();
        auto legend = [latency] {
            QStringList shown;
            for (QLegendMarker *m : latency->legend()->markers()) {
                if (m->isVisible())
                    shown << m->label();
            }
            return shown;
        };
        // The legend lays itself out on the next turn of the event loop.
        QTRY_COMPARE(
            legend(), (QStringList { QStringLiteral("p50"), QStringLiteral("p95"), QStringLiteral("p99") }));

        // A wall-clock axis over the last two minutes.
        const QDateTime last = t0.addSecs(19);
        for (QDateTimeAxis *axis : page.timeAxes()) {
            QCOMPARE(axis->max(), last);
            QCOMPARE(axis->min(), last.addSecs(-DashboardPage::kWindowSeconds));
            QCOMPARE(axis->format(), QStringLiteral("HH:mm:ss"));
        }
        QVERIFY(page.latencyAxis()->max() >= 30.0);

        // The window slides: after two more minutes of traffic the old runs are gone, not hidden.
        feed(DashboardPage::kWindowSeconds + 5, busy);
        for (const GapSeries *line : { page.latencyLine(0), page.errorsLine(), page.requestsLine() }) {
            QCOMPARE(line->segments().size(), 1);
            QCOMPARE(line->pointCount(), DashboardPage::kWindowSeconds + 1);
        }
        QCOMPARE(latency->series().size(), 3 * 2); // per line: the legend carrier and one run
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
