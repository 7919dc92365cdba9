#include "ui/widgets/CheckList.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QResizeEvent>

#include <algorithm>

namespace portico::ui {

CheckList::CheckList(QWidget *parent)
    : QWidget(parent)
    , m_layout(new QGridLayout(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setHorizontalSpacing(10);
    m_layout->setVerticalSpacing(4);
    // As wide as the form gives (down to one box), as tall as its rows: no height-for-width,
    // which the form rows do not pass on; place() changes the height hint instead.
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void CheckList::setOptions(const QStringList &names)
{
    if (names == m_options)
        return;
    m_options = names;
    rebuild();
}

void CheckList::setChecked(const QStringList &names)
{
    if (names == m_checked)
        return;
    m_checked = names;
    rebuild();
}

QStringList CheckList::checked() const
{
    return m_checked;
}

QCheckBox *CheckList::box(const QString &name) const
{
    for (QCheckBox *b : m_boxes) {
        if (b->text() == name)
            return b;
    }
    return nullptr;
}

void CheckList::rebuild()
{
    QStringList shown = m_options;
    for (const QString &c : m_checked) {
        if (!shown.contains(c))
            shown << c;
    }
    QStringList current;
    for (QCheckBox *b : m_boxes)
        current << b->text();
    if (current != shown) {
        qDeleteAll(m_boxes);
        m_boxes.clear();
        for (const QString &name : shown) {
            auto *box = new QCheckBox(name, this);
            m_boxes << box;
            connect(box, &QCheckBox::toggled, this, [this] {
                QStringList now;
                for (QCheckBox *b : m_boxes) {
                    if (b->isChecked())
                        now << b->text();
                }
                m_checked = now;
                Q_EMIT edited(now);
            });
        }
        m_columns = 0;
        place(width() > 0 && isVisible() ? columnsFor(width()) : preferredColumns());
    }
    for (QCheckBox *b : m_boxes) {
        const QSignalBlocker blocker(b);
        b->setChecked(m_checked.contains(b->text()));
        const bool missing = !m_options.contains(b->text());
        b->setStyleSheet(missing ? QStringLiteral("color: #c62828;") : QString());
        b->setToolTip(missing ? tr("'%1' does not exist in this workspace").arg(b->text()) : QString());
    }
}

int CheckList::preferredColumns() const
{
    // Up to 7 in a row (HTTP methods); longer lists (JWT algorithms) on two rows.
    const int n = int(m_boxes.size());
    return std::max(1, n <= 7 ? n : (n + 1) / 2);
}

int CheckList::columnsFor(int width) const
{
    const int spacing = m_layout->horizontalSpacing();
    for (int c = preferredColumns(); c > 1; --c) {
        int total = 0;
        for (int col = 0; col < c; ++col) {
            int widest = 0;
            for (int i = col; i < m_boxes.size(); i += c)
                widest = std::max(widest, m_boxes.at(i)->sizeHint().width());
            total += widest + (col > 0 ? spacing : 0);
        }
        if (total <= width)
            return c;
    }
    return 1;
}

void CheckList::place(int columns)
{
    columns = std::max(1, columns);
    if (columns == m_columns)
        return;
    m_columns = columns;
    for (QCheckBox *b : m_boxes)
        m_layout->removeWidget(b);
    for (int c = 0; c <= 8; ++c)
        m_layout->setColumnStretch(c, 0);
    for (int i = 0; i < m_boxes.size(); ++i)
        m_layout->addWidget(m_boxes.at(i), i / columns, i % columns);
    m_layout->setColumnStretch(columns, 1);
    updateGeometry();
}

QSize CheckList::sizeHint() const
{
    if (m_boxes.isEmpty())
        return QWidget::sizeHint();
    int width = 0;
    const int c = preferredColumns();
    for (int col = 0; col < c; ++col) {
        int widest = 0;
        for (int i = col; i < m_boxes.size(); i += c)
            widest = std::max(widest, m_boxes.at(i)->sizeHint().width());
        width += widest + (col > 0 ? m_layout->horizontalSpacing() : 0);
    }
    return { width, heightFor(m_columns > 0 ? m_columns : c) };
}

QSize CheckList::minimumSizeHint() const
{
    int widest = 0;
    for (QCheckBox *b : m_boxes)
        widest = std::max(widest, b->sizeHint().width());
    return { widest, heightFor(m_columns > 0 ? m_columns : preferredColumns()) };
}

int CheckList::heightFor(int columns) const
{
    if (m_boxes.isEmpty())
        return 0;
    int rowHeight = 0;
    for (QCheckBox *b : m_boxes)
        rowHeight = std::max(rowHeight, b->sizeHint().height());
    const int rows = int((m_boxes.size() + std::max(1, columns) - 1) / std::max(1, columns));
    return rows * rowHeight + (rows - 1) * m_layout->verticalSpacing();
}

void CheckList::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    place(columnsFor(width()));
}

} // namespace portico::ui
