#pragma once

#include <QObject>

class QSettings;

namespace portico::ui {

class GatewayController;
class LiveState;
class MainWindow;
class RecentFiles;
class SampleTraffic;
class WorkspaceDocument;

// Builds the app's objects and hands each the others it needs (no singletons): the document, the
// recent files list, the window and its section pages. main() makes one and calls start().
class Application final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Application)

public:
    // `settings` is owned by the caller (tests pass one backed by a temporary file).
    explicit Application(QSettings *settings, QObject *parent = nullptr);
    ~Application() override;

    WorkspaceDocument *document() const { return m_document; }
    MainWindow *window() const { return m_window; }
    GatewayController *gateway() const { return m_gateway; }
    LiveState *liveState() const { return m_live; }

    // Validates the document and hot-applies it; false (and the problems shown) when invalid.
    bool applyToGateway();
    bool startGateway();
    // Starts the demo backends and opens the demo workspace (the first-start experience).
    bool openDemo();

    // Opens `path`, or else the last workspace, or else the demo; then shows the window.
    void start(const QString &path);
    // Shows the window on the demo workspace with sample traffic flowing (screenshots, `--demo`).
    void startDemo();
    // The application's look: Fusion with a light palette and a small style sheet.
    static void applyStyle();

private:
    void buildSections();
    void wireGateway();
    void sampleStatus();
    void showRateLimitStore();

    QSettings *m_settings;
    WorkspaceDocument *m_document;
    RecentFiles *m_recent;
    GatewayController *m_gateway;
    SampleTraffic *m_sample;
    MainWindow *m_window;
    LiveState *m_live = nullptr;
    quint64 m_lastTotal = 0;
};

} // namespace portico::ui
