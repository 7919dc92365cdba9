#include "ui/sections/SectionPage.h"

#include "ui/document/WorkspaceDocument.h"
#include "ui/models/WorkspaceListModel.h"
#include "ui/sections/ItemForm.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace portico::ui {

namespace {

QToolButton *toolButton(QWidget *parent, const QString &text, const QString &tip)
{
    auto *b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    return b;
}

} // namespace

SectionPage::SectionPage(
    const QString &title, const QString &hint, WorkspaceListModel *model, ItemForm *form, QWidget *parent)
    : QWidget(parent)
    , m_document(model->document())
    , m_model(model)
    , m_form(form)
    , m_table(new QTableView(this))
    , m_add(toolButton(this, tr("+ Add"), tr("Add a new %1").arg(model->noun())))
    , m_duplicate(toolButton(this, tr("Duplicate"), tr("Copy the selected %1").arg(model->noun())))
    , m_remove(toolButton(this, tr("Remove"), tr("Remove the selected %1").arg(model->noun())))
    , m_up(toolButton(this, QStringLiteral("↑"), tr("Move up")))
    , m_down(toolButton(this, QStringLiteral("↓"), tr("Move down")))
    , m_formHolder(new QWidget(this))
{
    model->setParent(this);
    auto *titleLabel = new QLabel(title, this);
    titleLabel->setObjectName(QStringLiteral("sectionTitle"));
    auto *hintLabel = new QLabel(hint, this);
    hintLabel->setObjectName(QStringLiteral("sectionHint"));
    hintLabel->setWordWrap(true);

    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(2);
    for (QToolButton *b : { m_add, m_duplicate, m_remove })
        buttons->addWidget(b);
    buttons->addStretch(1);
    buttons->addWidget(m_up);
    buttons->addWidget(m_down);

    m_table->setModel(model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
    // The last column takes what the others leave (fitColumns(), on every resize): the header's
    // own stretch kept a width from before when the table was too narrow for it.
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setHighlightSections(false);
    // Cells are left-aligned: a centred title over the stretched last column sat far from its
    // values (the Keys count of a consumer read as part of its Groups).
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(12, 10, 6, 10);
    leftLayout->addWidget(titleLabel);
    leftLayout->addWidget(hintLabel);
    leftLayout->addLayout(buttons);
    leftLayout->addWidget(m_table, 1);

    auto *formLayout = new QVBoxLayout(m_formHolder);
    formLayout->setContentsMargins(0, 0, 0, 0);
    formLayout->addWidget(form);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    // Forms reflow to the pane's width (check lists wrap); what still cannot shrink scrolls
    // rather than being cut off at the right (the +/- buttons of the row editors live there).
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    scroll->setWidget(m_formHolder);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("sectionSplitter"));
    splitter->addWidget(left);
    splitter->addWidget(scroll);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({ 440, 660 });
    splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(m_add, &QToolButton::clicked, this, &SectionPage::addItem);
    connect(m_remove, &QToolButton::clicked, this, &SectionPage::removeCurrent);
    connect(m_duplicate, &QToolButton::clicked, this, [this] {
        const int row = currentRow();
        if (row < 0)
            return;
        int fresh = -1;
        m_document->edit(tr("Duplicate %1").arg(m_model->noun()),
            [&](config::Workspace &ws) { fresh = m_model->duplicate(ws, row); });
        selectRow(fresh);
    });
    connect(m_up, &QToolButton::clicked, this, [this] { moveCurrent(-1); });
    connect(m_down, &QToolButton::clicked, this, [this] { moveCurrent(+1); });
    connect(m_document, &WorkspaceDocument::changed, this, &SectionPage::onDocumentChanged);
    connect(m_document, &WorkspaceDocument::diagnosticsChanged, this, &SectionPage::refreshForm);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &SectionPage::onCurrentChanged);
    // A reset replaces the selection model's contents, not the object, so one connection suffices.

    fitColumns();
    connect(model, &QAbstractItemModel::modelReset, this, &SectionPage::fitColumns);
    // A problem adds a warning icon to the item's first cell after the reset: without a second
    // fit the name was cut to "us…".
    connect(m_document, &WorkspaceDocument::diagnosticsChanged, this, &SectionPage::fitColumns);
    m_table->viewport()->installEventFilter(this); // narrower (splitter, window): fit again
    selectRow(model->rowCount() > 0 ? 0 : -1);
    onCurrentChanged();
}

int SectionPage::currentRow() const
{
    const QModelIndex i = m_table->currentIndex();
    return i.isValid() ? i.row() : -1;
}

