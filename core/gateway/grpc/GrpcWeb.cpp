#include "core/gateway/grpc/GrpcWeb.h"

#include <QtEndian>

namespace portico::gateway::grpc {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// 0..63 for an alphabet character, 64 for '=', 255 for anything else.
struct DecodeTable
{
    unsigned char v[256];
    constexpr DecodeTable()
        : v {}
    {
        for (unsigned char &c : v)
            c = 255;
        for (int i = 0; i < 64; ++i)
            v[static_cast<unsigned char>(kAlphabet[i])] = static_cast<unsigned char>(i);
        v[static_cast<unsigned char>('=')] = 64;
    }
};
constexpr DecodeTable kDecode;

// The media type without parameters, lower-cased and trimmed.
QByteArray mediaType(QByteArrayView contentType)
{
    const qsizetype semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.first(semi)).toByteArray().trimmed().toLower();
}

bool isToken(QByteArrayView name)
{
    if (name.isEmpty())
        return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

WebMode webModeOf(QByteArrayView contentType)
{
    const QByteArray type = mediaType(contentType);
    const auto is = [&type](QByteArrayView base) {
        return type == base
            || (type.startsWith(base) && type.size() > base.size() + 1 && type[base.size()] == '+');
    };
    if (is("application/grpc-web-text"))
        return WebMode::Text;
    if (is("application/grpc-web"))
        return WebMode::Binary;
    return WebMode::None;
}

QByteArray nativeContentType(QByteArrayView webContentType)
{
    const QByteArray type = mediaType(webContentType);
    const qsizetype plus = type.indexOf('+');
    return QByteArrayLiteral("application/grpc") + (plus < 0 ? QByteArray() : type.mid(plus));
}

bool isNativeGrpc(QByteArrayView contentType)
{
    const QByteArray type = mediaType(contentType);
    return type == "application/grpc" || (type.startsWith("application/grpc+") && type.size() > 17);
}

QByteArray webContentType(QByteArrayView nativeContentType, WebMode mode)
{
    const QByteArray type = mediaType(nativeContentType);
    const qsizetype plus = type.indexOf('+');
    const QByteArray base = mode == WebMode::Text ? QByteArrayLiteral("application/grpc-web-text")
                                                  : QByteArrayLiteral("application/grpc-web");
    return base + (plus < 0 ? QByteArray() : type.mid(plus));
}

// Base64Decoder

bool Base64Decoder::fail(const QString &why)
{
    if (m_error.isEmpty())
        m_error = why;
    return false;
}

bool Base64Decoder::feed(QByteArrayView in, QByteArray &out)
{
    if (!m_error.isEmpty())
        return false;
    out.reserve(out.size() + (in.size() / 4 + 1) * 3);
    for (const char ch : in) {
        const unsigned char v = kDecode.v[static_cast<unsigned char>(ch)];
        if (v == 255)
            return fail(QStringLiteral("invalid base64 character 0x%1 at offset %2")
                            .arg(static_cast<unsigned char>(ch), 2, 16, QLatin1Char('0'))
                            .arg(m_offset));
        // Padding only as the 3rd and 4th character, and "x=" must be followed by '='.
        if (v == 64 && m_have < 2)
            return fail(QStringLiteral("misplaced base64 padding at offset %1").arg(m_offset));
        if (v != 64 && m_have == 3 && m_quantum[2] == 64)
            return fail(QStringLiteral("misplaced base64 padding at offset %1").arg(m_offset - 1));
        ++m_offset;
        m_quantum[m_have++] = v;
        if (m_have < 4)
            continue;
        m_have = 0;
        const unsigned char *q = m_quantum;
        out.append(char((q[0] << 2) | (q[1] >> 4)));
        if (q[2] == 64)
            continue;
        out.append(char(((q[1] & 0x0f) << 4) | (q[2] >> 2)));
        if (q[3] == 64)
            continue;
        out.append(char(((q[2] & 0x03) << 6) | q[3]));
    }
    return true;
}

bool Base64Decoder::finish()
{
    if (!m_error.isEmpty())
        return false;
    if (m_have != 0)
        return fail(QStringLiteral("base64 text ends inside a quantum (%1 characters over a multiple of 4)")
                        .arg(m_have));
    return true;
}

// Base64Encoder

void Base64Encoder::feed(QByteArrayView in, QByteArray &out)
{
    const auto *p = reinterpret_cast<const unsigned char *>(in.data());
    qsizetype n = in.size();
    if (n == 0)
        return;
    out.reserve(out.size() + (n + m_have) / 3 * 4 + 4);
    const auto emit = [&out](const unsigned char *g) {
        out.append(kAlphabet[g[0] >> 2]);
        out.append(kAlphabet[((g[0] & 0x03) << 4) | (g[1] >> 4)]);
        out.append(kAlphabet[((g[1] & 0x0f) << 2) | (g[2] >> 6)]);
        out.append(kAlphabet[g[2] & 0x3f]);
    };
    // Complete the carried group first.
    if (m_have > 0) {
        const qsizetype need = 3 - m_have; // 1 or 2
        if (n < need) { // one carried, one more: still not a group
            m_carry[1] = p[0];
            m_have = 2;
            return;
        }
        const unsigned char group[3] = { m_carry[0], m_have == 2 ? m_carry[1] : p[0], p[need - 1] };
        emit(group);
        p += need;
        n -= need;
        m_have = 0;
    }
    for (; n >= 3; n -= 3, p += 3)
        emit(p);
    // 0, 1 or 2 bytes are left, and nothing is carried now.
    if (n > 0)
        m_carry[0] = p[0];
    if (n > 1)
        m_carry[1] = p[1];
    m_have = int(n);
}

void Base64Encoder::finish(QByteArray &out)
{
    if (m_have == 1) {
        out.append(kAlphabet[m_carry[0] >> 2]);
        out.append(kAlphabet[(m_carry[0] & 0x03) << 4]);
        out.append("==");
    } else if (m_have == 2) {
        out.append(kAlphabet[m_carry[0] >> 2]);
        out.append(kAlphabet[((m_carry[0] & 0x03) << 4) | (m_carry[1] >> 4)]);
        out.append(kAlphabet[(m_carry[1] & 0x0f) << 2]);
        out.append('=');
    }
    m_have = 0;
}

// FrameTracker

FrameTracker::FrameTracker(bool trailerAllowed, quint32 maxLength)
    : m_trailerAllowed(trailerAllowed)
    , m_maxLength(maxLength)
{
}

bool FrameTracker::fail(const QString &why)
{
    if (m_error.isEmpty())
        m_error = why;
    return false;
}

bool FrameTracker::feed(QByteArrayView in)
{
    if (!m_error.isEmpty())
        return false;
    qsizetype i = 0;
    while (i < in.size()) {
        if (m_inPayload) {
            const qsizetype take = std::min<qsizetype>(in.size() - i, m_remaining);
            m_remaining -= quint32(take);
            i += take;
            if (m_remaining == 0)
                m_inPayload = false;
            continue;
        }
        if (m_sawTrailer)
            return fail(QStringLiteral("data after the trailer frame"));
        m_header[m_headerHave++] = static_cast<unsigned char>(in[i++]);
        if (m_headerHave < kFrameHeader)
            continue;
        m_headerHave = 0;
        const unsigned char flags = m_header[0];
        const quint32 length = qFromBigEndian<quint32>(m_header + 1);
        if (flags == kTrailerFlag && m_trailerAllowed)
            m_sawTrailer = true;
        else if ((flags & ~kCompressedFlag) != 0)
            return fail(
                QStringLiteral("frame %1 has flags 0x%2").arg(m_frames).arg(flags, 2, 16, QLatin1Char('0')));
        if (length > m_maxLength)
            return fail(QStringLiteral("frame %1 is %2 bytes, over the limit of %3")
                            .arg(m_frames)
                            .arg(length)
                            .arg(m_maxLength));
        ++m_frames;
        m_remaining = length;
        m_inPayload = length > 0;
    }
    return true;
}

bool FrameTracker::finish()
{
    if (!m_error.isEmpty())
        return false;
    if (m_headerHave > 0)
        return fail(QStringLiteral("the body ends inside a frame header (%1 of 5 bytes)").arg(m_headerHave));
    if (m_inPayload)
        return fail(
            QStringLiteral("the body ends %1 bytes short of the last frame's length").arg(m_remaining));
    return true;
}

// Trailers

QByteArray trailerFrame(const http::HttpHeaders &trailers)
{
    QByteArray payload;
    for (const auto &[name, value] : trailers.entries()) {
        if (name.startsWith(':') || !isToken(name) || !http::HttpHeaders::isSafeValue(value))
            continue;
        payload += name.toLower();
        payload += ": ";
        payload += value;
        payload += "\r\n";
    }
    QByteArray frame(kFrameHeader, Qt::Uninitialized);
    frame[0] = char(kTrailerFlag);
    qToBigEndian<quint32>(quint32(payload.size()), frame.data() + 1);
    return frame + payload;
}

bool parseFrames(QByteArrayView body, std::vector<Frame> *out, QString *error)
{
    qsizetype i = 0;
    while (i < body.size()) {
        if (body.size() - i < kFrameHeader) {
            *error = QStringLiteral("the body ends inside a frame header");
            return false;
        }
        const quint32 length = qFromBigEndian<quint32>(body.data() + i + 1);
        if (quint64(length) > quint64(body.size() - i - kFrameHeader)) {
            *error = QStringLiteral("a frame of %1 bytes with %2 left")
                         .arg(length)
                         .arg(body.size() - i - kFrameHeader);
            return false;
        }
        out->push_back(
            { static_cast<unsigned char>(body[i]), body.sliced(i + kFrameHeader, length).toByteArray() });
        i += kFrameHeader + qsizetype(length);
    }
    return true;
}

bool parseTrailers(QByteArrayView payload, http::HttpHeaders *out, QString *error)
{
    qsizetype i = 0;
    while (i < payload.size()) {
        const qsizetype end = payload.indexOf("\r\n", i);
        if (end < 0) {
            *error = QStringLiteral("a trailer line without CRLF");
            return false;
        }
        const QByteArrayView line = payload.sliced(i, end - i);
        i = end + 2;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon))) {
            *error = QStringLiteral("a trailer line that is not \"name: value\"");
            return false;
        }
        const QByteArray value = line.sliced(colon + 1).toByteArray().trimmed();
        if (!http::HttpHeaders::isSafeValue(value)) {
            *error = QStringLiteral("a trailer value with control characters");
            return false;
        }
        out->add(line.first(colon).toByteArray().toLower(), value);
    }
    return true;
}

} // namespace portico::gateway::grpc
