#pragma once

#include "core/config/Workspace.h"
#include "ui/sections/ItemForm.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QTreeWidget;

namespace portico::ui {

class CheckList;
class FieldBox;

// A route's "gRPC (transcoded)" backend: the HTTP/2 upstream, the services it serves (picked from
// the workspace's compiled schemas) and the REST mappings that result (each method's
// google.api.http rules, or POST /pkg.Service/Method), listed as clients would call them.
class GrpcBackendEditor final : public QWidget
{
    Q_OBJECT

public:
    explicit GrpcBackendEditor(QWidget *parent = nullptr);

    void setRoute(const config::Workspace &ws, const config::Route &route);
    ItemForm::Fields fields() const { return m_fields; } // relative to the route: "grpc"
    FieldBox *upstreamField() const { return m_upstreamField; } // bound as "upstream" while shown

    QComboBox *upstreamCombo() const { return m_upstream; }
    CheckList *servicesList() const { return m_services; }
    QTreeWidget *mappingsView() const { return m_mappings; }
    QCheckBox *ignoreUnknownBox() const { return m_ignoreUnknown; }
    QLabel *schemaNote() const { return m_note; }

Q_SIGNALS:
    void upstreamChosen(const QString &upstream);
    void grpcEdited(const config::RouteGrpc &grpc, const QString &what);

private:
    void listMappings();

    QComboBox *m_upstream;
    CheckList *m_services;
    QCheckBox *m_ignoreUnknown;
    QLabel *m_note;
    QTreeWidget *m_mappings;
    config::RouteGrpc m_grpc;
    grpc::SchemaPtr m_schema;
    QString m_prefix; // the strip_prefix path put before the rules' paths
    ItemForm::Fields m_fields;
    FieldBox *m_upstreamField;
};

} // namespace portico::ui
