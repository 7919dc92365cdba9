#include "ui/sections/UpstreamForm.h"

#include "core/config/Renames.h"
#include "ui/document/WorkspaceDocument.h"
#include "ui/gateway/TargetHealth.h"
#include "ui/models/RowsModel.h"
#include "ui/widgets/DurationEdit.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"
#include "ui/widgets/RowsEditor.h"
#include "ui/widgets/UserUrl.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace portico::ui {

using config::Balance;
using config::Upstream;

UpstreamForm::UpstreamForm(WorkspaceDocument *document, QWidget *parent)
    : ItemForm(document, parent)
    , m_name(new QLineEdit(this))
    , m_targets(new RowsEditor({ tr("Target URL"), tr("Weight") }, this))
    , m_protocol(new QComboBox(this))
    , m_balance(new QComboBox(this))
    , m_connect(new DurationEdit(this))
    , m_response(new DurationEdit(this))
    , m_retries(new QSpinBox(this))
    , m_health(new QGroupBox(tr("Health check"), this))
    , m_healthPath(new QLineEdit(this))
    , m_healthInterval(new DurationEdit(this))
    , m_healthTimeout(new DurationEdit(this))
    , m_unhealthyAfter(new QSpinBox(this))
    , m_healthyAfter(new QSpinBox(this))
    , m_targetHealth(new QLabel(this))
{
    m_targetHealth->setObjectName(QStringLiteral("targetHealth"));
    m_targetHealth->setTextFormat(Qt::RichText);
    m_targetHealth->setWordWrap(true);
    m_name->setObjectName(QStringLiteral("upstreamName"));
    m_targets->setNewRow({ QStringLiteral("http://127.0.0.1:9000"), QStringLiteral("1") });
    // The workspace's words (upstreams.*.protocol) with what they mean; a target whose scheme does
    // not fit the choice gets the check's message under Targets.
    m_protocol->setObjectName(QStringLiteral("upstreamProtocol"));
    m_protocol->addItem(tr("http1 — HTTP/1.1 (http or https targets)"), int(config::UpstreamProtocol::Http1));
    m_protocol->addItem(tr("h2c — HTTP/2 without TLS (http targets)"), int(config::UpstreamProtocol::H2c));
    m_protocol->addItem(tr("h2 — HTTP/2 over TLS (https targets)"), int(config::UpstreamProtocol::H2));
    m_protocol->setToolTip(tr("The protocol Portico speaks to this upstream's targets. gRPC services need "
                              "h2c or h2. Clients may speak HTTP/1.1 or HTTP/2 to Portico either way."));
    for (Balance b : { Balance::RoundRobin, Balance::LeastConnections, Balance::IpHash })
        m_balance->addItem(config::balanceName(b), int(b));
    m_retries->setRange(0, 10);
    m_unhealthyAfter->setRange(1, 100);
    m_healthyAfter->setRange(1, 100);
    m_health->setCheckable(true);

    auto *main = new QWidget(this);
    auto *form = makeForm(main);
    bind(QStringLiteral("name"), addField(form, tr("Name"), m_name));
    bind(QStringLiteral("targets"), addField(form, tr("Targets"), m_targets));
    bind(QStringLiteral("protocol"), addField(form, tr("Protocol"), m_protocol));
    addField(form, tr("Health"), m_targetHealth);
    bind(QStringLiteral("balance"), addField(form, tr("Balance"), m_balance));
    bind(QStringLiteral("timeouts.connect"), addField(form, tr("Connect timeout"), m_connect));
    bind(QStringLiteral("timeouts.response"), addField(form, tr("Response timeout"), m_response));
    bind(QStringLiteral("retries"), addField(form, tr("Retries"), m_retries));

    auto *health = makeForm(m_health);
    bind(QStringLiteral("health_check.path"), addField(health, tr("Path"), m_healthPath));
    bind(QStringLiteral("health_check.interval"), addField(health, tr("Interval"), m_healthInterval));
    bind(QStringLiteral("health_check.timeout"), addField(health, tr("Timeout"), m_healthTimeout));
    bind(QStringLiteral("health_check.unhealthy_after"), addField(health, tr("Unhealthy after"), m_unhealthyAfter));
    bind(QStringLiteral("health_check.healthy_after"), addField(health, tr("Healthy after"), m_healthyAfter));
    body()->addWidget(main);
    body()->addWidget(m_health);

    connect(m_name, &QLineEdit::editingFinished, this, [this] {
        const QString name = m_name->text().trimmed();
        editItem(tr("Rename upstream"), [&](config::Workspace &ws, int row) {
            if (ws.upstreams[row].name != name)
                config::renameUpstream(ws, row, name);
        });
    });
    connect(m_targets, &RowsEditor::rowsEdited, this, [this](const QList<QStringList> &rows) {
        QList<config::Target> targets;
        for (const QStringList &r : rows) {
            bool ok = false;
            const int weight = r.value(1).toInt(&ok);
            targets << config::Target { userUrl(r.value(0)), ok ? weight : 0 };
        }
        editItem(tr("Edit targets"), [&](config::Workspace &ws, int row) { ws.upstreams[row].targets = targets; });
    });
    connect(m_protocol, &QComboBox::activated, this, [this] {
        const auto p = config::UpstreamProtocol(m_protocol->currentData().toInt());
        editItem(tr("Change upstream protocol"),
            [&](config::Workspace &ws, int row) { ws.upstreams[row].protocol = p; });
    });
    connect(m_balance, &QComboBox::activated, this, [this] {
        const auto b = Balance(m_balance->currentData().toInt());
        editItem(tr("Change balancing"), [&](config::Workspace &ws, int row) { ws.upstreams[row].balance = b; });
    });
    connect(m_connect, &DurationEdit::durationCommitted, this, [this](auto d) {
        editItem(tr("Change connect timeout"),
                 [&](config::Workspace &ws, int row) { ws.upstreams[row].connectTimeout = d.value_or(config::Duration {}); });
    });
    connect(m_response, &DurationEdit::durationCommitted, this, [this](auto d) {
        editItem(tr("Change response timeout"),
                 [&](config::Workspace &ws, int row) { ws.upstreams[row].responseTimeout = d.value_or(config::Duration {}); });
    });
    connect(m_retries, &QSpinBox::editingFinished, this, [this] {
        const int n = m_retries->value();
        editItem(tr("Change retries"), [&](config::Workspace &ws, int row) { ws.upstreams[row].retries = n; });
    });
    // A wrong target is marked in its own cell (the text as typed, the check's message as tooltip).
    connect(document, &WorkspaceDocument::diagnosticsChanged, this, &UpstreamForm::markTargets);
    connect(m_health, &QGroupBox::toggled, this, &UpstreamForm::commitHealth);
    connect(m_healthPath, &QLineEdit::editingFinished, this, &UpstreamForm::commitHealth);
    connect(m_healthInterval, &DurationEdit::committed, this, &UpstreamForm::commitHealth);
    connect(m_healthTimeout, &DurationEdit::committed, this, &UpstreamForm::commitHealth);
    connect(m_unhealthyAfter, &QSpinBox::editingFinished, this, &UpstreamForm::commitHealth);
    connect(m_healthyAfter, &QSpinBox::editingFinished, this, &UpstreamForm::commitHealth);
}

