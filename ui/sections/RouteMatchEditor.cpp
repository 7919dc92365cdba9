#include "ui/sections/RouteMatchEditor.h"

#include "ui/widgets/CheckList.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"
#include "ui/widgets/KeyValueRows.h"
#include "ui/widgets/ListEdit.h"
#include "ui/widgets/RowsEditor.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>

namespace portico::ui {

using config::RouteMatch;

RouteMatchEditor::RouteMatchEditor(QWidget *parent)
    : QGroupBox(tr("Match"), parent)
    , m_kind(new QComboBox(this))
    , m_path(new QLineEdit(this))
    , m_methods(new CheckList(this))
    , m_hosts(new ListEdit(this))
    , m_headers(new RowsEditor({ tr("Header"), tr("Exact value") }, this))
{
    m_kind->addItem(tr("starts with"), int(RouteMatch::PathKind::Prefix));
    m_kind->addItem(tr("is exactly"), int(RouteMatch::PathKind::Exact));
    m_kind->addItem(tr("matches regex"), int(RouteMatch::PathKind::Regex));
    m_path->setObjectName(QStringLiteral("routePath"));
    m_path->setPlaceholderText(QStringLiteral("/api/users"));
    m_methods->setOptions({ QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"), QStringLiteral("PATCH"),
                            QStringLiteral("DELETE"), QStringLiteral("HEAD"), QStringLiteral("OPTIONS") });
    m_methods->setToolTip(tr("None checked: any method"));
    m_hosts->setPlaceholderText(tr("any host (e.g. api.local, *.api.local)"));

    auto *pathRow = new QWidget(this);
    auto *pathLayout = new QHBoxLayout(pathRow);
    pathLayout->setContentsMargins(0, 0, 0, 0);
    pathLayout->addWidget(m_kind);
    pathLayout->addWidget(m_path, 1);

    auto *form = makeForm(this);
    FieldBox *path = addField(form, tr("Path"), pathRow);
    m_fields = { { QStringLiteral("path"), path },
                 { QStringLiteral("path_exact"), path },
                 { QStringLiteral("path_regex"), path },
                 { QStringLiteral("methods"), addField(form, tr("Methods"), m_methods) },
                 { QStringLiteral("hosts"), addField(form, tr("Hosts"), m_hosts) },
                 { QStringLiteral("headers"), addField(form, tr("Headers"), m_headers) } };

    connect(m_kind, &QComboBox::activated, this, [this] {
        m_match.pathKind = RouteMatch::PathKind(m_kind->currentData().toInt());
        Q_EMIT edited(m_match, tr("path kind"));
    });
    connect(m_path, &QLineEdit::editingFinished, this, [this] {
        m_match.path = m_path->text().trimmed();
        Q_EMIT edited(m_match, tr("path"));
    });
    connect(m_methods, &CheckList::edited, this, [this](const QStringList &methods) {
        m_match.methods = methods;
        Q_EMIT edited(m_match, tr("methods"));
    });
    connect(m_hosts, &ListEdit::committed, this, [this](const QStringList &hosts) {
        m_match.hosts = hosts;
        Q_EMIT edited(m_match, tr("hosts"));
    });
    connect(m_headers, &RowsEditor::rowsEdited, this, [this](const QList<QStringList> &rows) {
        m_match.headers = toKeyValues(rows);
        Q_EMIT edited(m_match, tr("header match"));
    });
}

void RouteMatchEditor::setMatch(const RouteMatch &match)
{
    m_match = match;
    m_kind->setCurrentIndex(m_kind->findData(int(match.pathKind)));
    if (m_path->text() != match.path)
        m_path->setText(match.path);
    m_methods->setChecked(match.methods);
    m_hosts->setList(match.hosts);
    m_headers->setRows(toRows(match.headers));
}

} // namespace portico::ui
