#pragma once

#include <QHash>
#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QLabel;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace portico::ui {

class CheckList;
class DurationEdit;
class FieldBox;
class ListEdit;
class ParsedEdit;
class SizeEdit;
class WorkspaceDocument;

// The workspace-wide settings: gateway listeners and workers, TLS, the admin API, the capture store
// trace propagation and span export, the shared rate-limit store and the gRPC schemas.
class SettingsPage final : public QWidget
{
    Q_OBJECT

public:
    explicit SettingsPage(WorkspaceDocument *document, QWidget *parent = nullptr);

    ListEdit *protosEdit() const { return m_protos; }
    ListEdit *protoPathsEdit() const { return m_protoPaths; }
    QLabel *grpcServicesLabel() const { return m_grpcServices; }
    FieldBox *field(const QString &path) const { return m_fields.value(path); }

private:
    void load();
    void showDiagnostics();

    WorkspaceDocument *m_document;
    ListEdit *m_listen;
    QSpinBox *m_workers;
    QLineEdit *m_tlsCert;
    QLineEdit *m_tlsKey;
    QCheckBox *m_http2;
    QCheckBox *m_adminEnabled;
    ParsedEdit *m_adminListen;
    QLineEdit *m_adminToken;
    QCheckBox *m_captureEnabled;
    QLineEdit *m_database;
    SizeEdit *m_captureBody;
    ListEdit *m_redact;
    QSpinBox *m_maxExchanges;
    DurationEdit *m_maxAge;
    CheckList *m_propagation;
    QLineEdit *m_otlpEndpoint;
    QLineEdit *m_otlpService;
    QDoubleSpinBox *m_otlpSample;
    QLineEdit *m_redis;
    QComboBox *m_onError;
    DurationEdit *m_storeTimeout;
    ListEdit *m_protos;
    ListEdit *m_protoPaths;
    QLabel *m_grpcServices;
    QHash<QString, FieldBox *> m_fields; // diagnostic path -> field
};

} // namespace portico::ui
