#include "core/grpc/Transcoder.h"

#include "core/grpc/WireJson.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace gp = google::protobuf;

namespace portico::grpc {

struct Transcoder::Impl
{
    explicit Impl(const gp::DescriptorPool *pool)
        : factory(pool)
    {
    }
    // GetPrototype() is thread-safe; prototypes live as long as the factory.
    mutable gp::DynamicMessageFactory factory;
};

namespace {

QString fieldNames(const gp::Descriptor *d)
{
    QStringList names;
    for (int i = 0; i < d->field_count() && i < 12; ++i)
        names << QString::fromStdString(d->field(i)->name());
    return names.join(QStringLiteral(", "));
}

const gp::FieldDescriptor *findField(const gp::Descriptor *d, const QString &name)
{
    const std::string n = name.toStdString();
    if (const gp::FieldDescriptor *f = d->FindFieldByName(n))
        return f;
    return d->FindFieldByCamelcaseName(n); // the JSON spelling, "pageSize"
}

// The field a dotted path names, checked: every part but the last a singular message field.
const gp::FieldDescriptor *resolvePath(const gp::Descriptor *root, const QString &path, QString *error)
{
    const QStringList parts = path.split(QLatin1Char('.'));
    const gp::Descriptor *d = root;
    const gp::FieldDescriptor *f = nullptr;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        f = findField(d, parts[i]);
        if (!f) {
            *error = QStringLiteral("'%1': %2 has no field '%3' (it has %4)")
                         .arg(path, QString::fromStdString(d->full_name()), parts[i], fieldNames(d));
            return nullptr;
        }
        if (i + 1 < parts.size()) {
            if (f->is_repeated() || f->cpp_type() != gp::FieldDescriptor::CPPTYPE_MESSAGE) {
                *error = QStringLiteral("'%1': '%2' is not a message field").arg(path, parts[i]);
                return nullptr;
            }
            d = f->message_type();
        }
    }
    return f;
}

QString decodeQueryPart(QByteArrayView part)
{
    QByteArray bytes = part.toByteArray();
    bytes.replace('+', ' '); // form encoding, as grpc-gateway reads it
    return QString::fromUtf8(QByteArray::fromPercentEncoding(bytes));
}

gp::util::JsonParseOptions parseOptions(bool ignoreUnknown)
{
    gp::util::JsonParseOptions o;
    o.ignore_unknown_fields = ignoreUnknown;
    return o;
}

void appendVarint(QByteArray *out, quint64 v)
{
    while (v >= 0x80) {
        out->append(char(v | 0x80));
        v >>= 7;
    }
    out->append(char(v));
}

// The request of a call whose fields all come from its path, as top-level string fields (GET
// /v1/users/{id}), written straight to the wire in field-number order, as SerializeAsString
// writes it: no message built. Nothing when the call is not that simple (a body, a query, nested,
// repeated, oneof or non-string fields): encodeRequest() then builds the message.
std::optional<QByteArray> encodeStringsFromPath(
    const Transcoder::Call &call, const QByteArray &json, QByteArrayView query)
{
    constexpr qsizetype kMax = 4;
    if ((!call.body.isEmpty() && !json.trimmed().isEmpty()) || !query.isEmpty()
        || call.pathBindings.size() > kMax)
        return std::nullopt;
    std::pair<const gp::FieldDescriptor *, const QString *> fields[kMax];
    qsizetype n = 0;
    for (const PathTemplate::Binding &b : call.pathBindings) {
        if (b.fieldPath.contains(QLatin1Char('.')))
            return std::nullopt;
        const gp::FieldDescriptor *f = call.method->input_type()->FindFieldByName(b.fieldPath.toStdString());
        if (!f || f->type() != gp::FieldDescriptor::TYPE_STRING || f->is_repeated() || f->containing_oneof())
            return std::nullopt;
        for (qsizetype i = 0; i < n; ++i) {
            if (fields[i].first == f)
                return std::nullopt;
        }
        fields[n++] = { f, &b.value };
    }
    std::sort(fields, fields + n,
        [](const auto &a, const auto &b) { return a.first->number() < b.first->number(); });
    QByteArray out;
    for (qsizetype i = 0; i < n; ++i) {
        const QByteArray utf8 = fields[i].second->toUtf8();
        if (utf8.isEmpty() && !fields[i].first->has_presence())
            continue; // proto3: an empty string is not written
        appendVarint(&out, (quint64(fields[i].first->number()) << 3) | 2);
        appendVarint(&out, quint64(utf8.size()));
        out += utf8;
    }
    return out;
}

QString statusText(const gp::util::Status &s)
{
    return QString::fromStdString(std::string(s.message()));
}

} // namespace

