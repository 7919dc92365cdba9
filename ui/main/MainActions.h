#pragma once

#include <QObject>

class QAction;
class QMainWindow;
class QMenu;
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
    QAction *undo;
    QAction *redo;
    QAction *apply;
    QAction *start;
    QAction *stop;
    QAction *sampleTraffic;
    QAction *showProblems;
    QAction *about;
    QMenu *recentMenu;
    QMenu *viewMenu;
};

} // namespace portico::ui
