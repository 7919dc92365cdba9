#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace portico::http {

// The HTTP content codings the gateway can see through (RFC 9110 8.4.1), over zlib: what a body
// filter (response.json.remove) or an aggregate uses to read a compressed upstream body.
//
// "deflate" on the wire is the zlib format (RFC 1950); some servers send raw deflate (RFC 1951)
// instead, so decoding accepts both and encoding always writes the zlib format. Decoding is capped:
// a small compressed body can expand to gigabytes, so every decode names the most it will produce.
class Compression
{
public:
    enum class Coding { Identity, Gzip, Deflate, Unsupported };

    // The coding named by a Content-Encoding field value. Empty and "identity" are Identity;
    // "gzip"/"x-gzip" and "deflate" are recognised case-insensitively; anything else, including a
    // list of several codings ("gzip, br"), is Unsupported.
    static Coding codingOf(QByteArrayView contentEncoding);
    static QByteArray codingName(Coding coding); // "gzip", "deflate", "" for identity

    // An Accept-Encoding value reduced to the codings decode() understands (gzip, x-gzip, deflate,
    // identity, with their weights), so that an upstream never answers in a coding a body filter
    // would have to pass through unread. Empty result = send no Accept-Encoding (identity only).
    static QByteArray narrowAcceptEncoding(QByteArrayView acceptEncoding);

    // Decodes `in`. Returns nothing and sets *error (if given) when the data is corrupt, truncated,
    // or would decode to more than `maxOutput` bytes (negative = no cap). Identity returns `in`
    // (also subject to the cap); Unsupported always fails.
    static std::optional<QByteArray> decode(
        Coding coding, QByteArrayView in, qint64 maxOutput, QString *error = nullptr);
    // Encodes `in`; Identity returns it unchanged. Unsupported is a programming error (returns `in`).
    static QByteArray encode(Coding coding, QByteArrayView in, int level = 6);

    // gzip (RFC 1952); concatenated members are decoded one after the other.
    static std::optional<QByteArray> gunzip(QByteArrayView in, qint64 maxOutput, QString *error = nullptr);
    static QByteArray gzip(QByteArrayView in, int level = 6);
    // zlib-wrapped deflate (RFC 1950), falling back to raw deflate (RFC 1951) when decoding.
    static std::optional<QByteArray> inflate(QByteArrayView in, qint64 maxOutput, QString *error = nullptr);
    static QByteArray deflate(QByteArrayView in, int level = 6);
};

} // namespace portico::http
