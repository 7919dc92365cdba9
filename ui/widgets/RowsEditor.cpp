#include "ui/widgets/RowsEditor.h"

#include "ui/models/RowsModel.h"
#include "ui/widgets/RowsDelegate.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace portico::ui {

RowsEditor::RowsEditor(const QStringList &headers, QWidget *parent)
    : QWidget(parent)
    , m_model(new RowsModel(headers, this))
    , m_delegate(new RowsDelegate(this))
    , m_view(new QTableView(this))
    , m_add(new QToolButton(this))
    , m_remove(new QToolButton(this))
{
    m_view->setModel(m_model);
    m_view->setItemDelegate(m_delegate);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
                            | QAbstractItemView::AnyKeyPressed | QAbstractItemView::SelectedClicked);
    m_view->setAlternatingRowColors(true);

    m_add->setText(QStringLiteral("+"));
    m_add->setToolTip(tr("Add a row"));
    m_add->setAutoRaise(true);
    m_remove->setText(QStringLiteral("−"));
    m_remove->setToolTip(tr("Remove the selected rows"));
    m_remove->setAutoRaise(true);

    auto *buttons = new QVBoxLayout;
    buttons->setSpacing(0);
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_view, 1, Qt::AlignTop);
    // The table has the height of its rows; a form must not stretch it (or the space around it).
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    layout->addLayout(buttons);

    connect(m_model, &RowsModel::rowsEdited, this, &RowsEditor::rowsEdited);
    connect(m_model, &QAbstractItemModel::modelReset, this, &RowsEditor::updateHeight);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &RowsEditor::updateHeight);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &RowsEditor::updateHeight);
    connect(m_add, &QToolButton::clicked, this, [this] {
        m_model->appendRow(m_newRow);
        const QModelIndex cell = m_model->index(m_model->rowCount() - 1, 0);
        m_view->setCurrentIndex(cell);
        m_view->edit(cell);
    });
    connect(m_remove, &QToolButton::clicked, this, [this] {
        QList<int> rows;
        for (const QModelIndex &i : m_view->selectionModel()->selectedRows())
            rows << i.row();
        if (rows.isEmpty() && m_view->currentIndex().isValid())
            rows << m_view->currentIndex().row();
        std::sort(rows.begin(), rows.end(), std::greater<>());
        for (int r : rows)
            m_model->removeRows(r, 1);
    });
    updateHeight();
}

void RowsEditor::setRows(const QList<QStringList> &rows) { m_model->setRows(rows); }

void RowsEditor::updateHeight()
{
    // Grow with the rows up to a limit so short lists do not leave big empty boxes in a form.
    const int rowHeight = m_view->verticalHeader()->defaultSectionSize();
    const int visible = std::clamp(m_model->rowCount() + 1, 2, 8);
    m_view->setFixedHeight(m_view->horizontalHeader()->sizeHint().height() + rowHeight * visible + 4);
}

} // namespace portico::ui
