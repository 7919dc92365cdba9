#include "ui/sections/RouteForm.h"

#include "core/filters/acl/AclConfig.h"
#include "core/grpc/SchemaDescription.h"
#include "ui/models/ListHelpers.h"
#include "ui/sections/GrpcBackendEditor.h"
#include "ui/sections/MockEditor.h"
#include "ui/sections/RouteMatchEditor.h"
#include "ui/sections/TransformsEditor.h"
#include "ui/sections/VersionsEditor.h"
#include "ui/widgets/CheckList.h"
#include "ui/widgets/DurationEdit.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"
#include "ui/widgets/ListEdit.h"
#include "ui/widgets/RateLimitBox.h"
#include "ui/widgets/RowsDelegate.h"
#include "ui/widgets/RowsEditor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLineEdit>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace portico::ui {

using config::Route;

RouteForm::RouteForm(WorkspaceDocument *document, QWidget *parent)
    : ItemForm(document, parent)
    , m_name(new QLineEdit(this))
    , m_match(new RouteMatchEditor(this))
    , m_backend(new QComboBox(this))
    , m_backendPages(new QStackedWidget(this))
    , m_upstream(new QComboBox(this))
    , m_versions(new VersionsEditor(this))
    , m_aggregate(new RowsEditor({ tr("Key"), tr("Upstream"), tr("Path") }, this))
    , m_mock(new MockEditor(this))
    , m_grpc(new GrpcBackendEditor(this))
    , m_auth(new CheckList(this))
    , m_hideCredentials(new QCheckBox(tr("Do not pass the key or token upstream"), this))
    , m_groups(new ListEdit(this))
    , m_stripPrefix(new QCheckBox(tr("Strip the matched prefix before forwarding"), this))
    , m_timeout(new DurationEdit(this))
    , m_rateLimit(new RateLimitBox(true, this))
    , m_transforms(new TransformsEditor(this))
{
    m_name->setObjectName(QStringLiteral("routeName"));
    m_backend->addItem(tr("Upstream"), int(Backend::Upstream));
    m_backend->addItem(tr("Versions"), int(Backend::Versions));
    m_backend->addItem(tr("Aggregate"), int(Backend::Aggregate));
    m_backend->addItem(tr("Mock"), int(Backend::Mock));
    m_backend->addItem(tr("gRPC (transcoded)"), int(Backend::GrpcTranscoded));
    m_backend->setItemData(m_backend->count() - 1,
        tr("REST/JSON requests become gRPC calls to an HTTP/2 upstream, by the services' "
           "google.api.http rules"),
        Qt::ToolTipRole);
    m_timeout->setOptional(true);
    m_timeout->setPlaceholderText(tr("upstream's response timeout"));
    m_groups->setPlaceholderText(tr("any authenticated consumer"));

    auto *top = new QWidget(this);
    auto *topForm = makeForm(top);
    bind(QStringLiteral("name"), addField(topForm, tr("Name"), m_name));
    body()->addWidget(top);
    body()->addWidget(m_match);
    bind(QStringLiteral("match"), m_match->fields());

    auto *backendBox = new QGroupBox(tr("Backend"), this);
    auto *backendLayout = new QVBoxLayout(backendBox);
    auto *kindRow = new QWidget(backendBox);
    auto *kindForm = makeForm(kindRow);
    kindForm->setContentsMargins(0, 0, 0, 0);
    kindForm->addRow(tr("Send to"), m_backend);
    backendLayout->addWidget(kindRow);
    auto *upstreamPage = new QWidget(m_backendPages);
    auto *upstreamForm = makeForm(upstreamPage);
    upstreamForm->setContentsMargins(0, 0, 0, 0);
    m_upstreamField = addField(upstreamForm, tr("Upstream"), m_upstream);
    bind(QStringLiteral("upstream"), m_upstreamField);
    m_backendPages->addWidget(upstreamPage);
    m_backendPages->addWidget(m_versions);
    bind(QStringLiteral("versions"), m_versions->fields());
    auto *aggregatePage = new QWidget(m_backendPages);
    auto *aggregateForm = makeForm(aggregatePage);
    aggregateForm->setContentsMargins(0, 0, 0, 0);
    bind(QStringLiteral("aggregate"), addField(aggregateForm, tr("Parts"), m_aggregate));
    m_backendPages->addWidget(aggregatePage);
    m_backendPages->addWidget(m_mock);
    bind(QStringLiteral("mock"), m_mock->fields());
    m_backendPages->addWidget(m_grpc);
    bind(QString(), m_grpc->fields());
    backendLayout->addWidget(m_backendPages);
    body()->addWidget(backendBox);

    auto *access = new QGroupBox(tr("Access"), this);
    auto *accessForm = makeForm(access);
    bind(QStringLiteral("auth"), addField(accessForm, tr("Auth schemes"), m_auth));
    accessForm->addRow(QString(), m_hideCredentials);
    bind(QStringLiteral("allow_groups"), addField(accessForm, tr("Allow groups"), m_groups));
    accessForm->addRow(QString(), m_stripPrefix);
    bind(QStringLiteral("timeout"), addField(accessForm, tr("Timeout"), m_timeout));
    body()->addWidget(access);
    body()->addWidget(m_rateLimit);
    bind(QStringLiteral("rate_limit.requests"), m_rateLimit->requestsField());
    bind(QStringLiteral("rate_limit.per"), m_rateLimit->perField());
    bind(QStringLiteral("rate_limit.by"), m_rateLimit->perField());

    auto *transforms = new QGroupBox(tr("Transforms"), this);
    auto *transformsLayout = new QVBoxLayout(transforms);
    transformsLayout->addWidget(m_transforms);
    bind(QString(), m_transforms->fields());
    body()->addWidget(transforms);

    connect(m_name, &QLineEdit::editingFinished, this, [this] {
        const QString name = m_name->text().trimmed();
        editItem(tr("Rename route"), [&](config::Workspace &ws, int row) { ws.routes[row].name = name; });
    });
    connect(m_match, &RouteMatchEditor::edited, this, [this](const config::RouteMatch &match, const QString &what) {
        editItem(tr("Change route %1").arg(what), [&](config::Workspace &ws, int row) { ws.routes[row].match = match; });
    });
    connect(m_backend, &QComboBox::activated, this, [this] { changeBackend(Backend(m_backend->currentData().toInt())); });
    connect(m_upstream, &QComboBox::activated, this, [this] {
        const QString name = m_upstream->currentData().toString();
        editItem(tr("Change route upstream"), [&](config::Workspace &ws, int row) { ws.routes[row].upstream = name; });
    });
    connect(m_versions, &VersionsEditor::edited, this, [this](const config::Versions &v, const QString &what) {
        editItem(tr("Change %1").arg(what), [&](config::Workspace &ws, int row) { ws.routes[row].versions = v; });
    });
    connect(m_aggregate, &RowsEditor::rowsEdited, this, [this](const QList<QStringList> &rows) {
        QList<config::AggregatePart> parts;
        for (const QStringList &r : rows)
            parts << config::AggregatePart { r.value(0), r.value(1), r.value(2) };
        editItem(tr("Change aggregate parts"), [&](config::Workspace &ws, int row) { ws.routes[row].aggregate = parts; });
    });
    connect(m_mock, &MockEditor::edited, this, [this](const config::Mock &mock, const QString &what) {
        editItem(tr("Change %1").arg(what), [&](config::Workspace &ws, int row) { ws.routes[row].mock = mock; });
    });
    connect(m_grpc, &GrpcBackendEditor::upstreamChosen, this, [this](const QString &name) {
        editItem(tr("Change route upstream"),
            [&](config::Workspace &ws, int row) { ws.routes[row].upstream = name; });
    });
    connect(m_grpc, &GrpcBackendEditor::grpcEdited, this,
        [this](const config::RouteGrpc &g, const QString &what) {
            editItem(
                tr("Change %1").arg(what), [&](config::Workspace &ws, int row) { ws.routes[row].grpc = g; });
        });
    connect(m_auth, &CheckList::edited, this, [this](const QStringList &schemes) {
        editItem(tr("Change route auth"), [&](config::Workspace &ws, int row) {
            ws.routes[row].filters.edit<config::AuthConfig>().schemes = schemes;
        });
    });
    connect(m_hideCredentials, &QCheckBox::toggled, this, [this](bool on) {
        editItem(tr("Change hide credentials"), [&](config::Workspace &ws, int row) {
            ws.routes[row].filters.edit<config::AuthConfig>().hideCredentials = on;
        });
    });
    connect(m_groups, &ListEdit::committed, this, [this](const QStringList &groups) {
        editItem(tr("Change allowed groups"), [&](config::Workspace &ws, int row) {
            ws.routes[row].filters.edit<config::AclConfig>().allowGroups = groups;
        });
    });
    connect(m_stripPrefix, &QCheckBox::toggled, this, [this](bool on) {
        editItem(tr("Change strip prefix"), [&](config::Workspace &ws, int row) { ws.routes[row].stripPrefix = on; });
    });
    connect(m_timeout, &DurationEdit::durationCommitted, this, [this](std::optional<config::Duration> d) {
        editItem(tr("Change route timeout"), [&](config::Workspace &ws, int row) { ws.routes[row].timeout = d; });
    });
    connect(m_rateLimit, &RateLimitBox::edited, this, [this](const std::optional<config::RateLimit> &limit) {
        editItem(tr("Change route rate limit"), [&](config::Workspace &ws, int row) {
            ws.routes[row].filters.edit<config::RateLimitConfig>().limit = limit;
        });
    });
    connect(m_transforms, &TransformsEditor::requestEdited, this, [this](const config::RequestTransform &t) {
        editItem(tr("Change request transform"), [&](config::Workspace &ws, int row) {
            ws.routes[row].filters.edit<config::TransformConfig>().request = t;
        });
    });
    connect(
        m_transforms, &TransformsEditor::responseEdited, this, [this](const config::ResponseTransform &t) {
            editItem(tr("Change response transform"), [&](config::Workspace &ws, int row) {
                ws.routes[row].filters.edit<config::TransformConfig>().response = t;
            });
        });
}

