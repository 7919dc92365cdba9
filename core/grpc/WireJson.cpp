#include "core/grpc/WireJson.h"

#include <google/protobuf/descriptor.h>

#include <cstdint>

namespace gp = google::protobuf;

namespace portico::grpc::wirejson {

namespace {

constexpr int kMaxDepth = 32;

enum WireType { kVarint = 0, kFixed64 = 1, kLength = 2, kFixed32 = 5 };

struct Reader
{
    const unsigned char *p;
    const unsigned char *end;

    bool atEnd() const { return p == end; }
    bool varint(uint64_t *v)
    {
        uint64_t r = 0;
        for (int shift = 0; shift < 64 && p < end; shift += 7) {
            const unsigned char b = *p++;
            if (shift == 63 && b > 1)
                return false;
            r |= uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) {
                *v = r;
                return true;
            }
        }
        return false;
    }
    bool fixed(int bytes, uint64_t *v)
    {
        if (end - p < bytes)
            return false;
        uint64_t r = 0;
        for (int i = 0; i < bytes; ++i)
            r |= uint64_t(p[i]) << (8 * i);
        p += bytes;
        *v = r;
        return true;
    }
    bool length(Reader *sub)
    {
        uint64_t n = 0;
        if (!varint(&n) || n > uint64_t(end - p))
            return false;
        *sub = { p, p + n };
        p += n;
        return true;
    }
};

bool isWellKnown(const gp::Descriptor *d)
{
    return d->file()->name().rfind("google/protobuf/", 0) == 0;
}

// The wire type a value of `f` comes in (packed repeated scalars aside); -1 for what is declined.
int wireTypeOf(const gp::FieldDescriptor *f)
{
    switch (f->type()) {
    case gp::FieldDescriptor::TYPE_INT32:
    case gp::FieldDescriptor::TYPE_INT64:
    case gp::FieldDescriptor::TYPE_UINT32:
    case gp::FieldDescriptor::TYPE_UINT64:
    case gp::FieldDescriptor::TYPE_SINT32:
    case gp::FieldDescriptor::TYPE_SINT64:
    case gp::FieldDescriptor::TYPE_BOOL:
    case gp::FieldDescriptor::TYPE_ENUM:
        return kVarint;
    case gp::FieldDescriptor::TYPE_FIXED64:
    case gp::FieldDescriptor::TYPE_SFIXED64:
        return kFixed64;
    case gp::FieldDescriptor::TYPE_FIXED32:
    case gp::FieldDescriptor::TYPE_SFIXED32:
        return kFixed32;
    case gp::FieldDescriptor::TYPE_STRING:
    case gp::FieldDescriptor::TYPE_BYTES:
        return kLength;
    case gp::FieldDescriptor::TYPE_MESSAGE:
        return f->is_map() || isWellKnown(f->message_type()) ? -1 : kLength;
    default: // floats (libprotobuf's shortest round-trip form), groups
        return -1;
    }
}

void appendNumber(QByteArray *out, uint64_t magnitude, bool negative, bool quoted)
{
    char buf[24];
    int i = sizeof buf;
    do {
        buf[--i] = char('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (negative)
        buf[--i] = '-';
    if (quoted)
        out->append('"');
    out->append(buf + i, qsizetype(sizeof buf) - i);
    if (quoted)
        out->append('"');
}

void appendSigned(QByteArray *out, int64_t v, bool quoted)
{
    const bool negative = v < 0;
    appendNumber(out, negative ? uint64_t(0) - uint64_t(v) : uint64_t(v), negative, quoted);
}

// A string of printable ASCII, escaped as libprotobuf escapes it; false for anything else.
bool appendString(QByteArray *out, const Reader &s)
{
    out->append('"');
    for (const unsigned char *c = s.p; c < s.end; ++c) {
        if (*c < 0x20 || *c > 0x7e || *c == '<' || *c == '>')
            return false;
        if (*c == '"' || *c == '\\')
            out->append('\\');
        out->append(char(*c));
    }
    out->append('"');
    return true;
}

bool printMessage(const gp::Descriptor *type, Reader r, QByteArray *out, int depth);

// One value of `f` (wire type checked by the caller); `implicit` = a proto3 field without
// presence, whose default value a serialiser never writes (declined when it is there).
bool printValue(const gp::FieldDescriptor *f, Reader &r, bool implicit, QByteArray *out, int depth)
{
    uint64_t v = 0;
    switch (f->type()) {
    case gp::FieldDescriptor::TYPE_STRING:
    case gp::FieldDescriptor::TYPE_BYTES:
    case gp::FieldDescriptor::TYPE_MESSAGE: {
        Reader sub {};
        if (!r.length(&sub))
            return false;
        if (f->type() == gp::FieldDescriptor::TYPE_MESSAGE)
            return printMessage(f->message_type(), sub, out, depth + 1);
        if (implicit && sub.atEnd())
            return false;
        if (f->type() == gp::FieldDescriptor::TYPE_STRING)
            return appendString(out, sub);
        out->append('"');
        out->append(
            QByteArray::fromRawData(reinterpret_cast<const char *>(sub.p), sub.end - sub.p).toBase64());
        out->append('"');
        return true;
    }
    case gp::FieldDescriptor::TYPE_FIXED64:
    case gp::FieldDescriptor::TYPE_SFIXED64:
    case gp::FieldDescriptor::TYPE_FIXED32:
    case gp::FieldDescriptor::TYPE_SFIXED32: {
        const bool wide = f->type() == gp::FieldDescriptor::TYPE_FIXED64
            || f->type() == gp::FieldDescriptor::TYPE_SFIXED64;
        if (!r.fixed(wide ? 8 : 4, &v) || (implicit && v == 0))
            return false;
        if (f->type() == gp::FieldDescriptor::TYPE_FIXED64)
            appendNumber(out, v, false, true);
        else if (f->type() == gp::FieldDescriptor::TYPE_SFIXED64)
            appendSigned(out, int64_t(v), true);
        else if (f->type() == gp::FieldDescriptor::TYPE_FIXED32)
            appendNumber(out, uint32_t(v), false, false);
        else
            appendSigned(out, int32_t(uint32_t(v)), false);
        return true;
    }
    default:
        break;
    }
    if (!r.varint(&v))
        return false;
    switch (f->type()) {
    case gp::FieldDescriptor::TYPE_INT32:
        if (implicit && int32_t(uint32_t(v)) == 0)
            return false;
        appendSigned(out, int32_t(uint32_t(v)), false);
        return true;
    case gp::FieldDescriptor::TYPE_UINT32:
        if (implicit && uint32_t(v) == 0)
            return false;
        appendNumber(out, uint32_t(v), false, false);
        return true;
    case gp::FieldDescriptor::TYPE_SINT32: {
        const auto u = uint32_t(v);
        const int32_t s = int32_t(u >> 1) ^ -int32_t(u & 1);
        if (implicit && s == 0)
            return false;
        appendSigned(out, s, false);
        return true;
    }
    case gp::FieldDescriptor::TYPE_INT64:
    case gp::FieldDescriptor::TYPE_UINT64:
    case gp::FieldDescriptor::TYPE_SINT64: {
        if (implicit && v == 0)
            return false;
        if (f->type() == gp::FieldDescriptor::TYPE_UINT64)
            appendNumber(out, v, false, true);
        else if (f->type() == gp::FieldDescriptor::TYPE_INT64)
            appendSigned(out, int64_t(v), true);
        else
            appendSigned(out, int64_t(v >> 1) ^ -int64_t(v & 1), true);
        return true;
    }
    case gp::FieldDescriptor::TYPE_BOOL:
        if (implicit && v == 0)
            return false;
        out->append(v ? "true" : "false");
        return true;
    case gp::FieldDescriptor::TYPE_ENUM: {
        const auto n = int32_t(uint32_t(v));
        const gp::EnumDescriptor *e = f->enum_type();
        const gp::EnumValueDescriptor *value = e->FindValueByNumber(n);
        // An unknown number prints as a number, NullValue as null: libprotobuf's to do.
        if (!value || (implicit && n == 0) || e->full_name() == "google.protobuf.NullValue")
            return false;
        out->append('"');
        out->append(value->name().data(), qsizetype(value->name().size()));
        out->append('"');
        return true;
    }
    default:
        return false;
    }
}

bool printMessage(const gp::Descriptor *type, Reader r, QByteArray *out, int depth)
{
    if (depth > kMaxDepth || isWellKnown(type) || type->file()->syntax() != gp::FileDescriptor::SYNTAX_PROTO3)
        return false;
    out->append('{');
    const gp::FieldDescriptor *open = nullptr; // the repeated field whose array is open
    const gp::OneofDescriptor *oneofs[8] = {};
    int oneofCount = 0;
    int last = 0;
    bool first = true;
    while (!r.atEnd()) {
        uint64_t tag = 0;
        if (!r.varint(&tag) || tag > 0xffffffffu)
            return false;
        const int number = int(tag >> 3);
        const int wire = int(tag & 7);
        const gp::FieldDescriptor *f = number > 0 ? type->FindFieldByNumber(number) : nullptr;
        // Unknown fields, fields out of order or sent twice: libprotobuf's to sort out.
        if (!f || number < last || (number == last && !f->is_repeated()))
            return false;
        const int expected = wireTypeOf(f);
        if (expected < 0)
            return false;
        const bool packed = f->is_repeated() && wire == kLength && expected != kLength;
        if (!packed && wire != expected)
            return false;
        if (f != open) {
            if (open)
                out->append(']');
            open = nullptr;
            if (const gp::OneofDescriptor *o = f->containing_oneof()) {
                for (int i = 0; i < oneofCount; ++i) {
                    if (oneofs[i] == o)
                        return false; // a second member of the oneof: the last one wins
                }
                if (oneofCount == 8)
                    return false;
                oneofs[oneofCount++] = o;
            }
            if (!first)
                out->append(',');
            first = false;
            out->append('"');
            out->append(f->json_name().data(), qsizetype(f->json_name().size()));
            out->append("\":");
            if (f->is_repeated()) {
                out->append('[');
                open = f;
            }
        } else {
            out->append(','); // the next element of the open array
        }
        last = number;
        if (packed) {
            Reader values {};
            if (!r.length(&values) || values.atEnd())
                return false;
            bool firstValue = true;
            while (!values.atEnd()) {
                if (!firstValue)
                    out->append(',');
                firstValue = false;
                if (!printValue(f, values, false, out, depth))
                    return false;
            }
        } else if (!printValue(f, r, !f->is_repeated() && !f->has_presence(), out, depth)) {
            return false;
        }
    }
    if (open)
        out->append(']');
    out->append('}');
    return true;
}

} // namespace

bool print(const gp::Descriptor *type, const char *data, qsizetype size, QByteArray *out)
{
    out->clear();
    out->reserve(size * 2 + 16);
    const auto *p = reinterpret_cast<const unsigned char *>(data);
    return printMessage(type, Reader { p, p + size }, out, 0);
}

} // namespace portico::grpc::wirejson
