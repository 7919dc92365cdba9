#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace portico::gateway::h2 {

// Connection-specific fields have no place in HTTP/2 (RFC 9113 8.2.2): a message carrying one
// would be a protocol error for the peer.
inline bool connectionSpecific(QByteArrayView lowerName)
{
    return lowerName == "connection" || lowerName == "keep-alive" || lowerName == "proxy-connection"
        || lowerName == "transfer-encoding" || lowerName == "upgrade";
}

// A name/value pair for nghttp2, pointing into the two arrays (which must outlive the submit call).
inline nghttp2_nv nv(const QByteArray &name, const QByteArray &value)
{
    return { reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
        reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())), size_t(name.size()),
        size_t(value.size()), NGHTTP2_NV_FLAG_NONE };
}

// Appends all nghttp2 has queued to send to `out` (one write for the lot).
inline void takeOutput(nghttp2_session *session, QByteArray &out)
{
    for (;;) {
        const uint8_t *data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(session, &data);
        if (n <= 0)
            return;
        out.append(reinterpret_cast<const char *>(data), qsizetype(n));
    }
}

using Fields = std::vector<std::pair<QByteArray, QByteArray>>;

// For a data provider at the end of the body: queues `trailers` (lower-case names) as the trailing
// HEADERS frame that ends the stream, and says so in `flags` (the DATA frame then does not).
inline void endWithTrailers(nghttp2_session *session, int32_t streamId, const Fields &trailers, uint32_t *flags)
{
    if (trailers.empty())
        return;
    std::vector<nghttp2_nv> nva;
    nva.reserve(trailers.size());
    for (const auto &[name, value] : trailers)
        nva.push_back(nv(name, value));
    if (nghttp2_submit_trailer(session, streamId, nva.data(), nva.size()) == 0)
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
}

// For a data provider: copies up to `length` queued bytes (`queue` from `pos`) into `buf` and
// returns how many; once all are taken the queue is emptied (its capacity kept).
inline size_t takeQueued(QByteArray &queue, qsizetype &pos, uint8_t *buf, size_t length)
{
    const size_t n = std::min(length, size_t(queue.size() - pos));
    if (n > 0) {
        memcpy(buf, queue.constData() + pos, n);
        pos += qsizetype(n);
    }
    if (pos == queue.size()) {
        queue.resize(0);
        pos = 0;
    }
    return n;
}

} // namespace portico::gateway::h2
