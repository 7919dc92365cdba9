#include "ui/sections/VersionsForm.h"

#include "ui/models/ListHelpers.h"
#include "ui/models/VersionedRoutesModel.h"
#include "ui/sections/VersionsEditor.h"

#include <QLabel>
#include <QVBoxLayout>

namespace portico::ui {

VersionsForm::VersionsForm(WorkspaceDocument *document, QWidget *parent)
    : ItemForm(document, parent)
    , m_title(new QLabel(this))
    , m_editor(new VersionsEditor(this))
{
    m_title->setObjectName(QStringLiteral("formTitle"));
    body()->addWidget(m_title);
    body()->addWidget(m_editor);
    bind(QStringLiteral("versions"), m_editor->fields());
    connect(m_editor, &VersionsEditor::edited, this, [this](const config::Versions &v, const QString &what) {
        editItem(tr("Change %1").arg(what), [&](config::Workspace &ws, int row) {
            const int i = VersionedRoutesModel::routeIndex(ws, row);
            if (i >= 0)
                ws.routes[i].versions = v;
        });
    });
}

void VersionsForm::load(const config::Workspace &ws, int row)
{
    const int i = VersionedRoutesModel::routeIndex(ws, row);
    if (i < 0)
        return;
    const config::Route &r = ws.routes.at(i);
    m_title->setText(tr("Route <b>%1</b> — %2").arg(r.name.toHtmlEscaped(), r.match.path.toHtmlEscaped()));
    m_editor->setVersions(*r.versions, list::names(ws.upstreams));
}

} // namespace portico::ui