QByteArray Transcoder::Call::grpcPath() const
{
    if (!path.isEmpty())
        return path;
    return "/" + QByteArray::fromStdString(method->service()->full_name()) + "/"
        + QByteArray::fromStdString(method->name());
}

bool Transcoder::Call::serverStreaming() const
{
    return method->server_streaming();
}

Transcoder::Transcoder() = default;
Transcoder::~Transcoder() = default;

std::shared_ptr<const Transcoder> Transcoder::build(
    SchemaPtr schema, const QStringList &services, bool ignoreUnknownFields, QString *error)
{
    if (!schema) {
        *error = QStringLiteral("transcoding needs grpc.protos: no schema is loaded");
        return nullptr;
    }
    std::shared_ptr<Transcoder> t(new Transcoder);
    t->m_schema = schema;
    t->m_ignoreUnknown = ignoreUnknownFields;
    t->m_impl = std::make_unique<Impl>(&schema->pool());
    const QStringList names = services.isEmpty() ? [&] {
        QStringList all;
        for (const gp::ServiceDescriptor *s : schema->services())
            all << QString::fromStdString(s->full_name());
        return all;
    }() : services;
    for (const QString &name : names) {
        const gp::ServiceDescriptor *service = schema->findService(name);
        if (!service) {
            *error = QStringLiteral("service '%1' is not in the schemas").arg(name);
            return nullptr;
        }
        t->m_services << service;
        for (int i = 0; i < service->method_count(); ++i) {
            const gp::MethodDescriptor *method = service->method(i);
            for (const HttpBinding &b : schema->httpBindings(method)) {
                const QString where = QStringLiteral("%1 (%2 %3)")
                                          .arg(QString::fromStdString(method->full_name()), b.verb, b.pattern);
                QString why;
                auto path = PathTemplate::parse(b.pattern, &why);
                if (!path) {
                    *error = QStringLiteral("%1: %2").arg(where, why);
                    return nullptr;
                }
                for (const QString &field : path->fieldPaths()) {
                    const gp::FieldDescriptor *f = resolvePath(method->input_type(), field, &why);
                    if (!f || f->is_repeated() || f->cpp_type() == gp::FieldDescriptor::CPPTYPE_MESSAGE) {
                        *error = QStringLiteral("%1: %2").arg(
                            where, f ? QStringLiteral("'%1' must be a singular scalar field").arg(field) : why);
                        return nullptr;
                    }
                }
                if (!b.body.isEmpty() && b.body != u"*" && !resolvePath(method->input_type(), b.body, &why)) {
                    *error = QStringLiteral("%1: body %2").arg(where, why);
                    return nullptr;
                }
                if (!b.responseBody.isEmpty() && !resolvePath(method->output_type(), b.responseBody, &why)) {
                    *error = QStringLiteral("%1: response_body %2").arg(where, why);
                    return nullptr;
                }
                const QByteArray grpcPath = Call { method, {}, {}, {}, {} }.grpcPath();
                t->m_rules.push_back(
                    { b.verb.toUpper(), std::move(*path), b.body, b.responseBody, method, grpcPath });
            }
        }
    }
    return t;
}

