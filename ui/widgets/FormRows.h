#pragma once

#include <QString>

class QFormLayout;
class QWidget;

namespace portico::ui {

class FieldBox;

// Adds "label: editor" to a form, the editor wrapped in a FieldBox for its messages.
FieldBox *addField(QFormLayout *form, const QString &label, QWidget *editor);
// A form layout with the house spacing, labels right-aligned like a settings dialog.
QFormLayout *makeForm(QWidget *parent);

} // namespace portico::ui
