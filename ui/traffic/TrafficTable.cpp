#include "ui/traffic/TrafficTable.h"

#include "ui/traffic/TrafficCells.h"
#include "ui/traffic/TrafficModel.h"

#include <QHeaderView>
#include <QMenu>
#include <QResizeEvent>
#include <QScrollBar>
#include <QSettings>
#include <QStyle>
#include <QTimer>

#include <iterator>

namespace portico::ui {

namespace {

constexpr const char *kHiddenKey = "traffic/hiddenColumns";

} // namespace

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
    setTextElideMode(Qt::ElideMiddle); // a long path keeps its start and its end
    setContextMenuPolicy(Qt::CustomContextMenu);
    verticalHeader()->hide();
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setStretchLastSection(false);
    horizontalHeader()->setSectionsMovable(true);
    horizontalHeader()->setMinimumSectionSize(40);
    const int widths[] = { 44, 94, 54, 72, 100, 150, 46, 66, 60, 76, 70, 60, 90 };
    m_fitting = true;
    for (int c = 0; c < model->columnCount(); ++c)
        setColumnWidth(c, c < int(std::size(widths)) ? widths[c] : 80);
    m_fitting = false;
    // Protocol too: the details say it and protocol:HTTP/2 filters by it; shown, it pushed Consumer
    // out of a 1280 px window.
    for (int c : { int(TrafficModel::Protocol), int(TrafficModel::Host), int(TrafficModel::Version),
             int(TrafficModel::Upstream) })
        setColumnHidden(c, true);
    horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(horizontalHeader(), &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        QMenu *menu = columnsMenu();
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(horizontalHeader()->mapToGlobal(at));
    });

    connect(model, &TrafficModel::liveRowsInserted, this, [this] {
        if (m_followLive) {
            m_scrolling = true;
            scrollToBottom();
            m_scrolling = false;
        }
    });
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, [this] {
        if (m_scrolling || m_model->isLoading())
            return;
        // The user scrolled: up stops following, back to the bottom follows again.
        const bool bottom = isAtBottom();
        if (bottom != m_followLive)
            setFollowLive(bottom);
    });
    connect(model, &TrafficModel::olderRowsInserted, this, [this](int count) {
        // Keep the rows the user was looking at in place.
        m_scrolling = true;
        verticalScrollBar()->setValue(verticalScrollBar()->value() + count);
        m_scrolling = false;
    });
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        QTimer::singleShot(0, this, [this] {
            if (!m_followLive)
                return;
            m_scrolling = true;
            scrollToBottom();
            m_scrolling = false;
        });
    });
    connect(horizontalHeader(), &QHeaderView::sectionResized, this, [this](int column) {
        if (!m_fitting && (column == TrafficModel::Route || column == TrafficModel::Consumer)
            && !m_sizedByUser.contains(column))
            m_sizedByUser << column;
        if (column != TrafficModel::Path)
            fitPath();
    });
    connect(model, &QAbstractItemModel::rowsInserted, this,
        [this](const QModelIndex &, int first, int last) { fitNames(first, last); });
    connect(model, &QAbstractItemModel::dataChanged, this,
        [this](const QModelIndex &from, const QModelIndex &to) { fitNames(from.row(), to.row()); });
}

void TrafficTable::fitNames(int first, int last)
{
    first = std::max(first, last - 199);
    const QFontMetrics metrics(font());
    const int padding = 2 * style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, this) + 12;
    for (int column : { int(TrafficModel::Route), int(TrafficModel::Consumer) }) {
        if (m_sizedByUser.contains(column) || isColumnHidden(column))
            continue;
        int wanted = columnWidth(column);
        for (int row = std::max(0, first); row <= last && row < m_model->rowCount(); ++row) {
            const QString name = m_model->index(row, column).data().toString();
            if (!name.isEmpty())
                wanted = std::max(wanted, std::min(kMaxNameWidth, metrics.horizontalAdvance(name) + padding));
        }
        if (wanted > columnWidth(column)) {
            m_fitting = true;
            setColumnWidth(column, wanted);
            m_fitting = false;
        }
    }
}

void TrafficTable::fitPath()
{
    // The path takes what the other shown columns leave, down to a readable minimum.
    int others = 0;
    for (int c = 0; c < m_model->columnCount(); ++c) {
        if (c != TrafficModel::Path && !isColumnHidden(c))
            others += columnWidth(c);
    }
    const int width = std::max(kMinPathWidth, viewport()->width() - others);
    if (width != columnWidth(TrafficModel::Path))
        setColumnWidth(TrafficModel::Path, width);
}

void TrafficTable::resizeEvent(QResizeEvent *event)
{
    QTableView::resizeEvent(event);
    fitPath();
}

void TrafficTable::setFollowLive(bool on)
{
    if (on == m_followLive)
        return;
    m_followLive = on;
    if (on) {
        m_scrolling = true;
        scrollToBottom();
        m_scrolling = false;
    }
    Q_EMIT followLiveChanged(on);
}

void TrafficTable::setSettings(QSettings *settings)
{
    m_settings = settings;
    if (!settings || !settings->contains(QLatin1String(kHiddenKey)))
        return;
    const QStringList hidden = settings->value(QLatin1String(kHiddenKey)).toStringList();
    m_fitting = true; // showing or hiding a column resizes it: not the user's sizing
    for (int c = 0; c < m_model->columnCount(); ++c)
        setColumnHidden(c, hidden.contains(trafficColumnTitle(c)));
    m_fitting = false;
    fitPath();
}

void TrafficTable::setColumnShown(int column, bool shown)
{
    if (column == TrafficModel::Path && !shown)
        return; // the one column that elides instead of going away
    m_fitting = true;
    setColumnHidden(column, !shown);
    m_fitting = false;
    fitPath();
    saveColumns();
}

QMenu *TrafficTable::columnsMenu()
{
    auto *menu = new QMenu(tr("Columns"), this);
    for (int c = 0; c < m_model->columnCount(); ++c) {
        QAction *a = menu->addAction(trafficColumnTitle(c));
        a->setCheckable(true);
        a->setChecked(!isColumnHidden(c));
        a->setEnabled(c != TrafficModel::Path);
        connect(a, &QAction::toggled, this, [this, c](bool on) { setColumnShown(c, on); });
    }
    return menu;
}

void TrafficTable::saveColumns()
{
    if (!m_settings)
        return;
    QStringList hidden;
    for (int c = 0; c < m_model->columnCount(); ++c) {
        if (isColumnHidden(c))
            hidden << trafficColumnTitle(c);
    }
    m_settings->setValue(QLatin1String(kHiddenKey), hidden);
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
