#pragma once

#include <QObject>

class QAction;
class QMainWindow;
class QLabel;
class QMenu;
class QToolBar;
class QUndoStack;

namespace portico::ui {

// The window's commands with their shortcuts, and the menus and tool bar built from them. The
// window connects them; nothing here knows what they do.
class MainActions final : public QObject
{
    Q_OBJECT

public:
    MainActions(QMainWindow *window, QUndoStack *undo);

    QAction *newWorkspace;
    QAction *open;
    QAction *save;
    QAction *saveAs;
    QAction *quit;
    QAction *undo; // menu: "Undo <what>"
    QAction *redo;
    // Tool bar: always "Undo"/"Redo" (what they undo is in the tool tip), so that the buttons
    // after them stay where they are while the menu's text changes.
    QAction *undoButton;
    QAction *redoButton;
    QAction *apply;
    QAction *start;
    QAction *stop;
    QAction *sampleTraffic;
    QAction *showProblems;
    QAction *about;
    QMenu *recentMenu;
    QMenu *viewMenu;
    QMenu *helpMenu;
    QToolBar *toolBar;
    // The last item of the tool bar: whether the editor differs from the running gateway.
    QLabel *liveLabel;
    // Marks Apply as the thing to do (its tool bar button highlighted) or not.
    void setApplyPending(bool pending);
};

} // namespace portico::ui
