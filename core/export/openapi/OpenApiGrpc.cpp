#include "core/export/openapi/OpenApiGrpc.h"

#include "core/export/GrpcExport.h"
#include "core/grpc/PathTemplate.h"

namespace portico::exporter {

using namespace portico::config;
using grpc::FieldShape;
using grpc::RestMapping;

namespace {

const QStringList kOpenApiMethods { QStringLiteral("GET"), QStringLiteral("PUT"), QStringLiteral("POST"),
    QStringLiteral("DELETE"), QStringLiteral("PATCH"), QStringLiteral("HEAD"), QStringLiteral("OPTIONS") };

struct PathParam
{
    QString name; // the field path, or "wildcardN" for a bare * or **
    bool multiSegment = false; // may hold "/"
    bool field = true;
};

// "/v1/{name=shelves/*}/books/**:list" -> "/v1/{name}/books/{wildcard1}:list", with its parameters.
QString openApiPath(const QString &pattern, QList<PathParam> *params)
{
    QString out;
    int wildcards = 0;
    qsizetype i = 0;
    while (i < pattern.size()) {
        const QChar c = pattern[i];
        if (c == u'{') {
            const qsizetype end = pattern.indexOf(u'}', i);
            const QString inner = pattern.mid(i + 1, end - i - 1);
            const qsizetype eq = inner.indexOf(u'=');
            const QString name = eq < 0 ? inner : inner.left(eq);
            const QString sub = eq < 0 ? QString() : inner.mid(eq + 1);
            params->append(
                PathParam { name, sub.contains(u'/') || sub.contains(QStringLiteral("**")), true });
            out += u'{' + name + u'}';
            i = end + 1;
            continue;
        }
        if (c == u'*' && (i == 0 || pattern[i - 1] == u'/')) {
            const bool rest = pattern.mid(i, 2) == u"**";
            const QString name = QStringLiteral("wildcard%1").arg(++wildcards);
            params->append(PathParam { name, rest, false });
            out += u'{' + name + u'}';
            i += rest ? 2 : 1;
            continue;
        }
        out += c;
        ++i;
    }
    return out;
}

DocNode typed(const char *type, const char *format = nullptr)
{
    DocNode n;
    n["type"] = type;
    if (format)
        n["format"] = format;
    return n;
}

// The well-known types have JSON forms of their own (proto3 JSON mapping); null for the rest.
DocNode wellKnown(const QString &name)
{
    const QString t = name.startsWith(QStringLiteral("google.protobuf.")) ? name.mid(16) : QString();
    if (t == u"Timestamp")
        return typed("string", "date-time");
    if (t == u"Duration") {
        DocNode n = typed("string");
        n["pattern"] = "^-?[0-9]+(\\.[0-9]+)?s$";
        return n;
    }
    if (t == u"FieldMask")
        return typed("string");
    if (t == u"Struct" || t == u"Empty") {
        DocNode n = typed("object");
        if (t == u"Struct")
            n["additionalProperties"] = true;
        return n;
    }
    if (t == u"Value")
        return DocNode::map(); // any JSON value
    if (t == u"ListValue") {
        DocNode n = typed("array");
        n["items"] = DocNode::map();
        return n;
    }
    if (t == u"Any") {
        DocNode n = typed("object");
        n["properties"]["@type"] = typed("string");
        n["additionalProperties"] = true;
        return n;
    }
    DocNode n;
    if (t == u"DoubleValue" || t == u"FloatValue")
        n = typed("number");
    else if (t == u"Int64Value" || t == u"UInt64Value")
        n = typed("string", "int64");
    else if (t == u"Int32Value" || t == u"UInt32Value")
        n = typed("integer", "int32");
    else if (t == u"BoolValue")
        n = typed("boolean");
    else if (t == u"StringValue")
        n = typed("string");
    else if (t == u"BytesValue")
        n = typed("string", "byte");
    else
        return {};
    n["nullable"] = true;
    return n;
}

bool isScalar(const FieldShape &f)
{
    return f.kind != FieldShape::Kind::Message || !wellKnown(f.typeName).isNull();
}

} // namespace

DocNode OpenApiGrpc::refTo(const QString &fullName, bool isEnum)
{
    if (!m_referenced.contains(fullName)) {
        m_referenced << fullName;
        if (isEnum)
            m_enums << fullName;
    }
    DocNode n;
    n["$ref"] = QStringLiteral("#/components/schemas/") + fullName;
    return n;
}

DocNode OpenApiGrpc::valueSchema(const FieldShape &field)
{
    switch (field.kind) {
    case FieldShape::Kind::Bool:
        return typed("boolean");
    case FieldShape::Kind::Int32:
        return typed("integer", "int32");
    case FieldShape::Kind::Uint32: {
        DocNode n = typed("integer", "int64");
        n["minimum"] = 0;
        return n;
    }
    case FieldShape::Kind::Int64:
        return typed("string", "int64"); // proto3 JSON writes 64-bit integers as strings
    case FieldShape::Kind::Uint64:
        return typed("string", "uint64");
    case FieldShape::Kind::Float:
        return typed("number", "float");
    case FieldShape::Kind::Double:
        return typed("number", "double");
    case FieldShape::Kind::String:
        return typed("string");
    case FieldShape::Kind::Bytes:
        return typed("string", "byte");
    case FieldShape::Kind::Enum:
        return refTo(field.typeName, true);
    case FieldShape::Kind::Message: {
        const DocNode known = wellKnown(field.typeName);
        return known.isNull() ? refTo(field.typeName, false) : known;
    }
    }
    return typed("string");
}

DocNode OpenApiGrpc::fieldSchema(const FieldShape &field)
{
    const DocNode value = valueSchema(field);
    if (field.map) {
        DocNode n = typed("object");
        n["additionalProperties"] = value;
        return n;
    }
    if (field.repeated) {
        DocNode n = typed("array");
        n["items"] = value;
        return n;
    }
    return value;
}

std::optional<FieldShape> OpenApiGrpc::findField(const QString &messageType, const QString &fieldPath) const
{
    QString type = messageType;
    std::optional<FieldShape> found;
    for (const QString &part : fieldPath.split(u'.')) {
        const auto shape = grpc::messageShape(*m_ws.grpcSchema, type);
        if (!shape)
            return std::nullopt;
        found.reset();
        for (const FieldShape &f : shape->fields) {
            if (f.name == part)
                found = f;
        }
        if (!found)
            return std::nullopt;
        type = found->typeName;
    }
    return found;
}

bool OpenApiGrpc::addMapping(
    const FlatRoute &f, const RestMapping &m, DocNode &paths, const BaseOperation &base)
{
    const QString what = QStringLiteral("route %1: %2 %3 (%4)").arg(f.name, m.verb, m.pattern, m.grpcPath());
    if (m.clientStreaming) {
        m_warnings << what + QStringLiteral(": client streaming cannot be called over REST; not described");
        return false;
    }
    if (!kOpenApiMethods.contains(m.verb)) {
        m_warnings << what + QStringLiteral(": OpenAPI has no method %1; not described").arg(m.verb);
        return false;
    }
    QString error;
    if (!grpc::PathTemplate::parse(m.pattern, &error)) {
        m_warnings << what + QStringLiteral(": not a path template (%1); not described").arg(error);
        return false;
    }
    QList<PathParam> pathParams;
    const QString path = openApiPath(f.stripPrefix + m.pattern, &pathParams);
    DocNode &item = paths[path];
    const QString key = m.verb.toLower();
    if (item.contains(key)) {
        m_warnings << QStringLiteral("route %1: %2 %3 is already described by another route")
                          .arg(f.name, m.verb, path);
        return false;
    }
    DocNode op = base(m.verb, path);
    op.remove(QStringLiteral("x-amazon-apigateway-integration"));
    QString id = f.name + u'_' + m.method;
    if (m.additional)
        id += u'_' + key;
    op["operationId"] = id.replace(u'-', u'_').replace(u'.', u'_');
    op["summary"] = QStringLiteral("%1 (gRPC %2)").arg(m.method, m.grpcPath());
    DocNode params = DocNode::list();
    if (const DocNode *old = op.find(QStringLiteral("parameters"))) {
        for (const DocNode &p : old->items())
            params.append(p);
    }
    QStringList bound;
    for (const PathParam &pp : std::as_const(pathParams)) {
        DocNode p;
        p["name"] = pp.name;
        p["in"] = "path";
        p["required"] = true;
        const auto field = pp.field ? findField(m.inputType, pp.name) : std::nullopt;
        p["schema"] = field && isScalar(*field) && !field->repeated && !field->map ? valueSchema(*field)
                                                                                   : typed("string");
        if (pp.multiSegment)
            p["description"] = "may span several path segments (contains '/')";
        else if (!pp.field)
            p["description"] = "any path segment (not bound to a field)";
        params.append(p);
        if (pp.field)
            bound << pp.name;
    }
    const auto input = grpc::messageShape(*m_ws.grpcSchema, m.inputType);
    if (m.body != u"*" && input) {
        for (const FieldShape &field : input->fields) {
            if (field.name == m.body || bound.contains(field.name) || !isScalar(field) || field.map)
                continue;
            DocNode p;
            p["name"] = field.name;
            p["in"] = "query";
            p["schema"] = fieldSchema(field);
            if (field.repeated) {
                p["style"] = "form";
                p["explode"] = true;
            }
            params.append(p);
        }
    }
    if (!params.isEmpty())
        op["parameters"] = params;
    if (!m.body.isEmpty()) {
        DocNode &rb = op["requestBody"];
        rb["required"] = true;
        DocNode schema;
        if (m.body == u"*") {
            schema = refTo(m.inputType, false);
        } else if (const auto field = findField(m.inputType, m.body)) {
            schema = fieldSchema(*field);
        } else {
            schema = typed("object");
        }
        rb["content"]["application/json"]["schema"] = schema;
    }
    DocNode &responses = op["responses"];
    DocNode &ok = responses["200"];
    DocNode out;
    if (const auto field = m.responseBody.isEmpty() ? std::nullopt : findField(m.outputType, m.responseBody))
        out = fieldSchema(*field);
    else
        out = refTo(m.outputType, false);
    if (m.serverStreaming) {
        ok["description"] = QStringLiteral("%1 messages, one JSON object per line, written as they arrive")
                                .arg(m.outputType);
        ok["content"]["application/x-ndjson"]["schema"] = out;
    } else {
        ok["description"] = m.outputType;
        ok["content"]["application/json"]["schema"] = out;
    }
    DocNode &failure = responses["default"];
    failure["description"] = "The gRPC failure (or a refused request) as problem+json; the HTTP status "
                             "follows google.rpc.Code (NOT_FOUND 404, INVALID_ARGUMENT 400, ...)";
    DocNode &problem = failure["content"]["application/problem+json"]["schema"];
    problem["type"] = "object";
    for (const char *name : { "type", "title", "detail", "grpc_code", "details_bin" })
        problem["properties"][QString::fromLatin1(name)] = typed("string");
    problem["properties"]["status"] = typed("integer");
    problem["properties"]["grpc_status"] = typed("integer");
    item[key] = op;
    return true;
}

bool OpenApiGrpc::addRoute(const FlatRoute &f, DocNode &paths, const BaseOperation &base)
{
    if (!transcodes(m_ws, f))
        return false;
    if (const QString problem = schemaProblem(m_ws, f); !problem.isEmpty()) {
        m_warnings << problem + QStringLiteral("; its REST operations are not described");
        return true;
    }
    bool any = false;
    for (const QString &service : f.route->grpc->services) {
        for (const RestMapping &m : grpc::restMappings(*m_ws.grpcSchema, service))
            any = addMapping(f, m, paths, base) || any;
    }
    if (any)
        m_warnings << QStringLiteral("route %1: AWS API Gateway does not transcode to gRPC; its operations "
                                     "have no x-amazon-apigateway-integration")
                          .arg(f.name);
    return true;
}

void OpenApiGrpc::addSchemas(DocNode &components)
{
    // Describing a message may refer to more: the list grows while it is walked.
    for (qsizetype i = 0; i < m_referenced.size(); ++i) {
        const QString name = m_referenced[i];
        DocNode &schema = components["schemas"][name];
        if (m_enums.contains(name)) {
            schema["type"] = "string";
            schema["enum"] = grpc::enumValues(*m_ws.grpcSchema, name);
            continue;
        }
        schema["type"] = "object";
        const auto shape = grpc::messageShape(*m_ws.grpcSchema, name);
        if (!shape)
            continue;
        DocNode properties = DocNode::map();
        for (const FieldShape &field : shape->fields)
            properties[field.jsonName] = fieldSchema(field);
        if (!properties.isEmpty())
            schema["properties"] = properties;
    }
}

} // namespace portico::exporter