void UpstreamForm::commitHealth()
{
    std::optional<config::HealthCheck> health;
    if (m_health->isChecked()) {
        config::HealthCheck h;
        h.path = m_healthPath->text().trimmed();
        h.interval = m_healthInterval->duration().value_or(h.interval);
        h.timeout = m_healthTimeout->duration().value_or(h.timeout);
        h.unhealthyAfter = m_unhealthyAfter->value();
        h.healthyAfter = m_healthyAfter->value();
        health = h;
    }
    editItem(tr("Edit health check"), [&](config::Workspace &ws, int row) { ws.upstreams[row].healthCheck = health; });
}

void UpstreamForm::setHealth(TargetHealth *health)
{
    m_healthSource = health;
    connect(health, &TargetHealth::changed, this, &UpstreamForm::showHealth);
    showHealth();
}

void UpstreamForm::showHealth()
{
    const config::Workspace &ws = document()->workspace();
    if (!m_healthSource || row() < 0 || row() >= ws.upstreams.size()) {
        m_targetHealth->setText(tr("Health: shown while the gateway runs."));
        return;
    }
    const config::Upstream &u = ws.upstreams.at(row());
    QStringList targets;
    for (const config::Target &t : u.targets)
        targets << t.url.toString();
    m_targetHealth->setText(m_healthSource->describe(u.name, targets, u.healthCheck.has_value()));
}

void UpstreamForm::markTargets()
{
    QHash<int, QString> marks;
    const config::Workspace &ws = document()->workspace();
    if (row() >= 0 && row() < ws.upstreams.size()) {
        const QString prefix = QStringLiteral("upstreams.%1.targets[").arg(ws.upstreams.at(row()).name);
        for (const config::Diagnostic &d : document()->diagnostics()) {
            if (!d.path.startsWith(prefix))
                continue;
            bool ok = false;
            const int i = d.path.mid(prefix.size()).section(u']', 0, 0).toInt(&ok);
            if (ok)
                marks.insert(i * 1000 + (d.path.endsWith(QStringLiteral(".weight")) ? 1 : 0), d.message);
        }
    }
    m_targets->model()->setProblems(marks);
}

void UpstreamForm::load(const config::Workspace &ws, int row)
{
    const Upstream &u = ws.upstreams.at(row);
    if (!m_name->hasFocus() || m_name->text() != u.name)
        m_name->setText(u.name);
    QList<QStringList> rows;
    for (const auto &t : u.targets)
        rows << QStringList { t.url.toString(), QString::number(t.weight) };
    m_targets->setRows(rows);
    m_protocol->setCurrentIndex(m_protocol->findData(int(u.protocol)));
    markTargets();
    showHealth();
    m_balance->setCurrentIndex(m_balance->findData(int(u.balance)));
    m_connect->setDuration(u.connectTimeout);
    m_response->setDuration(u.responseTimeout);
    m_retries->setValue(u.retries);
    const QSignalBlocker blocker(m_health);
    m_health->setChecked(u.healthCheck.has_value());
    const config::HealthCheck h = u.healthCheck.value_or(config::HealthCheck {});
    m_healthPath->setText(h.path);
    m_healthInterval->setDuration(h.interval);
    m_healthTimeout->setDuration(h.timeout);
    m_unhealthyAfter->setValue(h.unhealthyAfter);
    m_healthyAfter->setValue(h.healthyAfter);
}

} // namespace portico::ui