void RouteForm::changeBackend(Backend kind)
{
    editItem(tr("Change route backend"), [&](config::Workspace &ws, int row) {
        Route &r = ws.routes[row];
        // Keep what can be carried over: the upstream becomes the first version or part.
        const QString upstream = !r.upstream.isEmpty()              ? r.upstream
            : r.versions && !r.versions->map.isEmpty()              ? r.versions->map.first().second
            : !r.aggregate.isEmpty()                                ? r.aggregate.first().upstream
            : !ws.upstreams.isEmpty()                               ? ws.upstreams.first().name
                                                                    : QString();
        r.upstream.clear();
        r.versions.reset();
        r.aggregate.clear();
        r.mock.reset();
        // Leaving the transcoded backend drops its grpc key; a native gRPC route's stays.
        if (r.grpc && r.grpc->transcode && kind != Backend::GrpcTranscoded)
            r.grpc.reset();
        switch (kind) {
        case Backend::Upstream:
            r.upstream = upstream;
            break;
        case Backend::GrpcTranscoded: {
            // An HTTP/2 upstream when there is one (transcoding needs h2c or h2).
            r.upstream = upstream;
            const config::Upstream *current = ws.findUpstream(upstream);
            if (!current || current->protocol == config::UpstreamProtocol::Http1) {
                for (const config::Upstream &u : ws.upstreams) {
                    if (u.protocol != config::UpstreamProtocol::Http1) {
                        r.upstream = u.name;
                        break;
                    }
                }
            }
            config::RouteGrpc g = r.grpc.value_or(config::RouteGrpc {});
            g.transcode = true;
            if (g.services.isEmpty() && ws.grpcSchema)
                g.services = grpc::serviceNames(*ws.grpcSchema).mid(0, 1);
            r.grpc = g;
            break;
        }
        case Backend::Versions: {
            config::Versions v;
            v.map.append({ QStringLiteral("v1"), upstream });
            v.defaultVersion = QStringLiteral("v1");
            r.versions = v;
            break;
        }
        case Backend::Aggregate:
            r.aggregate << config::AggregatePart { QStringLiteral("data"), upstream, QStringLiteral("/") };
            break;
        case Backend::Mock:
            r.mock = config::Mock {};
            break;
        }
    });
}

