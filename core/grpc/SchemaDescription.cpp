#include "core/grpc/SchemaDescription.h"

#include "core/grpc/SchemaParts.h"

#include <google/protobuf/descriptor.pb.h>

#include <QSet>

namespace portico::grpc {

namespace gp = google::protobuf;

namespace {

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

// Each file after its imports, once.
void collectFiles(const gp::FileDescriptor *file, QSet<const gp::FileDescriptor *> &seen,
    QList<const gp::FileDescriptor *> &out)
{
    if (seen.contains(file))
        return;
    seen.insert(file);
    for (int i = 0; i < file->dependency_count(); ++i)
        collectFiles(file->dependency(i), seen, out);
    out.append(file);
}

FieldShape::Kind kindOf(const gp::FieldDescriptor *f)
{
    switch (f->type()) {
    case gp::FieldDescriptor::TYPE_BOOL:
        return FieldShape::Kind::Bool;
    case gp::FieldDescriptor::TYPE_INT32:
    case gp::FieldDescriptor::TYPE_SINT32:
    case gp::FieldDescriptor::TYPE_SFIXED32:
        return FieldShape::Kind::Int32;
    case gp::FieldDescriptor::TYPE_UINT32:
    case gp::FieldDescriptor::TYPE_FIXED32:
        return FieldShape::Kind::Uint32;
    case gp::FieldDescriptor::TYPE_INT64:
    case gp::FieldDescriptor::TYPE_SINT64:
    case gp::FieldDescriptor::TYPE_SFIXED64:
        return FieldShape::Kind::Int64;
    case gp::FieldDescriptor::TYPE_UINT64:
    case gp::FieldDescriptor::TYPE_FIXED64:
        return FieldShape::Kind::Uint64;
    case gp::FieldDescriptor::TYPE_FLOAT:
        return FieldShape::Kind::Float;
    case gp::FieldDescriptor::TYPE_DOUBLE:
        return FieldShape::Kind::Double;
    case gp::FieldDescriptor::TYPE_STRING:
        return FieldShape::Kind::String;
    case gp::FieldDescriptor::TYPE_BYTES:
        return FieldShape::Kind::Bytes;
    case gp::FieldDescriptor::TYPE_ENUM:
        return FieldShape::Kind::Enum;
    case gp::FieldDescriptor::TYPE_MESSAGE:
    case gp::FieldDescriptor::TYPE_GROUP:
        return FieldShape::Kind::Message;
    }
    return FieldShape::Kind::String;
}

QString typeNameOf(const gp::FieldDescriptor *f)
{
    if (f->enum_type())
        return q(f->enum_type()->full_name());
    if (f->message_type())
        return q(f->message_type()->full_name());
    return {};
}

} // namespace

QStringList serviceNames(const Schema &schema)
{
    QStringList out;
    for (const gp::ServiceDescriptor *s : schema.services())
        out << q(s->full_name());
    return out;
}

QString serviceFullName(const Schema &schema, const QString &service)
{
    const gp::ServiceDescriptor *s = schema.findService(service);
    return s ? q(s->full_name()) : QString();
}

QList<RestMapping> restMappings(const Schema &schema, const QString &service)
{
    QList<RestMapping> out;
    const gp::ServiceDescriptor *s = schema.findService(service);
    if (!s)
        return out;
    for (int i = 0; i < s->method_count(); ++i) {
        const gp::MethodDescriptor *m = s->method(i);
        RestMapping base;
        base.service = q(s->full_name());
        base.method = q(m->name());
        base.inputType = q(m->input_type()->full_name());
        base.outputType = q(m->output_type()->full_name());
        base.clientStreaming = m->client_streaming();
        base.serverStreaming = m->server_streaming();
        const QList<HttpBinding> bindings = schema.httpBindings(m);
        for (const HttpBinding &b : bindings) {
            RestMapping r = base;
            r.verb = b.verb;
            r.pattern = b.pattern;
            r.body = b.body;
            r.responseBody = b.responseBody;
            r.additional = b.additional;
            out.append(r);
        }
        if (bindings.isEmpty()) {
            RestMapping r = base;
            r.verb = QStringLiteral("POST");
            r.pattern = r.grpcPath();
            r.body = QStringLiteral("*");
            r.fallback = true;
            out.append(r);
        }
    }
    return out;
}

QString serviceFileName(const Schema &schema, const QString &service)
{
    const gp::ServiceDescriptor *s = schema.findService(service);
    return s ? q(s->file()->name()) : QString();
}

QString serviceDiskFile(const Schema &schema, const QString &service)
{
    const QString name = serviceFileName(schema, service);
    return name.isEmpty() ? QString() : schema.parts().diskFiles.value(name);
}

QByteArray descriptorSet(const Schema &schema)
{
    QSet<const gp::FileDescriptor *> seen;
    QList<const gp::FileDescriptor *> files;
    for (const gp::FileDescriptor *f : schema.parts().rootFiles)
        collectFiles(f, seen, files);
    gp::FileDescriptorSet set;
    for (const gp::FileDescriptor *f : std::as_const(files))
        f->CopyTo(set.add_file());
    std::string bytes;
    // Deterministic: the same schema gives the same bytes, so an export is byte-identical.
    set.SerializePartialToString(&bytes);
    return QByteArray::fromStdString(bytes);
}

std::optional<MessageShape> messageShape(const Schema &schema, const QString &fullName)
{
    const gp::Descriptor *d = schema.pool().FindMessageTypeByName(fullName.toStdString());
    if (!d)
        return std::nullopt;
    MessageShape shape;
    shape.fullName = q(d->full_name());
    for (int i = 0; i < d->field_count(); ++i) {
        const gp::FieldDescriptor *f = d->field(i);
        FieldShape field;
        field.name = q(f->name());
        field.jsonName = q(f->json_name());
        if (f->is_map()) {
            const gp::FieldDescriptor *value = f->message_type()->map_value();
            field.map = true;
            field.kind = kindOf(value);
            field.typeName = typeNameOf(value);
        } else {
            field.kind = kindOf(f);
            field.typeName = typeNameOf(f);
            field.repeated = f->is_repeated();
        }
        shape.fields.append(field);
    }
    return shape;
}

QStringList enumValues(const Schema &schema, const QString &fullName)
{
    QStringList out;
    if (const gp::EnumDescriptor *e = schema.pool().FindEnumTypeByName(fullName.toStdString())) {
        for (int i = 0; i < e->value_count(); ++i)
            out << q(e->value(i)->name());
    }
    return out;
}

} // namespace portico::grpc