std::variant<Transcoder::Call, Transcoder::Error> Transcoder::match(QByteArrayView httpMethod, QStringView path) const
{
    const QString verb = QString::fromLatin1(httpMethod).toUpper();
    const Rule *best = nullptr;
    QList<PathTemplate::Binding> bindings;
    for (const Rule &r : m_rules) {
        if (r.verb != verb || (best && best->path.specificity() >= r.path.specificity()))
            continue;
        if (auto b = r.path.match(path)) {
            best = &r;
            bindings = std::move(*b);
        }
    }
    Call call;
    if (best) {
        call.method = best->method;
        call.path = best->grpcPath;
        call.body = best->body;
        call.responseBody = best->responseBody;
        call.pathBindings = std::move(bindings);
    } else {
        // POST /pkg.Service/Method with the whole request as JSON, for a method without a rule.
        const QStringView p = path.left(path.indexOf(QLatin1Char('?')) < 0 ? path.size() : path.indexOf(QLatin1Char('?')));
        for (const gp::ServiceDescriptor *s : m_services) {
            for (int i = 0; i < s->method_count() && !call.method; ++i) {
                const gp::MethodDescriptor *m = s->method(i);
                if (QStringLiteral("/%1/%2").arg(QString::fromStdString(s->full_name()), QString::fromStdString(m->name())) == p
                    && m_schema->httpBindings(m).isEmpty())
                    call.method = m;
            }
        }
        if (!call.method)
            return Error { 404, QStringLiteral("no gRPC method is mapped to %1 %2").arg(verb, path.left(200)) };
        if (verb != u"POST")
            return Error { 405, QStringLiteral("%1 is called with POST").arg(QString::fromLatin1(call.grpcPath())) };
        call.body = QStringLiteral("*");
    }
    if (call.method->client_streaming())
        return Error { 501, QStringLiteral("%1 streams from the client: a REST request cannot call it")
                                .arg(QString::fromStdString(call.method->full_name())) };
    return call;
}

