#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace portico::http {

// How a request path is read before a route is chosen (README "How Portico reads a path").
struct PathOptions
{
    enum class EscapedSlash { Keep, Reject, Decode };
    bool mergeSlashes = true; // "//" -> "/", as nginx's merge_slashes
    EscapedSlash escapedSlash = EscapedSlash::Keep; // %2F: data (Keep), 400 (Reject) or a separator (Decode)
};

struct NormalizedPath
{
    QByteArray path; // the normalised path, when error is empty
    QByteArray error; // why the path is refused (the client gets a 400)
    bool ok() const { return error.isEmpty(); }
};

// RFC 3986 section 6.2.2 normalisation of an origin-form path (no query):
// - percent-encoded unreserved characters (ALPHA DIGIT - . _ ~) are decoded, other escapes keep
//   their octet with upper-case hex digits; a malformed escape or an encoded NUL is refused;
// - "." and ".." segments, encoded or not, are resolved (section 5.2.4); a ".." above the root is
//   refused, and so is a dot segment with parameters ("..;x"), which some servers read as "..";
// - "//" is merged when options.mergeSlashes; %2F follows options.escapedSlash.
// The result starts with '/'. A path that needs no change is returned without copying.
NormalizedPath normalizePath(const QByteArray &raw, const PathOptions &options = {});

} // namespace portico::http
