#include "ui/sections/SettingsPage.h"

#include "core/config/GrpcConfig.h"
#include "core/config/ValueFormats.h"
#include "core/grpc/SchemaDescription.h"
#include "ui/document/WorkspaceDocument.h"
#include "ui/widgets/CheckList.h"
#include "ui/widgets/DurationEdit.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"
#include "ui/widgets/ListEdit.h"
#include "ui/widgets/ParsedEdit.h"
#include "ui/widgets/SizeEdit.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace portico::ui {

using config::Workspace;

SettingsPage::SettingsPage(WorkspaceDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
{
    auto *content = new QWidget(this);
    auto *column = new QVBoxLayout(content);
    column->setContentsMargins(12, 10, 12, 12);
    auto *title = new QLabel(tr("Settings"), content);
    title->setObjectName(QStringLiteral("sectionTitle"));
    column->addWidget(title);

    auto *gateway = new QGroupBox(tr("Gateway"), content);
    auto *gForm = makeForm(gateway);
    m_listen = new ListEdit(gateway);
    m_listen->setPlaceholderText(QStringLiteral("127.0.0.1:8080"));
    m_workers = new QSpinBox(gateway);
    m_workers->setRange(0, 256);
    m_workers->setSpecialValueText(tr("auto (one per core)"));
    m_tlsCert = new QLineEdit(gateway);
    m_tlsCert->setPlaceholderText(tr("certificate PEM (empty = plain HTTP)"));
    m_tlsKey = new QLineEdit(gateway);
    m_tlsKey->setPlaceholderText(tr("private key PEM"));
    m_fields.insert(QStringLiteral("gateway.listen"), addField(gForm, tr("Listen on"), m_listen));
    m_fields.insert(QStringLiteral("gateway.workers"), addField(gForm, tr("Worker threads"), m_workers));
    m_fields.insert(QStringLiteral("gateway.tls.cert"), addField(gForm, tr("TLS certificate"), m_tlsCert));
    m_fields.insert(QStringLiteral("gateway.tls.key"), addField(gForm, tr("TLS key"), m_tlsKey));
    m_http2 = new QCheckBox(tr("HTTP/2 too (h2 over TLS, prior-knowledge h2c over plain HTTP)"), gateway);
    m_http2->setToolTip(tr("gateway.http2: clients that speak HTTP/2 get it on the same listeners; "
                           "HTTP/1.1 clients are served as before. Upstreams are reached over HTTP/1.1."));
    gForm->addRow(QString(), m_http2);

    auto *admin = new QGroupBox(tr("Admin API"), content);
    auto *aForm = makeForm(admin);
    m_adminEnabled = new QCheckBox(tr("Serve the admin API and /metrics"), admin);
    m_adminListen = new ParsedEdit(
        [](const QString &t) { return config::parseHostPort(t) ? QString() : tr("'%1' is not host:port").arg(t); }, admin);
    m_adminToken = new QLineEdit(admin);
    m_adminToken->setPlaceholderText(tr("no token (loopback only is advised)"));
    aForm->addRow(QString(), m_adminEnabled);
    m_fields.insert(QStringLiteral("admin.listen"), addField(aForm, tr("Listen on"), m_adminListen));
    m_fields.insert(QStringLiteral("admin.token"), addField(aForm, tr("Bearer token"), m_adminToken));

    auto *capture = new QGroupBox(tr("Capture"), content);
    auto *cForm = makeForm(capture);
    m_captureEnabled = new QCheckBox(tr("Record every exchange for the traffic inspector"), capture);
    m_database = new QLineEdit(capture);
    m_captureBody = new SizeEdit(capture);
    m_redact = new ListEdit(capture);
    m_maxExchanges = new QSpinBox(capture);
    m_maxExchanges->setRange(0, 1'000'000'000);
    m_maxExchanges->setGroupSeparatorShown(true);
    m_maxAge = new DurationEdit(capture);
    cForm->addRow(QString(), m_captureEnabled);
    m_fields.insert(QStringLiteral("capture.database"), addField(cForm, tr("Database"), m_database));
    m_fields.insert(QStringLiteral("capture.max_body_bytes"), addField(cForm, tr("Max stored body"), m_captureBody));
    m_fields.insert(QStringLiteral("capture.redact_headers"), addField(cForm, tr("Redact headers"), m_redact));
    m_fields.insert(QStringLiteral("capture.retention.max_exchanges"), addField(cForm, tr("Keep at most"), m_maxExchanges));
    m_fields.insert(QStringLiteral("capture.retention.max_age"), addField(cForm, tr("Keep for"), m_maxAge));

    auto *tracing = new QGroupBox(tr("Tracing"), content);
    auto *tForm = makeForm(tracing);
    m_propagation = new CheckList(tracing);
    m_propagation->setOptions({ QStringLiteral("w3c"), QStringLiteral("b3") });
    m_fields.insert(QStringLiteral("tracing.propagation"), addField(tForm, tr("Propagation"), m_propagation));
    m_otlpEndpoint = new QLineEdit(tracing);
    m_otlpEndpoint->setObjectName(QStringLiteral("otlpEndpoint"));
    m_otlpEndpoint->setPlaceholderText(tr("http://127.0.0.1:4318/v1/traces (empty = no span export)"));
    m_otlpService = new QLineEdit(tracing);
    m_otlpService->setObjectName(QStringLiteral("otlpServiceName"));
    m_otlpService->setPlaceholderText(QStringLiteral("portico"));
    m_otlpSample = new QDoubleSpinBox(tracing);
    m_otlpSample->setObjectName(QStringLiteral("otlpSample"));
    m_otlpSample->setRange(0, 1);
    m_otlpSample->setDecimals(3);
    m_otlpSample->setSingleStep(0.05);
    m_otlpSample->setToolTip(
        tr("Fraction of new traces exported; a request's own sampled flag decides for it"));
    m_fields.insert(QStringLiteral("tracing.otlp"), addField(tForm, tr("OTLP endpoint"), m_otlpEndpoint));
    m_fields.insert(
        QStringLiteral("tracing.otlp.service_name"), addField(tForm, tr("Service name"), m_otlpService));
    m_fields.insert(QStringLiteral("tracing.otlp.sample"), addField(tForm, tr("Sample"), m_otlpSample));

    auto *store = new QGroupBox(tr("Shared rate limits"), content);
    auto *sForm = makeForm(store);
    m_redis = new QLineEdit(store);
    m_redis->setObjectName(QStringLiteral("rateLimitStoreRedis"));
    m_redis->setPlaceholderText(tr("redis://127.0.0.1:6379/0 (empty = limits kept in this process)"));
    m_redis->setToolTip(tr("Several Portico instances naming the same Redis share their rate limits"));
    m_onError = new QComboBox(store);
    m_onError->setObjectName(QStringLiteral("rateLimitStoreOnError"));
    m_onError->addItem(tr("allow: let requests through unlimited"), QStringLiteral("allow"));
    m_onError->addItem(tr("deny: answer 503"), QStringLiteral("deny"));
    m_storeTimeout = new DurationEdit(store);
    m_storeTimeout->setObjectName(QStringLiteral("rateLimitStoreTimeout"));
    m_fields.insert(QStringLiteral("rate_limit_store.redis"), addField(sForm, tr("Redis"), m_redis));
    m_fields.insert(
        QStringLiteral("rate_limit_store.on_error"), addField(sForm, tr("While Redis is away"), m_onError));
    m_fields.insert(
        QStringLiteral("rate_limit_store.timeout"), addField(sForm, tr("Deadline"), m_storeTimeout));

    auto *grpcBox = new QGroupBox(tr("gRPC schemas"), content);
    auto *grpcForm = makeForm(grpcBox);
    m_protos = new ListEdit(grpcBox);
    m_protos->setObjectName(QStringLiteral("grpcProtos"));
    m_protos->setPlaceholderText(tr("protos/users.proto, api.pb (empty = no schemas)"));
    m_protos->setToolTip(tr("grpc.protos: .proto files compiled when the workspace loads, or descriptor "
                            "sets (.pb); relative to the workspace file. For transcoding routes and to "
                            "show captured gRPC messages as JSON."));
    m_protoPaths = new ListEdit(grpcBox);
    m_protoPaths->setObjectName(QStringLiteral("grpcProtoPaths"));
    m_protoPaths->setPlaceholderText(tr("protos (google/api and the well-known types are built in)"));
    m_protoPaths->setToolTip(tr("grpc.proto_paths: folders where imports are looked up"));
    m_grpcServices = new QLabel(grpcBox);
    m_grpcServices->setObjectName(QStringLiteral("grpcServicesLabel"));
    m_grpcServices->setWordWrap(true);
    m_grpcServices->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fields.insert(QStringLiteral("grpc.protos"), addField(grpcForm, tr("Proto files"), m_protos));
    m_fields.insert(QStringLiteral("grpc.proto_paths"), addField(grpcForm, tr("Import paths"), m_protoPaths));
    grpcForm->addRow(tr("Services"), m_grpcServices);

    for (QWidget *w :
        { static_cast<QWidget *>(gateway), static_cast<QWidget *>(admin), static_cast<QWidget *>(capture),
            static_cast<QWidget *>(tracing), static_cast<QWidget *>(store), static_cast<QWidget *>(grpcBox) })
        column->addWidget(w);
    column->addStretch(1);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);

    auto edit = [this](const QString &text, auto change) { m_document->edit(text, change); };
    connect(m_listen, &ListEdit::committed, this, [this, edit](const QStringList &items) {
        QList<config::HostPort> listen;
        QStringList bad;
        for (const QString &i : items) {
            if (const auto hp = config::parseHostPort(i))
                listen << *hp;
            else
                bad << i;
        }
        m_fields.value(QStringLiteral("gateway.listen"))
            ->setInputError(bad.isEmpty() ? QString() : tr("not host:port: %1").arg(bad.join(QStringLiteral(", "))));
        if (bad.isEmpty())
            edit(tr("Change listeners"), [&](Workspace &ws) { ws.gateway.listen = listen; });
    });
    connect(m_workers, &QSpinBox::editingFinished, this, [this, edit] {
        edit(tr("Change workers"), [&](Workspace &ws) { ws.gateway.workers = m_workers->value(); });
    });
    auto tls = [this, edit] {
        const QString cert = m_tlsCert->text().trimmed();
        const QString key = m_tlsKey->text().trimmed();
        edit(tr("Change TLS"), [&](Workspace &ws) {
            if (cert.isEmpty() && key.isEmpty())
                ws.gateway.tls.reset();
            else
                ws.gateway.tls = config::TlsFiles { cert, key };
        });
    };
    connect(m_http2, &QCheckBox::toggled, this, [edit](bool on) {
        edit(tr("Change HTTP/2"), [&](Workspace &ws) { ws.gateway.http2 = on; });
    });
    connect(m_tlsCert, &QLineEdit::editingFinished, this, tls);
    connect(m_tlsKey, &QLineEdit::editingFinished, this, tls);
    connect(m_adminEnabled, &QCheckBox::toggled, this, [edit](bool on) {
        edit(tr("Change admin API"), [&](Workspace &ws) { ws.admin.enabled = on; });
    });
    connect(m_adminListen, &ParsedEdit::committed, this, [edit](const QString &text) {
        edit(tr("Change admin address"), [&](Workspace &ws) { ws.admin.listen = *config::parseHostPort(text); });
    });
    connect(m_adminToken, &QLineEdit::editingFinished, this, [this, edit] {
        const QString v = m_adminToken->text().trimmed();
        edit(tr("Change admin token"), [&](Workspace &ws) {
            // "${NAME}" keeps the variable's name in the file and reads the value from the environment.
            if (v.startsWith(QLatin1String("${")) && v.endsWith(u'}')) {
                ws.envTemplates.insert(QStringLiteral("admin.token"), v);
                ws.admin.token = qEnvironmentVariable(v.mid(2, v.size() - 3).toUtf8().constData());
            } else {
                ws.envTemplates.remove(QStringLiteral("admin.token"));
                ws.admin.token = v;
            }
        });
    });
    connect(m_captureEnabled, &QCheckBox::toggled, this, [edit](bool on) {
        edit(tr("Change capture"), [&](Workspace &ws) { ws.capture.enabled = on; });
    });
    connect(m_database, &QLineEdit::editingFinished, this, [this, edit] {
        edit(tr("Change capture database"), [&](Workspace &ws) { ws.capture.database = m_database->text().trimmed(); });
    });
    connect(m_captureBody, &SizeEdit::sizeCommitted, this, [edit](qint64 v) {
        edit(tr("Change stored body size"), [&](Workspace &ws) { ws.capture.maxBodyBytes = v; });
    });
    connect(m_redact, &ListEdit::committed, this, [edit](const QStringList &v) {
        edit(tr("Change redacted headers"), [&](Workspace &ws) { ws.capture.redactHeaders = v; });
    });
    connect(m_maxExchanges, &QSpinBox::editingFinished, this, [this, edit] {
        edit(tr("Change retention"), [&](Workspace &ws) { ws.capture.retention.maxExchanges = m_maxExchanges->value(); });
    });
    connect(m_maxAge, &DurationEdit::durationCommitted, this, [edit](auto d) {
        edit(tr("Change retention age"),
             [&](Workspace &ws) { ws.capture.retention.maxAge = d.value_or(config::Duration {}); });
    });
    connect(m_propagation, &CheckList::edited, this, [edit](const QStringList &v) {
        edit(tr("Change trace propagation"), [&](Workspace &ws) { ws.tracing.propagation = v; });
    });
    auto otlp = [this, edit] {
        const QString endpoint = m_otlpEndpoint->text().trimmed();
        const QString service = m_otlpService->text().trimmed();
        const double sample = m_otlpSample->value();
        edit(tr("Change span export"), [&](Workspace &ws) {
            if (endpoint.isEmpty()) {
                ws.tracing.otlp.reset();
                return;
            }
            config::OtlpSettings o;
            o.endpoint = QUrl(endpoint);
            if (!service.isEmpty())
                o.serviceName = service;
            o.sample = sample;
            ws.tracing.otlp = o;
        });
    };
    connect(m_otlpEndpoint, &QLineEdit::editingFinished, this, otlp);
    connect(m_otlpService, &QLineEdit::editingFinished, this, otlp);
    connect(m_otlpSample, &QDoubleSpinBox::editingFinished, this, otlp);
    connect(m_redis, &QLineEdit::editingFinished, this, [this, edit] {
        const QString v = m_redis->text().trimmed();
        edit(tr("Change the rate-limit store"), [&](Workspace &ws) {
            // "${NAME}" keeps the variable's name in the file (a URL may carry a password).
            if (v.startsWith(QLatin1String("${")) && v.endsWith(u'}')) {
                ws.envTemplates.insert(QStringLiteral("rate_limit_store.redis"), v);
                ws.rateLimitStore.redis = qEnvironmentVariable(v.mid(2, v.size() - 3).toUtf8().constData());
            } else {
                ws.envTemplates.remove(QStringLiteral("rate_limit_store.redis"));
                ws.rateLimitStore.redis = v;
            }
        });
    });
    connect(m_onError, &QComboBox::activated, this, [this, edit] {
        const bool deny = m_onError->currentData().toString() == u"deny";
        edit(tr("Change the rate-limit store"), [&](Workspace &ws) {
            ws.rateLimitStore.onError = deny ? config::RateLimitStoreSettings::OnError::Deny
                                             : config::RateLimitStoreSettings::OnError::Allow;
        });
    });
    connect(m_storeTimeout, &DurationEdit::durationCommitted, this, [edit](auto d) {
        edit(tr("Change the rate-limit store"), [&](Workspace &ws) {
            ws.rateLimitStore.timeout = d.value_or(config::RateLimitStoreSettings {}.timeout);
        });
    });
    // The schemas are compiled with the edit, so routes, the exporter and the gateway see them at once;
    // a schema that does not compile leaves none, and its errors come back as diagnostics.
    connect(m_protos, &ListEdit::committed, this, [edit](const QStringList &v) {
        edit(tr("Change gRPC schemas"), [&](Workspace &ws) {
            ws.grpc.protos = v;
            config::compileGrpcSchema(ws);
        });
    });
    connect(m_protoPaths, &ListEdit::committed, this, [edit](const QStringList &v) {
        edit(tr("Change gRPC import paths"), [&](Workspace &ws) {
            ws.grpc.protoPaths = v;
            config::compileGrpcSchema(ws);
        });
    });
    connect(document, &WorkspaceDocument::changed, this, &SettingsPage::load);
    connect(document, &WorkspaceDocument::diagnosticsChanged, this, &SettingsPage::showDiagnostics);
    load();
    showDiagnostics();
}

void SettingsPage::load()
{
    const Workspace &ws = m_document->workspace();
    QStringList listen;
    for (const auto &hp : ws.gateway.listen)
        listen << hp.toString();
    m_listen->setList(listen);
    m_workers->setValue(ws.gateway.workers);
    m_tlsCert->setText(ws.gateway.tls ? ws.gateway.tls->cert : QString());
    m_tlsKey->setText(ws.gateway.tls ? ws.gateway.tls->key : QString());
    const QSignalBlocker b0(m_http2);
    m_http2->setChecked(ws.gateway.http2);
    const QSignalBlocker b1(m_adminEnabled);
    m_adminEnabled->setChecked(ws.admin.enabled);
    m_adminListen->setValueText(ws.admin.listen.toString());
    m_adminToken->setText(ws.envTemplates.value(QStringLiteral("admin.token"), ws.admin.token));
    const QSignalBlocker b2(m_captureEnabled);
    m_captureEnabled->setChecked(ws.capture.enabled);
    m_database->setText(ws.capture.database);
    m_captureBody->setSize(ws.capture.maxBodyBytes);
    m_redact->setList(ws.capture.redactHeaders);
    m_maxExchanges->setValue(int(std::min<qint64>(ws.capture.retention.maxExchanges, 1'000'000'000)));
    m_maxAge->setDuration(ws.capture.retention.maxAge);
    m_propagation->setChecked(ws.tracing.propagation);
    m_otlpEndpoint->setText(ws.tracing.otlp ? ws.tracing.otlp->endpoint.toString() : QString());
    m_otlpService->setText(ws.tracing.otlp ? ws.tracing.otlp->serviceName : QString());
    m_otlpSample->setValue(ws.tracing.otlp ? ws.tracing.otlp->sample : 1.0);
    m_redis->setText(
        ws.envTemplates.value(QStringLiteral("rate_limit_store.redis"), ws.rateLimitStore.redis));
    const QSignalBlocker b3(m_onError);
    m_onError->setCurrentIndex(
        ws.rateLimitStore.onError == config::RateLimitStoreSettings::OnError::Deny ? 1 : 0);
    m_storeTimeout->setDuration(ws.rateLimitStore.timeout);
    m_protos->setList(ws.grpc.protos);
    m_protoPaths->setList(ws.grpc.protoPaths);
    QStringList services;
    if (ws.grpcSchema) {
        for (const QString &s : grpc::serviceNames(*ws.grpcSchema))
            services << tr(
                "%1 (%n REST mapping(s))", nullptr, int(grpc::restMappings(*ws.grpcSchema, s).size()))
                            .arg(s);
    }
    m_grpcServices->setText(ws.grpc.protos.isEmpty() ? tr("none: no schemas listed")
            : !ws.grpcSchema                         ? tr("none: the schemas did not load (errors above)")
            : services.isEmpty()                     ? tr("none: the schemas define no service")
                                                     : services.join(u'\n'));
}

void SettingsPage::showDiagnostics()
{
    QHash<FieldBox *, QStringList> messages;
    for (const auto &d : m_document->diagnostics()) {
        for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it) {
            if (d.path == it.key() || d.path.startsWith(it.key() + u'.')
                || d.path.startsWith(it.key() + u'[')) {
                // A schema error points into the .proto file: FILE:LINE:COL: message.
                messages[it.value()] << (d.line > 0 ? QStringLiteral("%1:%2:%3: %4")
                                                          .arg(QFileInfo(d.file).fileName())
                                                          .arg(d.line)
                                                          .arg(d.column)
                                                          .arg(d.message)
                                                    : d.message);
            }
        }
    }
    for (FieldBox *f : std::as_const(m_fields))
        f->setDiagnostic(messages.value(f).join(u'\n'));
}

} // namespace portico::ui
