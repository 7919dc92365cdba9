#include "core/http/Compression.h"

#include <QList>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>

namespace portico::http {

namespace {

enum class Format { Gzip, Zlib, Raw };

int windowBits(Format f)
{
    switch (f) {
    case Format::Gzip:
        return MAX_WBITS + 16;
    case Format::Zlib:
        return MAX_WBITS;
    case Format::Raw:
        return -MAX_WBITS;
    }
    return MAX_WBITS;
}

// zlib's avail_in is 32-bit: feed large buffers in slices.
constexpr qsizetype kSlice = qsizetype(1) << 30;

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

std::optional<QByteArray> inflateFormat(Format format, QByteArrayView in, qint64 maxOutput, QString *error)
{
    z_stream zs {};
    if (inflateInit2(&zs, windowBits(format)) != Z_OK) {
        setError(error, QStringLiteral("zlib could not be initialised"));
        return std::nullopt;
    }
    QByteArray out;
    std::array<char, 64 * 1024> buf;
    const char *next = in.data();
    qsizetype left = in.size();
    std::optional<QByteArray> result;
    for (;;) {
        if (zs.avail_in == 0 && left > 0) {
            const qsizetype n = std::min(left, kSlice);
            zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(next));
            zs.avail_in = uInt(n);
            next += n;
            left -= n;
        }
        zs.next_out = reinterpret_cast<Bytef *>(buf.data());
        zs.avail_out = uInt(buf.size());
        const int rc = ::inflate(&zs, Z_NO_FLUSH);
        const qsizetype produced = qsizetype(buf.size()) - qsizetype(zs.avail_out);
        if (maxOutput >= 0 && out.size() + produced > maxOutput) {
            setError(error, QStringLiteral("decoded body exceeds %1 bytes").arg(maxOutput));
            break;
        }
        out.append(buf.data(), produced);
        if (rc == Z_STREAM_END) {
            const bool moreInput = zs.avail_in > 0 || left > 0;
            if (!moreInput) {
                result = std::move(out);
                break;
            }
            // RFC 1952 2.2: a gzip file is a series of members.
            if (format == Format::Gzip && inflateReset(&zs) == Z_OK)
                continue;
            setError(error, QStringLiteral("unexpected data after the end of the compressed stream"));
            break;
        }
        if (rc == Z_BUF_ERROR && zs.avail_in == 0 && left == 0) {
            setError(error, QStringLiteral("compressed body is truncated"));
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            setError(error,
                QStringLiteral("corrupt compressed body (%1)")
                    .arg(QString::fromLatin1(zs.msg ? zs.msg : "zlib error")));
            break;
        }
    }
    inflateEnd(&zs);
    return result;
}

QByteArray deflateFormat(Format format, QByteArrayView in, int level)
{
    z_stream zs {};
    if (deflateInit2(&zs, std::clamp(level, 0, 9), Z_DEFLATED, windowBits(format), 8, Z_DEFAULT_STRATEGY)
        != Z_OK)
        return {};
    QByteArray out;
    out.reserve(qsizetype(deflateBound(&zs, uLong(std::min(in.size(), kSlice)))));
    std::array<char, 64 * 1024> buf;
    const char *next = in.data();
    qsizetype left = in.size();
    for (;;) {
        if (zs.avail_in == 0 && left > 0) {
            const qsizetype n = std::min(left, kSlice);
            zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(next));
            zs.avail_in = uInt(n);
            next += n;
            left -= n;
        }
        zs.next_out = reinterpret_cast<Bytef *>(buf.data());
        zs.avail_out = uInt(buf.size());
        const int rc = ::deflate(&zs, left > 0 ? Z_NO_FLUSH : Z_FINISH);
        out.append(buf.data(), qsizetype(buf.size()) - qsizetype(zs.avail_out));
        if (rc == Z_STREAM_END)
            break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            out.clear();
            break;
        }
    }
    deflateEnd(&zs);
    return out;
}

// RFC 1950 2.2: CM = 8 and the header checksum holds. Anything else is taken as raw deflate.
bool looksLikeZlib(QByteArrayView in)
{
    if (in.size() < 2)
        return false;
    const auto cmf = uchar(in[0]);
    const auto flg = uchar(in[1]);
    return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
}

} // namespace

Compression::Coding Compression::codingOf(QByteArrayView contentEncoding)
{
    const QByteArray v = contentEncoding.trimmed().toByteArray().toLower();
    if (v.isEmpty() || v == "identity")
        return Coding::Identity;
    if (v == "gzip" || v == "x-gzip")
        return Coding::Gzip;
    if (v == "deflate")
        return Coding::Deflate;
    return Coding::Unsupported;
}

QByteArray Compression::codingName(Coding coding)
{
    switch (coding) {
    case Coding::Gzip:
        return "gzip";
    case Coding::Deflate:
        return "deflate";
    case Coding::Identity:
    case Coding::Unsupported:
        break;
    }
    return {};
}

QByteArray Compression::narrowAcceptEncoding(QByteArrayView acceptEncoding)
{
    QList<QByteArray> kept;
    for (const QByteArray &item : acceptEncoding.toByteArray().split(',')) {
        const QByteArray trimmed = item.trimmed();
        const qsizetype semi = trimmed.indexOf(';');
        const QByteArray coding = (semi < 0 ? trimmed : trimmed.left(semi)).trimmed().toLower();
        if (coding == "gzip" || coding == "x-gzip" || coding == "deflate" || coding == "identity")
            kept.append(trimmed);
    }
    return kept.join(", ");
}

std::optional<QByteArray> Compression::decode(
    Coding coding, QByteArrayView in, qint64 maxOutput, QString *error)
{
    switch (coding) {
    case Coding::Identity:
        if (maxOutput >= 0 && in.size() > maxOutput) {
            setError(error, QStringLiteral("body exceeds %1 bytes").arg(maxOutput));
            return std::nullopt;
        }
        return in.toByteArray();
    case Coding::Gzip:
        return gunzip(in, maxOutput, error);
    case Coding::Deflate:
        return inflate(in, maxOutput, error);
    case Coding::Unsupported:
        break;
    }
    setError(error, QStringLiteral("unsupported content coding"));
    return std::nullopt;
}

QByteArray Compression::encode(Coding coding, QByteArrayView in, int level)
{
    switch (coding) {
    case Coding::Gzip:
        return gzip(in, level);
    case Coding::Deflate:
        return deflate(in, level);
    case Coding::Identity:
    case Coding::Unsupported:
        break;
    }
    return in.toByteArray();
}

std::optional<QByteArray> Compression::gunzip(QByteArrayView in, qint64 maxOutput, QString *error)
{
    return inflateFormat(Format::Gzip, in, maxOutput, error);
}

QByteArray Compression::gzip(QByteArrayView in, int level)
{
    return deflateFormat(Format::Gzip, in, level);
}

std::optional<QByteArray> Compression::inflate(QByteArrayView in, qint64 maxOutput, QString *error)
{
    return inflateFormat(looksLikeZlib(in) ? Format::Zlib : Format::Raw, in, maxOutput, error);
}

QByteArray Compression::deflate(QByteArrayView in, int level)
{
    return deflateFormat(Format::Zlib, in, level);
}

} // namespace portico::http
