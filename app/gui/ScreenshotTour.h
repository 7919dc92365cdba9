#pragma once

#include <QDir>
#include <QList>
#include <QObject>
#include <QString>

namespace portico::ui {
class MainWindow;
}

// `portico --demo --screenshots DIR`: lets the demo's sample traffic flow for a while, then shows
// the interesting sections one after another (with a row selected where there is a form or a
// details pane), saves each as DIR/<section>.png from the window's own rendering, and quits.
// resources/screenshots.sh runs it under Xvfb for the README. A warmup of a minute or more includes
// an idle pause of the sample traffic, so the dashboard shot shows how idle time looks.
class ScreenshotTour final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScreenshotTour)

public:
    ScreenshotTour(
        portico::ui::MainWindow *window, const QString &directory, int warmupMs, QObject *parent = nullptr);

    void start();

    static constexpr int kPauseMs = 12'000;
    static constexpr int kResumeMs = 15'000;

private:
    void showNext();
    void capture();

    portico::ui::MainWindow *m_window;
    QDir m_dir;
    int m_warmupMs;
    struct Shot
    {
        QString section;
        QString file; // stem of the PNG
        int detailsTab = -1; // traffic: the details tab to show
    };
    QList<Shot> m_remaining;
    Shot m_current;
};
