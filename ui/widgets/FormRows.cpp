#include "ui/widgets/FormRows.h"

#include "ui/widgets/FieldBox.h"

#include <QFormLayout>
#include <QStackedWidget>

namespace portico::ui {

FieldBox *addField(QFormLayout *form, const QString &label, QWidget *editor)
{
    auto *box = new FieldBox(editor, form->parentWidget());
    form->addRow(label, box);
    return box;
}

void showStackPage(QStackedWidget *stack, int index)
{
    for (int i = 0; i < stack->count(); ++i)
        stack->widget(i)->setSizePolicy(
            QSizePolicy::Preferred, i == index ? QSizePolicy::Preferred : QSizePolicy::Ignored);
    stack->setCurrentIndex(index);
    // Not adjustSize(): that sets the stack to its own size hint behind the parent layout's
    // back, leaving the page too narrow or too wide (clipped) until something else relayouts.
    stack->updateGeometry();
}

QFormLayout *makeForm(QWidget *parent)
{
    auto *form = new QFormLayout(parent);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    form->setHorizontalSpacing(10);
    form->setVerticalSpacing(6);
    return form;
}

} // namespace portico::ui
