#include "ui/sections/LimitsBox.h"

#include "ui/document/WorkspaceDocument.h"
#include "ui/widgets/DurationEdit.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"
#include "ui/widgets/SizeEdit.h"

#include <QFormLayout>

namespace portico::ui {

LimitsBox::LimitsBox(WorkspaceDocument *document, QWidget *parent)
    : QGroupBox(tr("Gateway limits"), parent)
    , m_document(document)
    , m_maxHeader(new SizeEdit(this))
    , m_maxBody(new SizeEdit(this))
    , m_headerTimeout(new DurationEdit(this))
    , m_idleTimeout(new DurationEdit(this))
{
    auto *form = makeForm(this);
    m_maxHeaderField = addField(form, tr("Max request head"), m_maxHeader);
    m_maxBodyField = addField(form, tr("Max request body"), m_maxBody);
    m_headerTimeoutField = addField(form, tr("Header timeout"), m_headerTimeout);
    m_idleTimeoutField = addField(form, tr("Idle timeout"), m_idleTimeout);
    m_maxBody->setObjectName(QStringLiteral("maxBodyBytes"));
    m_maxHeader->setToolTip(tr("A larger request head is answered 431"));
    m_maxBody->setToolTip(tr("A larger request body is answered 413"));

    connect(m_maxHeader, &SizeEdit::sizeCommitted, this, [this](qint64 v) {
        m_document->edit(tr("Change max request head"), [&](config::Workspace &ws) { ws.gateway.limits.maxHeaderBytes = v; });
    });
    connect(m_maxBody, &SizeEdit::sizeCommitted, this, [this](qint64 v) {
        m_document->edit(tr("Change max request body"), [&](config::Workspace &ws) { ws.gateway.limits.maxBodyBytes = v; });
    });
    connect(m_headerTimeout, &DurationEdit::durationCommitted, this, [this](auto d) {
        m_document->edit(tr("Change header timeout"),
                         [&](config::Workspace &ws) { ws.gateway.limits.headerTimeout = d.value_or(config::Duration {}); });
    });
    connect(m_idleTimeout, &DurationEdit::durationCommitted, this, [this](auto d) {
        m_document->edit(tr("Change idle timeout"),
                         [&](config::Workspace &ws) { ws.gateway.limits.idleTimeout = d.value_or(config::Duration {}); });
    });
    connect(document, &WorkspaceDocument::changed, this, &LimitsBox::load);
    connect(document, &WorkspaceDocument::diagnosticsChanged, this, &LimitsBox::showDiagnostics);
    load();
    showDiagnostics();
}

void LimitsBox::load()
{
    const config::Limits &l = m_document->workspace().gateway.limits;
    m_maxHeader->setSize(l.maxHeaderBytes);
    m_maxBody->setSize(l.maxBodyBytes);
    m_headerTimeout->setDuration(l.headerTimeout);
    m_idleTimeout->setDuration(l.idleTimeout);
}

void LimitsBox::showDiagnostics()
{
    const std::pair<const char *, FieldBox *> fields[] = {
        { "gateway.limits.max_header_bytes", m_maxHeaderField },
        { "gateway.limits.max_body_bytes", m_maxBodyField },
        { "gateway.limits.header_timeout", m_headerTimeoutField },
        { "gateway.limits.idle_timeout", m_idleTimeoutField },
    };
    for (const auto &[path, field] : fields) {
        QStringList messages;
        for (const auto &d : m_document->diagnostics()) {
            if (d.path == QLatin1String(path))
                messages << d.message;
        }
        field->setDiagnostic(messages.join(u'\n'));
    }
}

} // namespace portico::ui
