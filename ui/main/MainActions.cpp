#include "ui/main/MainActions.h"

#include <QAction>
#include <QMainWindow>
#include <QMenuBar>
#include <QStyle>
#include <QToolBar>
#include <QUndoStack>

namespace portico::ui {

MainActions::MainActions(QMainWindow *window, QUndoStack *undoStack)
    : QObject(window)
{
    QStyle *style = window->style();
    auto make = [&](const QString &text, const QKeySequence &key, const QString &tip = {}) {
        auto *a = new QAction(text, this);
        if (!key.isEmpty())
            a->setShortcut(key);
        a->setToolTip(tip.isEmpty() ? text : tip);
        return a;
    };
    newWorkspace = make(tr("&New Workspace"), QKeySequence::New);
    open = make(tr("&Open…"), QKeySequence::Open);
    save = make(tr("&Save"), QKeySequence::Save);
    saveAs = make(tr("Save &As…"), QKeySequence::SaveAs);
    quit = make(tr("&Quit"), QKeySequence::Quit);
    undo = undoStack->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    redo = undoStack->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    apply = make(tr("&Apply to Gateway"), QKeySequence(Qt::CTRL | Qt::Key_Return),
                 tr("Validate the workspace and hot-reload the running gateway (Ctrl+Enter)"));
    start = make(tr("&Start Gateway"), QKeySequence(Qt::Key_F5), tr("Start the gateway (F5)"));
    stop = make(tr("S&top Gateway"), QKeySequence(Qt::SHIFT | Qt::Key_F5), tr("Stop the gateway (Shift+F5)"));
    sampleTraffic = make(tr("Send Sample &Traffic"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T),
                         tr("Send sample requests through the gateway so the inspector and dashboard fill up"));
    sampleTraffic->setCheckable(true);
    showProblems = make(tr("&Problems"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    about = make(tr("&About Portico"), {});
    open->setIcon(style->standardIcon(QStyle::SP_DialogOpenButton));
    save->setIcon(style->standardIcon(QStyle::SP_DialogSaveButton));
    apply->setIcon(style->standardIcon(QStyle::SP_BrowserReload));
    start->setIcon(style->standardIcon(QStyle::SP_MediaPlay));
    stop->setIcon(style->standardIcon(QStyle::SP_MediaStop));
    undo->setIcon(style->standardIcon(QStyle::SP_ArrowBack));
    redo->setIcon(style->standardIcon(QStyle::SP_ArrowForward));

    QMenuBar *bar = window->menuBar();
    QMenu *file = bar->addMenu(tr("&File"));
    file->addAction(newWorkspace);
    file->addAction(open);
    recentMenu = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(save);
    file->addAction(saveAs);
    file->addSeparator();
    file->addAction(quit);
    QMenu *edit = bar->addMenu(tr("&Edit"));
    edit->addAction(undo);
    edit->addAction(redo);
    QMenu *gateway = bar->addMenu(tr("&Gateway"));
    gateway->addAction(start);
    gateway->addAction(stop);
    gateway->addAction(apply);
    gateway->addSeparator();
    gateway->addAction(sampleTraffic);
    viewMenu = bar->addMenu(tr("&View"));
    viewMenu->addAction(showProblems);
    viewMenu->addSeparator();
    QMenu *help = bar->addMenu(tr("&Help"));
    help->addAction(about);

    QToolBar *tools = window->addToolBar(tr("Main"));
    tools->setObjectName(QStringLiteral("mainToolBar"));
    tools->setMovable(false);
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tools->setIconSize(QSize(16, 16));
    tools->addAction(open);
    tools->addAction(save);
    tools->addSeparator();
    tools->addAction(undo);
    tools->addAction(redo);
    tools->addSeparator();
    tools->addAction(start);
    tools->addAction(stop);
    tools->addAction(apply);
    tools->addSeparator();
    tools->addAction(sampleTraffic);
}

} // namespace portico::ui
