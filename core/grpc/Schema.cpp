#include "core/grpc/Schema.h"

#include "core/grpc/SchemaParts.h"

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/json_util.h>

#include <memory>

namespace portico::grpc {

namespace gp = google::protobuf;

namespace {

// The field number of the google.api.http extension of MethodOptions.
constexpr int kHttpExtension = 72295728;

QString str(const gp::Message &m, const char *field)
{
    const gp::FieldDescriptor *f = m.GetDescriptor()->FindFieldByName(field);
    if (!f || f->cpp_type() != gp::FieldDescriptor::CPPTYPE_STRING || f->is_repeated())
        return {};
    return QString::fromStdString(m.GetReflection()->GetString(m, f));
}

// One HttpRule (a dynamic message of google.api.HttpRule) as a binding.
HttpBinding binding(const gp::Message &rule, const gp::MethodDescriptor *method, bool additional)
{
    HttpBinding b;
    b.method = method;
    b.additional = additional;
    for (const char *verb : { "get", "put", "post", "delete", "patch" }) {
        const gp::FieldDescriptor *f = rule.GetDescriptor()->FindFieldByName(verb);
        if (f && rule.GetReflection()->HasField(rule, f)) {
            b.verb = QString::fromLatin1(verb).toUpper();
            b.pattern = str(rule, verb);
        }
    }
    const gp::FieldDescriptor *custom = rule.GetDescriptor()->FindFieldByName("custom");
    if (custom && custom->cpp_type() == gp::FieldDescriptor::CPPTYPE_MESSAGE
        && rule.GetReflection()->HasField(rule, custom)) {
        const gp::Message &c = rule.GetReflection()->GetMessage(rule, custom);
        b.verb = str(c, "kind");
        b.pattern = str(c, "path");
    }
    b.body = str(rule, "body");
    b.responseBody = str(rule, "response_body");
    return b;
}

// The method's google.api.http option. The extension is defined in the workspace's pool, not in
// libprotobuf's generated one, so MethodOptions keeps it as an unknown field: read it from there
// with the pool's own HttpRule type.
QList<HttpBinding> readBindings(
    const gp::MethodDescriptor *method, const gp::Descriptor *ruleType, gp::DynamicMessageFactory &factory)
{
    QList<HttpBinding> out;
    if (!ruleType)
        return out;
    const gp::MethodOptions &options = method->options();
    const gp::UnknownFieldSet &unknown = options.GetReflection()->GetUnknownFields(options);
    for (int i = 0; i < unknown.field_count(); ++i) {
        const gp::UnknownField &field = unknown.field(i);
        if (field.number() != kHttpExtension || field.type() != gp::UnknownField::TYPE_LENGTH_DELIMITED)
            continue;
        std::unique_ptr<gp::Message> rule(factory.GetPrototype(ruleType)->New());
        if (!rule->ParseFromString(field.length_delimited()))
            continue;
        out.append(binding(*rule, method, false));
        const gp::FieldDescriptor *more = ruleType->FindFieldByName("additional_bindings");
        if (!more || !more->is_repeated() || more->cpp_type() != gp::FieldDescriptor::CPPTYPE_MESSAGE)
            continue;
        for (int k = 0; k < rule->GetReflection()->FieldSize(*rule, more); ++k)
            out.append(binding(rule->GetReflection()->GetRepeatedMessage(*rule, more, k), method, true));
    }
    return out;
}

} // namespace

Schema::Schema(std::unique_ptr<Parts> parts)
    : m_parts(std::move(parts))
{
    Parts &p = *m_parts;
    const gp::Descriptor *ruleType = p.pool.FindMessageTypeByName("google.api.HttpRule");
    for (const gp::FileDescriptor *file : std::as_const(p.rootFiles)) {
        for (int s = 0; s < file->service_count(); ++s) {
            const gp::ServiceDescriptor *service = file->service(s);
            if (p.services.contains(service))
                continue;
            p.services.append(service);
            for (int m = 0; m < service->method_count(); ++m) {
                const gp::MethodDescriptor *method = service->method(m);
                p.methodsByPath.insert(
                    QStringLiteral("/%1/%2").arg(
                        QString::fromStdString(service->full_name()), QString::fromStdString(method->name())),
                    method);
                p.bindings += readBindings(method, ruleType, p.factory);
            }
        }
    }
}

Schema::~Schema() = default;

const gp::DescriptorPool &Schema::pool() const
{
    return m_parts->pool;
}

const QList<const gp::ServiceDescriptor *> &Schema::services() const
{
    return m_parts->services;
}

const gp::ServiceDescriptor *Schema::findService(const QString &name) const
{
    const gp::ServiceDescriptor *byShortName = nullptr;
    int shortMatches = 0;
    for (const gp::ServiceDescriptor *s : m_parts->services) {
        if (QString::fromStdString(s->full_name()) == name)
            return s;
        if (QString::fromStdString(s->name()) == name) {
            byShortName = s;
            ++shortMatches;
        }
    }
    return shortMatches == 1 ? byShortName : nullptr;
}

const gp::MethodDescriptor *Schema::findMethodByPath(const QString &path) const
{
    return m_parts->methodsByPath.value(path);
}

const QList<HttpBinding> &Schema::httpBindings() const
{
    return m_parts->bindings;
}

QList<HttpBinding> Schema::httpBindings(const gp::MethodDescriptor *method) const
{
    QList<HttpBinding> out;
    for (const HttpBinding &b : m_parts->bindings) {
        if (b.method == method)
            out.append(b);
    }
    return out;
}

std::optional<QByteArray> Schema::toJson(const gp::Descriptor *type, const QByteArray &bytes) const
{
    if (!type || type->file()->pool() != &m_parts->pool)
        return std::nullopt;
    const gp::Message *prototype = m_parts->factory.GetPrototype(type);
    if (!prototype)
        return std::nullopt;
    std::unique_ptr<gp::Message> message(prototype->New());
    if (!message->ParseFromArray(bytes.constData(), int(bytes.size())))
        return std::nullopt;
    std::string json;
    gp::util::JsonPrintOptions options;
    if (!gp::util::MessageToJsonString(*message, &json, options).ok())
        return std::nullopt;
    return QByteArray::fromStdString(json);
}

Schema::Encoded Schema::fromJson(const gp::Descriptor *type, const QByteArray &json) const
{
    const QString name = type ? QString::fromStdString(type->full_name()) : QString();
    if (!type || type->file()->pool() != &m_parts->pool)
        return { {}, QStringLiteral("the message type is not in the schema") };
    const QByteArray trimmed = json.trimmed();
    if (!trimmed.startsWith('{'))
        return { {}, QStringLiteral("a %1 is written as one JSON object {...}").arg(name) };
    const gp::Message *prototype = m_parts->factory.GetPrototype(type);
    if (!prototype)
        return { {}, QStringLiteral("no message of type %1 can be made").arg(name) };
    std::unique_ptr<gp::Message> message(prototype->New());
    gp::util::JsonParseOptions options; // unknown fields refused: they would be dropped silently
    const auto status = gp::util::JsonStringToMessage(trimmed.toStdString(), message.get(), options);
    if (!status.ok())
        return { {},
            QStringLiteral("the JSON does not fit %1: %2")
                .arg(name, QString::fromStdString(std::string(status.message())).left(300)) };
    std::string bytes;
    if (!message->SerializeToString(&bytes))
        return { {}, QStringLiteral("the %1 could not be serialised").arg(name) };
    return { QByteArray::fromStdString(bytes), {} };
}

} // namespace portico::grpc
