#include "ui/main/ProblemsPanel.h"

#include "ui/document/WorkspaceDocument.h"

#include <QApplication>
#include <QListWidget>
#include <QStyle>
#include <QVBoxLayout>

namespace portico::ui {

ProblemsPanel::ProblemsPanel(WorkspaceDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_list(new QListWidget(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list);
    m_list->setObjectName(QStringLiteral("problemsList"));
    m_list->setAlternatingRowColors(true);
    // Three rows stay readable (a problem and its neighbours; "No problems" with room around it);
    // the user can drag it taller. Rows carry a 16 px icon.
    m_list->setMinimumHeight(3 * rowHeight() + 2 * m_list->frameWidth());
    connect(m_list, &QListWidget::itemActivated, this,
        [this](QListWidgetItem *item) { Q_EMIT goToRequested(item->data(Qt::UserRole).toString()); });
    connect(document, &WorkspaceDocument::diagnosticsChanged, this, &ProblemsPanel::refresh);
    refresh();
}

int ProblemsPanel::rowHeight() const
{
    return std::max(m_list->fontMetrics().height(), 16) + 4;
}

int ProblemsPanel::count() const
{
    return int(m_document->diagnostics().size());
}

void ProblemsPanel::refresh()
{
    m_list->clear();
    const QIcon icon = QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
    for (const auto &d : m_document->diagnostics()) {
        auto *item = new QListWidgetItem(icon, QStringLiteral("%1 — %2").arg(d.message, d.path), m_list);
        item->setData(Qt::UserRole, d.path);
        item->setToolTip(d.toString());
    }
    if (m_document->diagnostics().isEmpty()) {
        auto *ok = new QListWidgetItem(tr("No problems: the workspace is valid."), m_list);
        ok->setFlags(Qt::ItemIsEnabled);
    }
    Q_EMIT countChanged(count());
}

} // namespace portico::ui
