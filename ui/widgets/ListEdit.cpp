#include "ui/widgets/ListEdit.h"

namespace portico::ui {

ListEdit::ListEdit(QWidget *parent)
    : QLineEdit(parent)
{
    connect(this, &QLineEdit::editingFinished, this, [this] {
        const QStringList items = list();
        if (items == m_committed)
            return;
        m_committed = items;
        Q_EMIT committed(items);
    });
}

void ListEdit::setList(const QStringList &items)
{
    m_committed = items;
    const QString text = items.join(QStringLiteral(", "));
    if (list() != items)
        setText(text);
}

QStringList ListEdit::list() const
{
    QStringList items;
    for (const QString &part : text().split(u',')) {
        const QString t = part.trimmed();
        if (!t.isEmpty())
            items << t;
    }
    return items;
}

} // namespace portico::ui
