#include "ui/traffic/TrafficTable.h"

#include "ui/traffic/TrafficModel.h"

#include <QHeaderView>
#include <QScrollBar>
#include <QTimer>

#include <iterator>

namespace portico::ui {

TrafficTable::TrafficTable(TrafficModel *model, QWidget *parent)
    : QTableView(parent)
    , m_model(model)
{
    setModel(model);
    setObjectName(QStringLiteral("trafficTable"));
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setShowGrid(false);
    setWordWrap(false);
    setAlternatingRowColors(true);
    setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    verticalHeader()->hide();
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setSectionsMovable(true);
    const int widths[] = { 56, 92, 60, 64, 100, 150, 52, 72, 80, 90, 80, 60, 90 };
    static_assert(std::size(widths) == TrafficModel::ColumnCount);
    for (int c = 0; c < TrafficModel::ColumnCount; ++c)
        setColumnWidth(c, widths[c]);

    connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this,
        [this](const QModelIndex &, int first) { m_followLive = first > 0 && isAtBottom(); });
    connect(model, &TrafficModel::liveRowsInserted, this, [this] {
        if (m_followLive)
            scrollToBottom();
    });
    connect(model, &TrafficModel::olderRowsInserted, this, [this](int count) {
        // Keep the rows the user was looking at in place.
        verticalScrollBar()->setValue(verticalScrollBar()->value() + count);
    });
    connect(model, &QAbstractItemModel::modelReset, this,
        [this] { QTimer::singleShot(0, this, &QTableView::scrollToBottom); });
}

bool TrafficTable::isAtBottom() const
{
    const QScrollBar *bar = verticalScrollBar();
    return bar->value() >= bar->maximum() - 1;
}

QList<qint64> TrafficTable::selectedIds() const
{
    QList<qint64> ids;
    for (const QModelIndex &i : selectionModel()->selectedRows())
        ids << m_model->idAt(i.row());
    std::sort(ids.begin(), ids.end());
    return ids;
}

qint64 TrafficTable::currentId() const
{
    const QModelIndex i = currentIndex();
    return i.isValid() ? m_model->idAt(i.row()) : 0;
}

} // namespace portico::ui
