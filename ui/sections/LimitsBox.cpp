#include "ui/sections/LimitsBox.h"

#include "ui/document/WorkspaceDocument.h"
#include "ui/widgets/DurationEdit.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"
#include "ui/widgets/SizeEdit.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QSpinBox>

namespace portico::ui {

LimitsBox::LimitsBox(WorkspaceDocument *document, QWidget *parent)
    : QGroupBox(tr("Gateway limits"), parent)
    , m_document(document)
    , m_maxHeader(new SizeEdit(this))
    , m_maxBody(new SizeEdit(this))
    , m_headerTimeout(new DurationEdit(this))
    , m_idleTimeout(new DurationEdit(this))
    , m_maxConnections(new QSpinBox(this))
    , m_mergeSlashes(new QCheckBox(tr("Merge repeated slashes (//a -> /a)"), this))
    , m_escapedSlashes(new QComboBox(this))
{
    auto *form = makeForm(this);
    m_maxHeaderField = addField(form, tr("Max request head"), m_maxHeader);
    m_maxBodyField = addField(form, tr("Max request body"), m_maxBody);
    m_headerTimeoutField = addField(form, tr("Header timeout"), m_headerTimeout);
    m_idleTimeoutField = addField(form, tr("Idle timeout"), m_idleTimeout);
    m_maxConnectionsField = addField(form, tr("Max connections"), m_maxConnections);
    addField(form, tr("Paths"), m_mergeSlashes);
    addField(form, tr("Encoded slash (%2F)"), m_escapedSlashes);
    m_maxConnections->setRange(1, 1'000'000);
    m_maxConnections->setObjectName(QStringLiteral("maxConnections"));
    m_maxConnections->setToolTip(tr("Client connections open at once; past it new ones are closed"));
    m_mergeSlashes->setObjectName(QStringLiteral("mergeSlashes"));
    m_escapedSlashes->setObjectName(QStringLiteral("escapedSlashes"));
    m_escapedSlashes->addItem(tr("Keep as data"), int(config::PathRules::EscapedSlashes::Keep));
    m_escapedSlashes->addItem(tr("Refuse the request (400)"), int(config::PathRules::EscapedSlashes::Reject));
    m_escapedSlashes->addItem(tr("Decode to a separator"), int(config::PathRules::EscapedSlashes::Decode));
    m_escapedSlashes->setToolTip(tr("What a %2F in a request path means before routing"));
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
    connect(m_maxConnections, &QSpinBox::editingFinished, this, [this] {
        const int v = m_maxConnections->value();
        if (v != m_document->workspace().gateway.limits.maxConnections)
            m_document->edit(tr("Change max connections"),
                [&](config::Workspace &ws) { ws.gateway.limits.maxConnections = v; });
    });
    connect(m_mergeSlashes, &QCheckBox::toggled, this, [this](bool on) {
        if (on != m_document->workspace().gateway.paths.mergeSlashes)
            m_document->edit(tr("Change slash merging"),
                [&](config::Workspace &ws) { ws.gateway.paths.mergeSlashes = on; });
    });
    connect(m_escapedSlashes, &QComboBox::activated, this, [this](int index) {
        const auto action = config::PathRules::EscapedSlashes(m_escapedSlashes->itemData(index).toInt());
        if (action != m_document->workspace().gateway.paths.escapedSlashes)
            m_document->edit(tr("Change encoded slashes"),
                [&](config::Workspace &ws) { ws.gateway.paths.escapedSlashes = action; });
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
    const QSignalBlocker blockCount(m_maxConnections);
    m_maxConnections->setValue(l.maxConnections);
    const config::PathRules &p = m_document->workspace().gateway.paths;
    const QSignalBlocker blockMerge(m_mergeSlashes);
    m_mergeSlashes->setChecked(p.mergeSlashes);
    m_escapedSlashes->setCurrentIndex(m_escapedSlashes->findData(int(p.escapedSlashes)));
}

void LimitsBox::showDiagnostics()
{
    const std::pair<const char *, FieldBox *> fields[] = {
        { "gateway.limits.max_header_bytes", m_maxHeaderField },
        { "gateway.limits.max_body_bytes", m_maxBodyField },
        { "gateway.limits.header_timeout", m_headerTimeoutField },
        { "gateway.limits.idle_timeout", m_idleTimeoutField },
        { "gateway.limits.max_connections", m_maxConnectionsField },
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
