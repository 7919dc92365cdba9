#pragma once

#include <QMainWindow>
#include <QStringList>

class QDockWidget;
class QSettings;
class QStackedWidget;

namespace portico::ui {

class NoticeLog;

class MainActions;
class ProblemsPanel;
class RecentFiles;
class SectionList;
class SectionPage;
class StatusPanel;
class WorkspaceDocument;

// The main window: a section list on the left, the section's page in the middle, the problems
// dock at the bottom. It owns file handling (open, save, ask before losing edits, outside changes)
// and forwards gateway commands as signals; what the sections contain is added by Application.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(
        WorkspaceDocument *document, RecentFiles *recent, QSettings *settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Adds a section; `path` names the diagnostic path head it owns ("routes", "upstreams"), if any.
    void addSection(const QString &name, const QString &symbol, QWidget *page, const QString &path = {});
    // Shows the section called `name`, ignoring case, or the only one whose name starts with it
    // ("consumers" for "Consumers & Keys"). False, and nothing changes, when none or several do.
    bool showSection(const QString &name);
    QStringList sectionNames() const;
    QString currentSection() const;
    QWidget *section(const QString &name) const;
    // Shows the page and item a diagnostic path is about ("routes[2].upstream").
    bool goTo(const QString &path);

    MainActions *actions() const { return m_actions; }
    StatusPanel *status() const { return m_status; }
    ProblemsPanel *problems() const { return m_problems; }
    SectionList *sectionList() const { return m_sections; }
    // Every status-bar message in full, and whatever the pages add (Messages (N) in the bar).
    NoticeLog *noticeLog() const { return m_log; }

    bool openWorkspace(const QString &path);
    // Asks whether to save unsaved edits; false when the user cancels.
    bool maybeSave();
    // Restores geometry and dock layout; call after all sections are added.
    void restoreLayout();

Q_SIGNALS:
    void applyRequested();
    void startRequested();
    void stopRequested();
    void sampleTrafficToggled(bool on);
    void workspaceOpened();

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void updateTitle();
    void updateBadges();
    bool saveWorkspace();
    bool saveWorkspaceAs();
    // With problems in the workspace, asks before writing a file that will not load as it is;
    // false when the user keeps editing instead.
    bool confirmSaveWithProblems();
    void openDialog();
    void newWorkspace();
    void onExternallyChanged();

    WorkspaceDocument *m_document;
    RecentFiles *m_recent;
    QSettings *m_settings;
    MainActions *m_actions;
    SectionList *m_sections;
    QStackedWidget *m_pages;
    ProblemsPanel *m_problems;
    QDockWidget *m_problemsDock;
    bool m_sizeDocks = false; // no saved layout: give the docks their first size once shown
    StatusPanel *m_status;
    NoticeLog *m_log;
    QHash<QString, QString> m_pathOwners; // diagnostic path head -> section name
};

} // namespace portico::ui
