#include "ui/widgets/RowsDelegate.h"

#include <QComboBox>
#include <QDateEdit>

namespace portico::ui {

RowsDelegate::RowsDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

QWidget *RowsDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                                    const QModelIndex &index) const
{
    if (m_choices.contains(index.column())) {
        auto *combo = new QComboBox(parent);
        combo->setEditable(true);
        combo->addItems(m_choices.value(index.column()));
        return combo;
    }
    if (m_dateColumns.contains(index.column())) {
        auto *date = new QDateEdit(parent);
        date->setCalendarPopup(true);
        date->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        return date;
    }
    return QStyledItemDelegate::createEditor(parent, option, index);
}

void RowsDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    const QString text = index.data(Qt::EditRole).toString();
    if (auto *combo = qobject_cast<QComboBox *>(editor)) {
        combo->setCurrentText(text);
        return;
    }
    if (auto *date = qobject_cast<QDateEdit *>(editor)) {
        const QDate d = QDate::fromString(text, Qt::ISODate);
        date->setDate(d.isValid() ? d : QDate::currentDate().addMonths(6));
        return;
    }
    QStyledItemDelegate::setEditorData(editor, index);
}

void RowsDelegate::setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const
{
    if (auto *combo = qobject_cast<QComboBox *>(editor)) {
        model->setData(index, combo->currentText(), Qt::EditRole);
        return;
    }
    if (auto *date = qobject_cast<QDateEdit *>(editor)) {
        model->setData(index, date->date().toString(Qt::ISODate), Qt::EditRole);
        return;
    }
    QStyledItemDelegate::setModelData(editor, model, index);
}

} // namespace portico::ui