std::optional<Transcoder::Error> Transcoder::setField(gp::Message &message, const QString &fieldPath, const QString &value,
                                                      bool fromQuery) const
{
    QString why;
    const gp::FieldDescriptor *f = resolvePath(message.GetDescriptor(), fieldPath, &why);
    if (!f) {
        if (fromQuery && m_ignoreUnknown)
            return std::nullopt;
        return Error { 400, why };
    }
    gp::Message *target = &message;
    const QStringList parts = fieldPath.split(QLatin1Char('.'));
    for (qsizetype i = 0; i + 1 < parts.size(); ++i) {
        const gp::FieldDescriptor *step = findField(target->GetDescriptor(), parts[i]);
        target = target->GetReflection()->MutableMessage(target, step, &m_impl->factory);
    }
    const gp::Reflection *r = target->GetReflection();
    const bool repeated = f->is_repeated();
    const auto bad = [&](const QString &type) {
        return Error { 400, QStringLiteral("'%1': '%2' is not %3").arg(fieldPath, value.left(100), type) };
    };
    bool ok = false;
    switch (f->cpp_type()) {
    case gp::FieldDescriptor::CPPTYPE_STRING: {
        std::string s;
        if (f->type() == gp::FieldDescriptor::TYPE_BYTES) {
            const auto decoded = QByteArray::fromBase64Encoding(value.toLatin1(),
                QByteArray::AbortOnBase64DecodingErrors | QByteArray::Base64UrlEncoding);
            const auto standard = QByteArray::fromBase64Encoding(value.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded && !standard)
                return bad(QStringLiteral("base64"));
            s = (decoded ? decoded.decoded : standard.decoded).toStdString();
        } else {
            s = value.toStdString();
        }
        repeated ? r->AddString(target, f, s) : r->SetString(target, f, s);
        break;
    }
    case gp::FieldDescriptor::CPPTYPE_INT32: {
        const int v = value.toInt(&ok);
        if (!ok)
            return bad(QStringLiteral("a 32-bit integer"));
        repeated ? r->AddInt32(target, f, v) : r->SetInt32(target, f, v);
        break;
    }
    case gp::FieldDescriptor::CPPTYPE_INT64: {
        const qlonglong v = value.toLongLong(&ok);
        if (!ok)
            return bad(QStringLiteral("a 64-bit integer"));
        repeated ? r->AddInt64(target, f, v) : r->SetInt64(target, f, v);
        break;
    }
    case gp::FieldDescriptor::CPPTYPE_UINT32: {
        const uint v = value.toUInt(&ok);
        if (!ok)
            return bad(QStringLiteral("an unsigned 32-bit integer"));
        repeated ? r->AddUInt32(target, f, v) : r->SetUInt32(target, f, v);
        break;
    }
    case gp::FieldDescriptor::CPPTYPE_UINT64: {
        const qulonglong v = value.toULongLong(&ok);
        if (!ok)
            return bad(QStringLiteral("an unsigned 64-bit integer"));
        repeated ? r->AddUInt64(target, f, v) : r->SetUInt64(target, f, v);
        break;
    }
    case gp::FieldDescriptor::CPPTYPE_DOUBLE:
    case gp::FieldDescriptor::CPPTYPE_FLOAT: {
        const double v = value.toDouble(&ok);
        if (!ok || !std::isfinite(v))
            return bad(QStringLiteral("a finite number"));
        if (f->cpp_type() == gp::FieldDescriptor::CPPTYPE_DOUBLE)
            repeated ? r->AddDouble(target, f, v) : r->SetDouble(target, f, v);
        else
            repeated ? r->AddFloat(target, f, float(v)) : r->SetFloat(target, f, float(v));
        break;
    }
    case gp::FieldDescriptor::CPPTYPE_BOOL: {
        if (value != u"true" && value != u"false")
            return bad(QStringLiteral("true or false"));
        repeated ? r->AddBool(target, f, value == u"true") : r->SetBool(target, f, value == u"true");
        break;
    }
    case gp::FieldDescriptor::CPPTYPE_ENUM: {
        const gp::EnumValueDescriptor *e = f->enum_type()->FindValueByName(value.toStdString());
        if (!e) {
            const int n = value.toInt(&ok);
            e = ok ? f->enum_type()->FindValueByNumber(n) : nullptr;
        }
        if (!e)
            return bad(QStringLiteral("a value of %1").arg(QString::fromStdString(f->enum_type()->full_name())));
        repeated ? r->AddEnum(target, f, e) : r->SetEnum(target, f, e);
        break;
    }
    case gp::FieldDescriptor::CPPTYPE_MESSAGE: {
        // Well-known types with a JSON string form (Timestamp, Duration, wrappers, FieldMask).
        gp::Message *sub = repeated ? r->AddMessage(target, f, &m_impl->factory)
                                    : r->MutableMessage(target, f, &m_impl->factory);
        const QByteArray json = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
        const std::string quoted = json.mid(1, json.size() - 2).toStdString();
        if (!gp::util::JsonStringToMessage(quoted, sub, parseOptions(false)).ok())
            return bad(QStringLiteral("a %1 in its JSON form").arg(QString::fromStdString(f->message_type()->full_name())));
        break;
    }
    }
    return std::nullopt;
}

