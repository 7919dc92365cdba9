#pragma once

// The REST API of transcoding routes (routes[].grpc.transcode) in the OpenAPI export: one
// operation per google.api.http rule of the route's services (and POST /pkg.Service/Method for a
// method without one), path parameters from the templates, query parameters and the request body
// from the rule's body, and JSON schemas of the messages in their proto3 JSON form.

#include "core/export/DocNode.h"
#include "core/export/ExportSupport.h"
#include "core/grpc/SchemaDescription.h"

#include <functional>
#include <optional>

namespace portico::exporter {

class OpenApiGrpc
{
public:
    // The operation the builder would describe for a route, method and path (tags, security,
    // 401/403/429 responses); the gRPC parts are added to it.
    using BaseOperation = std::function<DocNode(const QString &method, const QString &path)>;

    OpenApiGrpc(const config::Workspace &ws, QStringList &warnings)
        : m_ws(ws)
        , m_warnings(warnings)
    {
    }

    // Adds the route's operations to `paths`; false when the route does not transcode (the
    // builder describes it as usual).
    bool addRoute(const FlatRoute &f, DocNode &paths, const BaseOperation &base);
    // The message and enum schemas the operations refer to, under components.schemas.
    void addSchemas(DocNode &components);

private:
    bool addMapping(
        const FlatRoute &f, const grpc::RestMapping &m, DocNode &paths, const BaseOperation &base);
    DocNode fieldSchema(const grpc::FieldShape &field);
    DocNode valueSchema(const grpc::FieldShape &field);
    DocNode refTo(const QString &fullName, bool isEnum);
    std::optional<grpc::FieldShape> findField(const QString &messageType, const QString &fieldPath) const;

    const config::Workspace &m_ws;
    QStringList &m_warnings;
    QStringList m_referenced; // message and enum full names, in first-use order
    QStringList m_enums;
};

} // namespace portico::exporter
