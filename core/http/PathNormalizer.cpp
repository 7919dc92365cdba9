#include "core/http/PathNormalizer.h"

#include <QVarLengthArray>

namespace portico::http {

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isUnreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
        || c == '_' || c == '~';
}

// True when the path can be taken as it is: no escapes, no empty or dot segments.
bool alreadyNormal(QByteArrayView p, bool mergeSlashes)
{
    for (qsizetype i = 0; i < p.size(); ++i) {
        const char c = p[i];
        if (c == '%')
            return false;
        if (c == '/' && i + 1 < p.size()) {
            const char next = p[i + 1];
            if ((next == '/' && mergeSlashes) || next == '.')
                return false;
        }
    }
    // A last segment "." or "..", e.g. "/a/..", starts with "/." and was caught above.
    return true;
}

bool isDotSegment(QByteArrayView s)
{
    return s == "." || s == "..";
}

// "..;x" or ".;x": path parameters on a dot segment (Tomcat and others drop them and see "..").
bool isDotSegmentWithParameters(QByteArrayView s)
{
    return s.startsWith(".;") || s.startsWith("..;");
}

} // namespace

NormalizedPath normalizePath(const QByteArray &raw, const PathOptions &options)
{
    if (raw.isEmpty())
        return { QByteArray("/"), {} };
    if (raw.front() != '/')
        return { {}, QByteArray("the request path must start with '/'") };
    if (alreadyNormal(raw, options.mergeSlashes))
        return { raw, {} };

    // Split into decoded segments. A real '/' (or %2F when decoded) separates; the first segment
    // (before the leading '/') is always empty and skipped.
    QVarLengthArray<QByteArray, 16> segments;
    QByteArray current;
    current.reserve(raw.size());
    for (qsizetype i = 1; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == '/') {
            segments.append(current);
            current.clear();
            continue;
        }
        if (c != '%') {
            current += c;
            continue;
        }
        const int hi = i + 2 < raw.size() ? hexValue(raw[i + 1]) : -1;
        const int lo = hi >= 0 ? hexValue(raw[i + 2]) : -1;
        if (lo < 0)
            return { {}, QByteArray("malformed percent-encoding in the request path") };
        const auto octet = static_cast<unsigned char>(hi * 16 + lo);
        i += 2;
        if (octet == 0)
            return { {}, QByteArray("an encoded NUL (%00) in the request path") };
        if (isUnreserved(octet)) {
            current += char(octet);
        } else if (octet == '/' && options.escapedSlash == PathOptions::EscapedSlash::Reject) {
            return { {}, QByteArray("an encoded slash (%2F) in the request path") };
        } else if (octet == '/' && options.escapedSlash == PathOptions::EscapedSlash::Decode) {
            segments.append(current);
            current.clear();
        } else {
            static constexpr char kHex[] = "0123456789ABCDEF";
            current += '%';
            current += kHex[octet >> 4];
            current += kHex[octet & 15];
        }
    }
    segments.append(current);

    // Resolve dot and empty segments (RFC 3986 section 5.2.4, refusing to climb above the root).
    QVarLengthArray<QByteArray, 16> out;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QByteArray &s = segments[i];
        const bool last = i + 1 == segments.size();
        if (isDotSegmentWithParameters(s))
            return { {}, QByteArray("a dot segment with parameters (\"..;\") in the request path") };
        if (s == "..") {
            if (out.isEmpty())
                return { {}, QByteArray("the request path climbs above the root") };
            out.removeLast();
        }
        if (isDotSegment(s) || (s.isEmpty() && options.mergeSlashes)) {
            if (last) // "/a/.", "/a/b/.." and "/a//" end in a slash
                out.append(QByteArray());
            continue;
        }
        out.append(s);
    }

    QByteArray path;
    path.reserve(raw.size());
    for (const QByteArray &s : out) {
        path += '/';
        path += s;
    }
    if (path.isEmpty())
        path = "/";
    return { path, {} };
}

} // namespace portico::http
