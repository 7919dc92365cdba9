#include "ui/sections/ItemForm.h"

#include "ui/document/WorkspaceDocument.h"
#include "ui/widgets/FieldBox.h"

#include <QLabel>
#include <QVBoxLayout>

namespace portico::ui {

ItemForm::ItemForm(WorkspaceDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_general(new QLabel(this))
    , m_body(new QVBoxLayout)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 12);
    m_general->setObjectName(QStringLiteral("formProblems"));
    m_general->setWordWrap(true);
    m_general->setStyleSheet(QStringLiteral(
        "QLabel { background: #fdecea; color: #b71c1c; border: 1px solid #f5c6cb; border-radius: 4px; padding: 6px; }"));
    m_general->hide();
    layout->addWidget(m_general);
    layout->addLayout(m_body);
    layout->addStretch(1);
}

void ItemForm::setRow(int row)
{
    m_row = row;
    setEnabled(row >= 0);
    if (row >= 0)
        load(m_document->workspace(), row);
}

void ItemForm::bind(const QString &key, FieldBox *field) { m_fields.insert(key, field); }

void ItemForm::bind(const QString &prefix, const Fields &fields)
{
    for (const auto &[key, field] : fields)
        bind(prefix.isEmpty() ? key : prefix + u'.' + key, field);
}

void ItemForm::showDiagnostics(const config::Diagnostics &all, const QStringList &prefixes)
{
    QHash<FieldBox *, QStringList> perField;
    QStringList general;
    for (const auto &d : all) {
        QString rest;
        bool mine = false;
        for (const QString &p : prefixes) {
            if (d.path == p) {
                mine = true;
                break;
            }
            if (d.path.startsWith(p) && (d.path.at(p.size()) == u'.' || d.path.at(p.size()) == u'[')) {
                rest = d.path.mid(p.size() + (d.path.at(p.size()) == u'.' ? 1 : 0));
                mine = true;
                break;
            }
        }
        if (!mine)
            continue;
        // The longest bound key that the rest of the path starts with.
        FieldBox *target = nullptr;
        qsizetype best = -1;
        for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it) {
            const QString &key = it.key();
            const bool match = rest == key
                || (rest.startsWith(key) && (rest.at(key.size()) == u'.' || rest.at(key.size()) == u'['));
            if (match && key.size() > best) {
                best = key.size();
                target = it.value();
            }
        }
        if (target)
            perField[target] << d.message;
        else
            general << d.message;
    }
    for (FieldBox *f : std::as_const(m_fields))
        f->setDiagnostic(perField.value(f).join(u'\n'));
    m_general->setText(general.join(u'\n'));
    m_general->setVisible(!general.isEmpty());
}

void ItemForm::editItem(const QString &text, const std::function<void(config::Workspace &, int)> &change)
{
    const int row = m_row;
    if (row < 0)
        return;
    m_document->edit(text, [&](config::Workspace &ws) { change(ws, row); });
}

} // namespace portico::ui
