#pragma once

// Internal helpers shared by the pipeline's parts (flow-control marks, retry rules, response fields).

#include "core/capture/CaptureRecord.h"
#include "core/config/Workspace.h"
#include "core/http/HttpHeaders.h"

#include <chrono>

namespace portico::gateway::detail {

inline constexpr qint64 kHighWater = 512 * 1024;     // pause the producer above this much queued output
inline constexpr qint64 kRetainBodyBytes = 64 * 1024; // request bodies up to this size can be retried

inline qint64 nowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

inline bool isIdempotent(const QByteArray &m)
{
    return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PUT" || m == "DELETE" || m == "TRACE";
}

// Whether a header the filters want on every answer (ctx.extraResponseHeaders) is sent next to
// what the response already has (see PipelineSupport.cpp).
bool addsToResponse(const http::HttpHeaders &response, const QByteArray &name, const QByteArray &value);

} // namespace portico::gateway::detail
