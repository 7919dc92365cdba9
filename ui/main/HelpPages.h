#pragma once

#include <QString>

class QMenu;
class QWidget;

namespace portico::ui {

// The Help menu's pages, each in a window of its own: the getting-started guide (built into the
// application, and installed in /usr/share/doc/portico), every keyboard shortcut of the window,
// and the traffic filter language.
class HelpPages final
{
public:
    // Adds Documentation, Keyboard Shortcuts and Filter Language to `menu`; the shortcuts are
    // read from `window` when the page opens, so they are the ones that work.
    static void addTo(QMenu *menu, QWidget *window);

    static QString documentation(); // Markdown
    static QString shortcuts(const QWidget *window); // Markdown table
    static QString filterLanguage(); // Markdown
    // Shows `markdown` in a non-modal window titled `title` (one per title: shown again, raised).
    static void show(QWidget *parent, const QString &title, const QString &markdown);
};

} // namespace portico::ui
