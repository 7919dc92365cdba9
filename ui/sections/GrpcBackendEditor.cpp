#include "ui/sections/GrpcBackendEditor.h"

#include "core/grpc/SchemaDescription.h"
#include "ui/widgets/CheckList.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace portico::ui {

GrpcBackendEditor::GrpcBackendEditor(QWidget *parent)
    : QWidget(parent)
    , m_upstream(new QComboBox(this))
    , m_services(new CheckList(this))
    , m_ignoreUnknown(new QCheckBox(tr("Drop JSON and query fields the message lacks (else 400)"), this))
    , m_note(new QLabel(this))
    , m_mappings(new QTreeWidget(this))
{
    m_upstream->setObjectName(QStringLiteral("grpcUpstream"));
    m_services->setObjectName(QStringLiteral("grpcServices"));
    m_mappings->setObjectName(QStringLiteral("grpcMappings"));
    m_note->setObjectName(QStringLiteral("grpcSchemaNote"));
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_mappings->setHeaderLabels({ tr("Method"), tr("Verb"), tr("Path") });
    m_mappings->setRootIsDecorated(false);
    m_mappings->setAlternatingRowColors(true);
    m_mappings->setMinimumHeight(140);
    m_mappings->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_mappings->header()->setStretchLastSection(true);

    auto *form = makeForm(this);
    form->setContentsMargins(0, 0, 0, 0);
    m_upstreamField = addField(form, tr("Upstream (h2c or h2)"), m_upstream);
    m_fields << std::pair { QStringLiteral("grpc"), addField(form, tr("Services"), m_services) };
    form->addRow(QString(), m_ignoreUnknown);
    form->addRow(QString(), m_note);
    form->addRow(tr("REST mappings"), m_mappings);

    connect(m_upstream, &QComboBox::activated, this,
        [this] { Q_EMIT upstreamChosen(m_upstream->currentData().toString()); });
    connect(m_services, &CheckList::edited, this, [this](const QStringList &services) {
        config::RouteGrpc g = m_grpc;
        g.services = services;
        Q_EMIT grpcEdited(g, tr("route gRPC services"));
    });
    connect(m_ignoreUnknown, &QCheckBox::toggled, this, [this](bool on) {
        config::RouteGrpc g = m_grpc;
        g.ignoreUnknownFields = on;
        Q_EMIT grpcEdited(g, tr("route unknown fields"));
    });
}

void GrpcBackendEditor::setRoute(const config::Workspace &ws, const config::Route &route)
{
    m_grpc = route.grpc.value_or(config::RouteGrpc { true, {}, false });
    m_schema = ws.grpcSchema;
    m_prefix = route.stripPrefix && route.match.pathKind == config::RouteMatch::PathKind::Prefix
            && route.match.path != u"/"
        ? route.match.path
        : QString();

    m_upstream->clear();
    for (const config::Upstream &u : ws.upstreams) {
        const bool http2 = u.protocol != config::UpstreamProtocol::Http1;
        m_upstream->addItem(http2 ? u.name : tr("%1 (HTTP/1.1: needs h2c or h2)").arg(u.name), u.name);
    }
    if (m_upstream->findData(route.upstream) < 0)
        m_upstream->addItem(
            route.upstream.isEmpty() ? tr("— choose —") : tr("%1 (missing)").arg(route.upstream),
            route.upstream);
    m_upstream->setCurrentIndex(m_upstream->findData(route.upstream));

    const QStringList offered = m_schema ? grpc::serviceNames(*m_schema) : QStringList();
    m_services->setOptions(offered);
    m_services->setChecked(m_grpc.services);
    const QSignalBlocker block(m_ignoreUnknown);
    m_ignoreUnknown->setChecked(m_grpc.ignoreUnknownFields);

    if (ws.grpc.protos.isEmpty())
        m_note->setText(
            tr("No gRPC schemas: list the services' .proto files under Settings › gRPC schemas."));
    else if (!m_schema)
        m_note->setText(tr("The gRPC schemas did not load: see Settings › gRPC schemas."));
    else if (offered.isEmpty())
        m_note->setText(tr("The gRPC schemas define no service."));
    else
        m_note->clear();
    m_note->setVisible(!m_note->text().isEmpty());
    listMappings();
}

void GrpcBackendEditor::listMappings()
{
    m_mappings->clear();
    if (!m_schema)
        return;
    for (const QString &service : std::as_const(m_grpc.services)) {
        for (const grpc::RestMapping &m : grpc::restMappings(*m_schema, service)) {
            auto *item = new QTreeWidgetItem(m_mappings);
            item->setText(0, m.method);
            item->setText(1, m.verb);
            item->setText(2, m_prefix + m.pattern);
            item->setToolTip(0, m.grpcPath());
            QStringList notes;
            if (m.fallback)
                notes << tr("no google.api.http rule: the whole request as the JSON body");
            if (m.additional)
                notes << tr("additional binding");
            if (!m.body.isEmpty() && !m.fallback)
                notes << tr("body: %1").arg(m.body);
            if (m.serverStreaming)
                notes << tr("server streaming: newline-delimited JSON");
            if (m.clientStreaming) {
                notes << tr("client streaming: REST cannot call it (501)");
                item->setDisabled(true);
            }
            item->setToolTip(2, notes.join(u'\n'));
        }
    }
}

} // namespace portico::ui
