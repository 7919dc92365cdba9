#pragma once

#include "ui/sections/ItemForm.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QStackedWidget;

namespace portico::ui {

class CheckList;
class DurationEdit;
class FieldBox;
class GrpcBackendEditor;
class ListEdit;
class MockEditor;
class RateLimitBox;
class RouteMatchEditor;
class RowsEditor;
class TransformsEditor;
class VersionsEditor;

// One route: what it matches, where it sends (an upstream, a version map, an aggregate, a mock, or
// a gRPC upstream that REST requests are transcoded to),
// who may call it (auth schemes, groups, rate limit) and how requests and responses are changed.
class RouteForm final : public ItemForm
{
    Q_OBJECT

public:
    enum class Backend { Upstream, Versions, Aggregate, Mock, GrpcTranscoded };

    explicit RouteForm(WorkspaceDocument *document, QWidget *parent = nullptr);

    QLineEdit *nameEdit() const { return m_name; }
    RouteMatchEditor *matchEditor() const { return m_match; }
    QComboBox *backendCombo() const { return m_backend; }
    QComboBox *upstreamCombo() const { return m_upstream; }
    CheckList *authChecks() const { return m_auth; }
    RateLimitBox *rateLimitBox() const { return m_rateLimit; }
    GrpcBackendEditor *grpcEditor() const { return m_grpc; }

protected:
    void load(const config::Workspace &ws, int row) override;

private:
    void changeBackend(Backend kind);

    QLineEdit *m_name;
    RouteMatchEditor *m_match;
    QComboBox *m_backend;
    QStackedWidget *m_backendPages;
    QComboBox *m_upstream;
    FieldBox *m_upstreamField;
    VersionsEditor *m_versions;
    RowsEditor *m_aggregate;
    MockEditor *m_mock;
    GrpcBackendEditor *m_grpc;
    CheckList *m_auth;
    QCheckBox *m_hideCredentials;
    ListEdit *m_groups;
    QCheckBox *m_stripPrefix;
    DurationEdit *m_timeout;
    RateLimitBox *m_rateLimit;
    TransformsEditor *m_transforms;
};

} // namespace portico::ui
