#include "ui/sections/TransformsEditor.h"

#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"
#include "ui/widgets/KeyValueRows.h"
#include "ui/widgets/ListEdit.h"
#include "ui/widgets/RowsEditor.h"

#include <QFormLayout>
#include <QTabWidget>
#include <QVBoxLayout>

namespace portico::ui {

TransformsEditor::TransformsEditor(QWidget *parent)
    : QWidget(parent)
    , m_reqSet(new RowsEditor({ tr("Header"), tr("Value") }, this))
    , m_reqRemove(new ListEdit(this))
    , m_reqRename(new RowsEditor({ tr("From"), tr("To") }, this))
    , m_querySet(new RowsEditor({ tr("Parameter"), tr("Value") }, this))
    , m_queryRemove(new ListEdit(this))
    , m_respSet(new RowsEditor({ tr("Header"), tr("Value") }, this))
    , m_respRemove(new ListEdit(this))
    , m_respRename(new RowsEditor({ tr("From"), tr("To") }, this))
    , m_jsonRemove(new ListEdit(this))
{
    auto *tabs = new QTabWidget(this);
    tabs->setDocumentMode(true);
    auto *request = new QWidget(tabs);
    auto *reqForm = makeForm(request);
    auto *response = new QWidget(tabs);
    auto *respForm = makeForm(response);
    // Say "none": a bare example in grey ("Server") read as a header that is being removed.
    m_reqRemove->setPlaceholderText(tr("none (e.g. X-Debug, Cookie)"));
    m_queryRemove->setPlaceholderText(tr("none (e.g. debug)"));
    m_respRemove->setPlaceholderText(tr("none (e.g. Server, X-Powered-By)"));
    m_jsonRemove->setPlaceholderText(tr("none (e.g. password, items[*].ssn)"));
    m_fields = { { QStringLiteral("request.headers.set"), addField(reqForm, tr("Set headers"), m_reqSet) },
                 { QStringLiteral("request.headers.remove"), addField(reqForm, tr("Remove headers"), m_reqRemove) },
                 { QStringLiteral("request.headers.rename"), addField(reqForm, tr("Rename headers"), m_reqRename) },
                 { QStringLiteral("request.query.set"), addField(reqForm, tr("Set query"), m_querySet) },
                 { QStringLiteral("request.query.remove"), addField(reqForm, tr("Remove query"), m_queryRemove) },
                 { QStringLiteral("response.headers.set"), addField(respForm, tr("Set headers"), m_respSet) },
                 { QStringLiteral("response.headers.remove"), addField(respForm, tr("Remove headers"), m_respRemove) },
                 { QStringLiteral("response.headers.rename"), addField(respForm, tr("Rename headers"), m_respRename) },
                 { QStringLiteral("response.json.remove"), addField(respForm, tr("Remove JSON fields"), m_jsonRemove) } };
    tabs->addTab(request, tr("Request"));
    tabs->addTab(response, tr("Response"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tabs);

    auto request_ = [this](auto apply) {
        return [this, apply](const auto &value) {
            apply(m_request, value);
            Q_EMIT requestEdited(m_request);
        };
    };
    auto response_ = [this](auto apply) {
        return [this, apply](const auto &value) {
            apply(m_response, value);
            Q_EMIT responseEdited(m_response);
        };
    };
    using Rows = QList<QStringList>;
    connect(m_reqSet, &RowsEditor::rowsEdited, this,
            request_([](config::RequestTransform &t, const Rows &r) { t.headers.set = toKeyValues(r); }));
    connect(m_reqRemove, &ListEdit::committed, this,
            request_([](config::RequestTransform &t, const QStringList &l) { t.headers.remove = l; }));
    connect(m_reqRename, &RowsEditor::rowsEdited, this,
            request_([](config::RequestTransform &t, const Rows &r) { t.headers.rename = toKeyValues(r); }));
    connect(m_querySet, &RowsEditor::rowsEdited, this,
            request_([](config::RequestTransform &t, const Rows &r) { t.query.set = toKeyValues(r); }));
    connect(m_queryRemove, &ListEdit::committed, this,
            request_([](config::RequestTransform &t, const QStringList &l) { t.query.remove = l; }));
    connect(m_respSet, &RowsEditor::rowsEdited, this,
            response_([](config::ResponseTransform &t, const Rows &r) { t.headers.set = toKeyValues(r); }));
    connect(m_respRemove, &ListEdit::committed, this,
            response_([](config::ResponseTransform &t, const QStringList &l) { t.headers.remove = l; }));
    connect(m_respRename, &RowsEditor::rowsEdited, this,
            response_([](config::ResponseTransform &t, const Rows &r) { t.headers.rename = toKeyValues(r); }));
    connect(m_jsonRemove, &ListEdit::committed, this,
            response_([](config::ResponseTransform &t, const QStringList &l) { t.jsonRemove = l; }));
}

void TransformsEditor::setTransforms(const config::RequestTransform &request, const config::ResponseTransform &response)
{
    m_request = request;
    m_response = response;
    m_reqSet->setRows(toRows(request.headers.set));
    m_reqRemove->setList(request.headers.remove);
    m_reqRename->setRows(toRows(request.headers.rename));
    m_querySet->setRows(toRows(request.query.set));
    m_queryRemove->setList(request.query.remove);
    m_respSet->setRows(toRows(response.headers.set));
    m_respRemove->setList(response.headers.remove);
    m_respRename->setRows(toRows(response.headers.rename));
    m_jsonRemove->setList(response.jsonRemove);
}

} // namespace portico::ui
