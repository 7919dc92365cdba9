#include "ScreenshotTour.h"

#include "ui/main/MainActions.h"
#include "ui/main/MainWindow.h"
#include "ui/sections/SectionPage.h"
#include "ui/traffic/ExchangeDetails.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficPage.h"
#include "ui/traffic/TrafficTable.h"

#include <QApplication>
#include <QPixmap>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>

using portico::ui::MainWindow;

ScreenshotTour::ScreenshotTour(MainWindow *window, const QString &directory, int warmupMs, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_dir(directory)
    , m_warmupMs(warmupMs)
    , m_remaining({ { QStringLiteral("Routes"), QStringLiteral("routes") },
          { QStringLiteral("Traffic"), QStringLiteral("traffic"), 0 },
          { QStringLiteral("Traffic"), QStringLiteral("traffic-response"), 2 },
          { QStringLiteral("Dashboard"), QStringLiteral("dashboard") },
          { QStringLiteral("Export"), QStringLiteral("export") },
          { QStringLiteral("Consumers & Keys"), QStringLiteral("consumers") },
          { QStringLiteral("Auth"), QStringLiteral("auth") },
          { QStringLiteral("Versions"), QStringLiteral("versions") } })
{
}

void ScreenshotTour::start()
{
    m_dir.mkpath(QStringLiteral("."));
    // A fixed size, whatever layout was saved before: the README shows all shots side by side.
    m_window->resize(1280, 800);
    // With time enough, the sample traffic pauses for kPauseMs and resumes kResumeMs before the
    // first shot: the dashboard shows how an idle stretch looks (a gap in latency and errors).
    if (m_warmupMs >= kPauseMs + kResumeMs + 20'000) {
        QAction *sample = m_window->actions()->sampleTraffic;
        auto set = [sample](bool on) {
            sample->setChecked(on);
            std::printf("sample traffic %s\n", on ? "resumed" : "paused");
            std::fflush(stdout);
        };
        QTimer::singleShot(m_warmupMs - kPauseMs - kResumeMs, this, [set] { set(false); });
        QTimer::singleShot(m_warmupMs - kResumeMs, this, [set] { set(true); });
    }
    QTimer::singleShot(m_warmupMs, this, &ScreenshotTour::showNext);
}

void ScreenshotTour::showNext()
{
    if (m_remaining.isEmpty()) {
        QApplication::quit();
        return;
    }
    m_current = m_remaining.takeFirst();
    m_window->showSection(m_current.section);
    QWidget *page = m_window->section(m_current.section);
    if (auto *section = qobject_cast<portico::ui::SectionPage *>(page)) {
        section->selectRow(0);
    } else if (auto *traffic = qobject_cast<portico::ui::TrafficPage *>(page)) {
        // A proxied GET with the largest answer (a JSON body worth showing), far enough above the
        // live end that following new rows does not scroll it away.
        portico::ui::TrafficTable *table = traffic->table();
        const int rows = traffic->model()->rowCount();
        int pick = rows - 1;
        qint64 largest = -1;
        for (int r = rows - 25; r >= std::max(0, rows - 80); --r) {
            const auto s = traffic->model()->summary(r);
            if (s.status == 200 && s.method == u"GET" && !s.upstream.isEmpty() && s.responseBytes > largest) {
                largest = s.responseBytes;
                pick = r;
            }
        }
        if (pick >= 0) {
            table->selectRow(pick);
            table->scrollTo(traffic->model()->index(pick, 0), QAbstractItemView::PositionAtCenter);
        }
        if (m_current.detailsTab >= 0)
            traffic->details()->tabs()->setCurrentIndex(m_current.detailsTab);
    }
    // Let the page lay itself out and the charts receive another sample before the shot.
    QTimer::singleShot(m_current.section == u"Dashboard" ? 2500 : 700, this, &ScreenshotTour::capture);
}

void ScreenshotTour::capture()
{
    const QString file = m_dir.filePath(m_current.file + QStringLiteral(".png"));
    if (!m_window->grab().save(file))
        std::fprintf(stderr, "portico: cannot write %s\n", qPrintable(file));
    else
        std::printf("wrote %s\n", qPrintable(file));
    std::fflush(stdout);
    showNext();
}
