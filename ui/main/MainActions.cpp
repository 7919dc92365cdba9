#include "ui/main/MainActions.h"

#include "ui/main/HelpPages.h"

#include <QAction>
#include <QLabel>
#include <QMainWindow>
#include <QMenuBar>
#include <QStyle>
#include <QToolBar>
#include <QUndoStack>

#include <tuple>

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
    undoButton = new QAction(tr("Undo"), this);
    redoButton = new QAction(tr("Redo"), this);
    for (auto [button, canDo, textChanged, slot, word] :
        { std::tuple { undoButton, &QUndoStack::canUndoChanged, &QUndoStack::undoTextChanged,
              &QUndoStack::undo, tr("Undo") },
            std::tuple { redoButton, &QUndoStack::canRedoChanged, &QUndoStack::redoTextChanged,
                &QUndoStack::redo, tr("Redo") } }) {
        QAction *b = button;
        const QString w = word;
        b->setEnabled(false);
        b->setToolTip(w);
        connect(b, &QAction::triggered, undoStack, slot);
        connect(undoStack, canDo, b, &QAction::setEnabled);
        connect(undoStack, textChanged, b,
            [b, w](const QString &what) { b->setToolTip(what.isEmpty() ? w : w + QLatin1Char(' ') + what); });
    }
    apply = make(tr("&Apply to Gateway"), QKeySequence(Qt::CTRL | Qt::Key_Return),
                 tr("Validate the workspace and hot-reload the running gateway (Ctrl+Enter)"));
    start = make(tr("&Start Gateway"), QKeySequence(Qt::Key_F5), tr("Start the gateway (F5)"));
    stop = make(tr("S&top Gateway"), QKeySequence(Qt::SHIFT | Qt::Key_F5), tr("Stop the gateway (Shift+F5)"));
    sampleTraffic = make(tr("Send Sample &Traffic"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T),
        tr("Demo only: send a few requests a second through the demo's own routes, as its "
           "own consumers, so the inspector and dashboard fill up. They are tagged "
           "\"sample\" (filter sample:true; -sample:true hides them) (Ctrl+Shift+T)"));
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
    undoButton->setIcon(undo->icon());
    redoButton->setIcon(redo->icon());

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
    helpMenu = bar->addMenu(tr("&Help"));
    HelpPages::addTo(helpMenu, window);
    helpMenu->addAction(about);

    QToolBar *tools = window->addToolBar(tr("Main"));
    toolBar = tools;
    tools->setObjectName(QStringLiteral("mainToolBar"));
    tools->setMovable(false);
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tools->setIconSize(QSize(16, 16));
    tools->addAction(open);
    tools->addAction(save);
    tools->addSeparator();
    tools->addAction(undoButton);
    tools->addAction(redoButton);
    tools->addSeparator();
    tools->addAction(start);
    tools->addAction(stop);
    tools->addAction(apply);
    tools->addSeparator();
    tools->addAction(sampleTraffic);
    tools->addSeparator();
    liveLabel = new QLabel(tools);
    liveLabel->setObjectName(QStringLiteral("liveState"));
    liveLabel->setContentsMargins(6, 0, 6, 0);
    tools->addWidget(liveLabel);
}

void MainActions::setApplyPending(bool pending)
{
    apply->setText(tr("&Apply to Gateway"));
    if (QWidget *button = toolBar->widgetForAction(apply)) {
        button->setProperty("pending", pending);
        button->style()->unpolish(button);
        button->style()->polish(button);
    }
    liveLabel->setProperty("pending", pending);
    liveLabel->style()->unpolish(liveLabel);
    liveLabel->style()->polish(liveLabel);
}

} // namespace portico::ui