void RouteForm::load(const config::Workspace &ws, int row)
{
    const Route &r = ws.routes.at(row);
    m_name->setText(r.name);
    m_match->setMatch(r.match);

    const Backend kind = r.versions   ? Backend::Versions
        : !r.aggregate.isEmpty()      ? Backend::Aggregate
        : r.mock                      ? Backend::Mock
        : r.grpc && r.grpc->transcode ? Backend::GrpcTranscoded
                                      : Backend::Upstream;
    m_backend->setCurrentIndex(m_backend->findData(int(kind)));
    showStackPage(m_backendPages, int(kind));
    // Problems with the upstream show under the upstream field of the page in view.
    bind(QStringLiteral("upstream"),
        kind == Backend::GrpcTranscoded ? m_grpc->upstreamField() : m_upstreamField);
    const QStringList upstreams = list::names(ws.upstreams);
    m_upstream->clear();
    for (const QString &u : upstreams)
        m_upstream->addItem(u, u);
    if (m_upstream->findData(r.upstream) < 0)
        m_upstream->addItem(r.upstream.isEmpty() ? tr("— choose —") : tr("%1 (missing)").arg(r.upstream), r.upstream);
    m_upstream->setCurrentIndex(m_upstream->findData(r.upstream));
    m_versions->setVersions(r.versions.value_or(config::Versions {}), upstreams);
    QList<QStringList> parts;
    for (const auto &p : r.aggregate)
        parts << QStringList { p.key, p.upstream, p.path };
    m_aggregate->delegate()->setChoices(1, upstreams);
    m_aggregate->setRows(parts);
    m_mock->setMock(r.mock.value_or(config::Mock {}));
    m_grpc->setRoute(ws, r);

    m_auth->setOptions(list::names(ws.auth));
    const config::AuthConfig &auth = r.filters.value<config::AuthConfig>();
    m_auth->setChecked(auth.schemes);
    const QSignalBlocker b1(m_hideCredentials);
    m_hideCredentials->setChecked(auth.hideCredentials);
    m_groups->setList(r.filters.value<config::AclConfig>().allowGroups);
    const QSignalBlocker b2(m_stripPrefix);
    m_stripPrefix->setChecked(r.stripPrefix);
    m_timeout->setDuration(r.timeout);
    m_rateLimit->setRateLimit(r.filters.value<config::RateLimitConfig>().limit);
    const config::TransformConfig &transforms = r.filters.value<config::TransformConfig>();
    m_transforms->setTransforms(transforms.request, transforms.response);
}

} // namespace portico::ui
