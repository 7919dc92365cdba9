#include "ui/main/SectionList.h"

namespace portico::ui {

SectionList::SectionList(QWidget *parent)
    : QListWidget(parent)
{
    setObjectName(QStringLiteral("sectionList"));
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setUniformItemSizes(true);
    setFocusPolicy(Qt::StrongFocus);
}

void SectionList::addSection(const QString &name, const QString &symbol)
{
    auto *item = new QListWidgetItem(QStringLiteral("%1   %2").arg(symbol, name), this);
    item->setData(Qt::UserRole, name);
    item->setData(Qt::UserRole + 1, symbol);
    item->setSizeHint(QSize(0, fontMetrics().height() + 14));
    m_names << name;
}

void SectionList::setBadge(int row, const QString &badge)
{
    QListWidgetItem *i = item(row);
    if (!i)
        return;
    const QString base = QStringLiteral("%1   %2").arg(i->data(Qt::UserRole + 1).toString(), i->data(Qt::UserRole).toString());
    i->setText(badge.isEmpty() ? base : QStringLiteral("%1  ·  %2").arg(base, badge));
}

QSize SectionList::sizeHint() const { return QSize(190, 400); }

} // namespace portico::ui
