#pragma once

// Shared by the libFuzzer targets in this folder (see README.md). A target defines
// LLVMFuzzerTestOneInput; FUZZ_CHECK aborts on a broken invariant so libFuzzer records the input
// as a crash, the same way ASan and UBSan do for memory and undefined-behaviour errors.

#include <QByteArray>

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                                     \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);                \
            std::abort();                                                                                    \
        }                                                                                                    \
    } while (false)

namespace portico::fuzz {

// The input as a QByteArray without copying (valid for the duration of one call).
inline QByteArray bytes(const unsigned char *data, size_t size)
{
    return QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
}

} // namespace portico::fuzz
