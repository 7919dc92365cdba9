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
    // Two lines are enough when the workspace is valid; the user can drag it taller.
    m_list->setMinimumHeight(2 * m_list->fontMetrics().height() + 8);
    connect(m_list, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { Q_EMIT goToRequested(item->data(Qt::UserRole).toString()); });
    connect(document, &WorkspaceDocument::diagnosticsChanged, this, &ProblemsPanel::refresh);
    refresh();
}

int ProblemsPanel::count() const { return int(m_document->diagnostics().size()); }

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