std::variant<QByteArray, Transcoder::Error> Transcoder::encodeRequest(
    const Call &call, const QByteArray &json, QByteArrayView query) const
{
    if (auto wire = encodeStringsFromPath(call, json, query))
        return *std::move(wire);
    const gp::Message *prototype = m_impl->factory.GetPrototype(call.method->input_type());
    std::unique_ptr<gp::Message> message(prototype->New());
    const bool hasBody = !json.trimmed().isEmpty();
    if (!call.body.isEmpty() && hasBody) {
        if (call.body == u"*") {
            const auto status = gp::util::JsonStringToMessage(json.toStdString(), message.get(), parseOptions(m_ignoreUnknown));
            if (!status.ok())
                return Error { 400, QStringLiteral("the JSON body does not fit %1: %2")
                                        .arg(QString::fromStdString(call.method->input_type()->full_name()), statusText(status)) };
        } else {
            // One JSON value for one field: checked to be exactly one value before it is put in
            // an object, so a body cannot smuggle other fields in beside it.
            QJsonParseError perror;
            const QJsonDocument probe = QJsonDocument::fromJson("[" + json + "]", &perror);
            if (perror.error != QJsonParseError::NoError || probe.array().size() != 1)
                return Error { 400, QStringLiteral("the body is not one JSON value for '%1'").arg(call.body) };
            QString why;
            const gp::FieldDescriptor *f = resolvePath(call.method->input_type(), call.body, &why);
            const QByteArray wrapped = "{\"" + QByteArray::fromStdString(f->name()) + "\":" + json + "}";
            const auto status = gp::util::JsonStringToMessage(wrapped.toStdString(), message.get(), parseOptions(m_ignoreUnknown));
            if (!status.ok())
                return Error { 400, QStringLiteral("the JSON body does not fit '%1': %2").arg(call.body, statusText(status)) };
        }
    }
    for (const QByteArray &pair : query.toByteArray().split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        const QString key = decodeQueryPart(eq < 0 ? QByteArrayView(pair) : QByteArrayView(pair).first(eq));
        const QString value = eq < 0 ? QString() : decodeQueryPart(QByteArrayView(pair).sliced(eq + 1));
        if (key.isEmpty())
            continue;
        if (auto error = setField(*message, key, value, true))
            return *error;
    }
    for (const PathTemplate::Binding &b : call.pathBindings) {
        // The path wins over the body and the query. (Checked at build(): a top-level scalar.)
        QString why;
        if (b.fieldPath.indexOf(QLatin1Char('.')) < 0) {
            if (const gp::FieldDescriptor *f = resolvePath(message->GetDescriptor(), b.fieldPath, &why))
                message->GetReflection()->ClearField(message.get(), f);
        }
        if (auto error = setField(*message, b.fieldPath, b.value, false))
            return *error;
    }
    return QByteArray::fromStdString(message->SerializeAsString());
}

std::optional<QByteArray> Transcoder::decodeResponse(const Call &call, const QByteArray &bytes) const
{
    QByteArray fast;
    if (call.responseBody.isEmpty()
        && wirejson::print(call.method->output_type(), bytes.constData(), bytes.size(), &fast))
        return fast;
    const gp::Message *prototype = m_impl->factory.GetPrototype(call.method->output_type());
    std::unique_ptr<gp::Message> message(prototype->New());
    if (!message->ParseFromArray(bytes.constData(), int(bytes.size())))
        return std::nullopt;
    std::string json;
    if (!gp::util::MessageToJsonString(*message, &json, gp::util::JsonPrintOptions()).ok())
        return std::nullopt;
    QByteArray out = QByteArray::fromStdString(json);
    if (call.responseBody.isEmpty())
        return out;
    // Only the named field: its value in the JSON the whole message printed.
    QJsonValue value = QJsonDocument::fromJson(out).object();
    const gp::Descriptor *d = call.method->output_type();
    for (const QString &part : call.responseBody.split(QLatin1Char('.'))) {
        const gp::FieldDescriptor *f = d ? findField(d, part) : nullptr;
        if (!f)
            return std::nullopt;
        value = value.toObject().value(QString::fromStdString(f->json_name()));
        d = f->message_type();
    }
    if (value.isUndefined())
        return QByteArray("null");
    const QByteArray wrapped = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

int httpStatusForGrpc(int code)
{
    switch (code) {
    case 0:
        return 200;
    case 1:
        return 499;
    case 3:
    case 9:
    case 11:
        return 400;
    case 4:
        return 504;
    case 5:
        return 404;
    case 6:
    case 10:
        return 409;
    case 7:
        return 403;
    case 8:
        return 429;
    case 12:
        return 501;
    case 14:
        return 503;
    case 16:
        return 401;
    default:
        return 500;
    }
}

} // namespace portico::grpc
