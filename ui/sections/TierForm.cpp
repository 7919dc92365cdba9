#include "ui/sections/TierForm.h"

#include "core/config/Renames.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"
#include "ui/widgets/RateLimitBox.h"

#include <QFormLayout>
#include <QLineEdit>
#include <QVBoxLayout>

namespace portico::ui {

TierForm::TierForm(WorkspaceDocument *document, QWidget *parent)
    : ItemForm(document, parent)
    , m_name(new QLineEdit(this))
    , m_limit(new RateLimitBox(false, this))
{
    auto *box = new QWidget(this);
    auto *form = makeForm(box);
    bind(QStringLiteral("name"), addField(form, tr("Name"), m_name));
    body()->addWidget(box);
    body()->addWidget(m_limit);
    bind(QStringLiteral("rate_limit.requests"), m_limit->requestsField());
    bind(QStringLiteral("rate_limit.per"), m_limit->perField());

    connect(m_name, &QLineEdit::editingFinished, this, [this] {
        const QString name = m_name->text().trimmed();
        editItem(tr("Rename tier"), [&](config::Workspace &ws, int row) {
            if (ws.tiers[row].name != name)
                config::renameTier(ws, row, name);
        });
    });
    connect(m_limit, &RateLimitBox::edited, this, [this](const std::optional<config::RateLimit> &limit) {
        editItem(tr("Change tier rate limit"), [&](config::Workspace &ws, int row) { ws.tiers[row].rateLimit = limit; });
    });
}

void TierForm::load(const config::Workspace &ws, int row)
{
    const config::Tier &t = ws.tiers.at(row);
    m_name->setText(t.name);
    m_limit->setRateLimit(t.rateLimit);
}

} // namespace portico::ui
