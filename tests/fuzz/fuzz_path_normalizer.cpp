// The request-path normaliser (core/http/PathNormalizer) on arbitrary bytes, with every option.
//
// Beyond "no crash, no ASan/UBSan report", it checks what routing relies on: a normalised path
// starts with '/', has no "." or ".." segment left (so no route prefix can be climbed out of),
// decodes no unreserved escape twice, and is a fixed point (normalising it again changes nothing).
#include "FuzzSupport.h"

#include "core/http/PathNormalizer.h"

#include <QByteArrayList>

using namespace portico::http;

namespace {

void check(const QByteArray &raw, const PathOptions &options)
{
    const NormalizedPath n = normalizePath(raw, options);
    if (!n.ok()) {
        FUZZ_CHECK(n.path.isEmpty());
        return;
    }
    const QByteArray &p = n.path;
    FUZZ_CHECK(p.startsWith('/'));
    for (const QByteArray &segment : p.split('/')) {
        FUZZ_CHECK(segment != "." && segment != "..");
        if (options.mergeSlashes)
            FUZZ_CHECK(!p.contains("//"));
    }
    if (options.escapedSlash == PathOptions::EscapedSlash::Decode)
        FUZZ_CHECK(!p.contains("%2F"));
    FUZZ_CHECK(!p.contains("%2e") && !p.contains("%2E")); // an encoded dot is always decoded
    const NormalizedPath again = normalizePath(p, options);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again.path == p);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size == 0)
        return 0;
    // The first byte picks the options; the rest is the path.
    const unsigned char flags = data[0];
    PathOptions options;
    options.mergeSlashes = flags & 1;
    options.escapedSlash = PathOptions::EscapedSlash((flags >> 1) % 3);
    check(portico::fuzz::bytes(data + 1, size - 1), options);
    return 0;
}