void SectionPage::selectRow(int row)
{
    if (row < 0 || row >= m_model->rowCount()) {
        m_table->setCurrentIndex({});
        m_table->clearSelection();
        onCurrentChanged();
        return;
    }
    m_table->selectRow(row);
    m_table->setCurrentIndex(m_model->index(row, 0));
    onCurrentChanged();
}

bool SectionPage::selectName(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row < 0)
        return false;
    selectRow(row);
    return true;
}

void SectionPage::addBelowForm(QWidget *widget)
{
    static_cast<QVBoxLayout *>(m_formHolder->layout())->addWidget(widget);
}

void SectionPage::fitColumns()
{
    const int last = m_model->columnCount() - 1;
    int total = 0;
    for (int c = 0; c < last; ++c) {
        m_table->resizeColumnToContents(c);
        m_table->setColumnWidth(c, std::clamp(m_table->columnWidth(c), 60, 220));
        total += m_table->columnWidth(c);
    }
    if (last < 0)
        return;
    // The last column gets what is left, at least its contents' width.
    const int lastWidth = std::max(static_cast<QAbstractItemView *>(m_table)->sizeHintForColumn(last),
        m_table->horizontalHeader()->sectionSizeHint(last));
    const int room = m_table->viewport()->width() - std::min(lastWidth, 220);
    while (total > room) {
        int widest = -1;
        int second = kMinColumn;
        for (int c = 1; c < last; ++c) {
            const int w = m_table->columnWidth(c);
            if (widest < 0 || w > m_table->columnWidth(widest)) {
                if (widest >= 0)
                    second = std::max(second, m_table->columnWidth(widest));
                widest = c;
            } else {
                second = std::max(second, w);
            }
        }
        if (widest < 0 || m_table->columnWidth(widest) <= kMinColumn)
            break;
        const int w = m_table->columnWidth(widest);
        const int give = std::max(1, std::min(total - room, w - second));
        m_table->setColumnWidth(widest, w - std::min(give, w - kMinColumn));
        total -= std::min(give, w - kMinColumn);
    }
    m_table->setColumnWidth(last, std::max(std::min(lastWidth, 220), m_table->viewport()->width() - total));
}

bool SectionPage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table->viewport() && event->type() == QEvent::Resize)
        fitColumns();
    return QWidget::eventFilter(watched, event);
}

void SectionPage::addItem()
{
    int fresh = -1;
    m_document->edit(
        tr("Add %1").arg(m_model->noun()), [&](config::Workspace &ws) { fresh = m_model->appendNew(ws); });
    selectRow(fresh);
}

void SectionPage::removeCurrent()
{
    const int row = currentRow();
    if (row < 0)
        return;
    const QString name = m_model->nameAt(m_document->workspace(), row);
    m_pendingRow = std::min(row, m_model->rowCount() - 2);
    m_document->edit(tr("Remove %1 '%2'").arg(m_model->noun(), name),
        [&](config::Workspace &ws) { m_model->remove(ws, row); });
    m_pendingRow = -1;
}

void SectionPage::moveCurrent(int delta)
{
    const int row = currentRow();
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= m_model->rowCount())
        return;
    m_document->edit(
        tr("Move %1").arg(m_model->noun()), [&](config::Workspace &ws) { m_model->move(ws, row, to); });
    selectRow(m_model->rowOf(m_currentName) >= 0 ? m_model->rowOf(m_currentName) : to);
}

void SectionPage::onDocumentChanged()
{
    int row = m_pendingRow;
    if (row < 0 && !m_currentName.isEmpty())
        row = m_model->rowOf(m_currentName);
    if (row < 0)
        row = std::min(std::max(m_lastRow, 0), m_model->rowCount() - 1);
    if (row != currentRow())
        selectRow(row);
    else
        onCurrentChanged();
}

void SectionPage::onCurrentChanged()
{
    const int row = currentRow();
    m_lastRow = row;
    m_currentName = row >= 0 ? m_model->nameAt(m_document->workspace(), row) : QString();
    m_form->setRow(row);
    refreshForm();
    updateButtons();
}

void SectionPage::refreshForm()
{
    const int row = currentRow();
    m_form->showDiagnostics(m_document->diagnostics(),
        row >= 0 ? m_model->diagnosticPrefixes(m_document->workspace(), row) : QStringList());
}

void SectionPage::updateButtons()
{
    const int row = currentRow();
    m_duplicate->setEnabled(row >= 0);
    m_remove->setEnabled(row >= 0);
    m_up->setEnabled(row > 0);
    m_down->setEnabled(row >= 0 && row + 1 < m_model->rowCount());
}

} // namespace portico::ui
