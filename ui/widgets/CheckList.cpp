#include "ui/widgets/CheckList.h"

#include <QCheckBox>
#include <QGridLayout>

#include <algorithm>

namespace portico::ui {

CheckList::CheckList(QWidget *parent)
    : QWidget(parent)
    , m_layout(new QGridLayout(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setHorizontalSpacing(10);
    m_layout->setVerticalSpacing(4);
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
        // Up to 7 in a row (HTTP methods); longer lists (JWT algorithms) wrap onto two rows so
        // that a form never needs more width than its pane.
        const int columns = shown.size() <= 7 ? int(shown.size()) : int(shown.size() + 1) / 2;
        for (int c = 0; c <= 7; ++c)
            m_layout->setColumnStretch(c, 0);
        m_layout->setColumnStretch(columns, 1);
        for (const QString &name : shown) {
            auto *box = new QCheckBox(name, this);
            const int i = int(m_boxes.size());
            m_layout->addWidget(box, i / std::max(1, columns), i % std::max(1, columns));
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
    }
    for (QCheckBox *b : m_boxes) {
        const QSignalBlocker blocker(b);
        b->setChecked(m_checked.contains(b->text()));
        const bool missing = !m_options.contains(b->text());
        b->setStyleSheet(missing ? QStringLiteral("color: #c62828;") : QString());
        b->setToolTip(missing ? tr("'%1' does not exist in this workspace").arg(b->text()) : QString());
    }
}

} // namespace portico::ui
