#pragma once

#include <QString>

class QFormLayout;
class QStackedWidget;
class QWidget;

namespace portico::ui {

class FieldBox;

// Adds "label: editor" to a form, the editor wrapped in a FieldBox for its messages.
FieldBox *addField(QFormLayout *form, const QString &label, QWidget *editor);
// Shows page `index` of a stack and lets the stack take that page's height (a QStackedWidget is as
// tall as its tallest page otherwise).
void showStackPage(QStackedWidget *stack, int index);
// A form layout with the house spacing, labels right-aligned like a settings dialog.
QFormLayout *makeForm(QWidget *parent);

} // namespace portico::ui
